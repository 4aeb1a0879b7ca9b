"""The list of contacts or companies: a table paginated, sorted, searched and filtered in the database.

The list's state (search, filters, sort, page and page size) lives in the address (`/contacts?type=Client&page=2`),
so reload, Back and a shared link show the same list: each change puts a new address in the browser's history
(typing a search replaces it, so a word is one entry, not one per letter), and Back from it shows the list as it
was. What in an address is not a valid state (an unknown sort, a page of letters, a type not in the
organization's list, a company one cannot see) is left out, never an error.

Rows can always be selected: the selection bar changes, hides, exports, copies or deletes them in bulk
(models/records/bulk.py; the API's `…/bulk` routes do the same).

One layout for a desktop and a phone: the toolbar is one row (search, New, and one "Import / export" menu); below
Quasar's `sm` breakpoint (600 px) the buttons keep only their icons, the filters fold behind a button, and the
table draws each record as a card (q-table's `grid` mode, the same table with the same server-side pages), with the
phone and email as tel: and mailto: links. An empty list says what to do instead of "No data available".

Pages are read by cursor (keyset pagination, models/records/keyset.py): Next reads the rows after the page's last
one, Previous those before its first, Last the list's end read backwards; each costs what the first page does, however
deep, where an offset made the database read and drop every row before the page. The address keeps the cursor beside
the page's number (`?page=57&cursor=…`), so a reload shows the same rows; a page number without a cursor (an old
link) is read by offset once, and its neighbours by cursor again. The page's number is shown where it is known (a
walk from the first page, or from an exact total's last one); past a search's bounded total ("10,000+") the last page
has no number. The total is counted once per search and filters, not at every page.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from nicegui import app, ui

from models.access import Action, parse_id
from models.errors import ValidationFailed
from models.i18n import N_, _, ngettext, number
from models.jobs import exports as export_jobs, queue
from models.orgs import service as orgs
from models.records import bulk, counts, exports, keyset, search
from models.records import service as records
from models.records.tables import CONTACT, Kind
from models.validation import display_phone

from . import moments
from .company_picker import CompanyPicker
from .copy_dialog import open_copy_dialog, page_copy_targets
from .feedback import FAILED, attempt
from .frame import frame, records_allowed
from .record_card import PLURAL, record_path
from .session import PageContext


def _column(name: str, label: str, sortable: bool = False, newest_first: bool = False) -> dict:
    """A column of the list; `newest_first`: its first click sorts descending (Quasar's sortOrder 'da')."""
    return {'name': name, 'label': label, 'field': name, 'align': 'left', **({'sortable': True} if sortable else {}),
            **({'sortOrder': 'da'} if newest_first else {})}


# labels marked here and translated where the table is drawn (columns())
NAME, TYPE = _column('name', N_('Name'), sortable=True), _column('type', N_('Type'), sortable=True)
REACH = [_column('email', N_('Email')), _column('phone', N_('Phone')),
         _column('updated', N_('Last update'), sortable=True, newest_first=True)]
COLUMNS = {
    'contact': [NAME, _column('company', N_('Company'), sortable=True), TYPE, _column('role', N_('Role')), *REACH],
    'company': [NAME, TYPE, _column('sector', N_('Sector'), sortable=True), *REACH],
}
FILTER_LABELS = {'type': N_('Type'), 'role': N_('Role'), 'sector': N_('Sector')}

# The slots below are static Vue templates: {{ }} and :attribute bindings escape the text, so user text is never
# read as HTML. Long values are cut with an ellipsis (the whole value in the cell's title) instead of widening
# the table past the screen.
NAME_CELL = '''<q-td :props="props"><div class="rubrica-cell"><a :href="props.row.href" :title="props.value"
class="rubrica-name text-primary no-underline font-medium">{{ props.value || props.row.unnamed }}</a>
<q-icon v-if="props.row.private" name="lock" size="xs" class="q-ml-xs text-orange-8"/></div></q-td>'''
CELL = '''<q-td :props="props"><div class="rubrica-cell" :title="props.value">{{ props.value }}</div></q-td>'''
EMAIL_CELL = '''<q-td :props="props"><div class="rubrica-cell"><a v-if="props.value" :href="'mailto:' + props.value"
:title="props.value" class="text-grey-9">{{ props.value }}</a></div></q-td>'''
PHONE_CELL = '''<q-td :props="props"><div class="rubrica-cell"><a v-if="props.value" :href="'tel:' + props.row.tel"
class="text-grey-9 no-underline">{{ props.value }}</a></div></q-td>'''
# A phone's list: one card per record, the whole width, to tap: the name opens the card, the phone calls, the
# email writes. The checkbox keeps the selection (and its bulk actions) possible.
CARD = '''<div class="q-pa-xs col-12"><q-card flat bordered :class="props.selected ? 'bg-blue-1' : ''"
class="rubrica-record-card"><q-card-section class="row no-wrap items-start q-gutter-x-sm q-pa-sm">
<q-checkbox dense v-model="props.selected" :aria-label="props.row.select_label"/>
<div class="col" style="min-width: 0">
<div class="ellipsis"><a :href="props.row.href" class="text-primary no-underline text-subtitle1 font-medium">
{{ props.row.name || props.row.unnamed }}</a><q-icon v-if="props.row.private" name="lock" size="xs"
class="q-ml-xs text-orange-8"/></div>
<div v-if="props.row.detail" class="ellipsis text-grey-8">{{ props.row.detail }}</div>
<div v-if="props.row.phone"><a :href="'tel:' + props.row.tel" class="rubrica-tel no-underline text-primary">
<q-icon name="call" size="xs" class="q-mr-xs"/>{{ props.row.phone }}</a></div>
<div v-if="props.row.email" class="ellipsis"><a :href="'mailto:' + props.row.email"
class="rubrica-mailto no-underline text-primary"><q-icon name="mail" size="xs" class="q-mr-xs"/>
{{ props.row.email }}</a></div></div></q-card-section></q-card></div>'''
# cards below Quasar's `sm` breakpoint, read as the table is drawn: a turned phone or a narrowed window switches too
PHONE_GRID = ':grid="Quasar.Screen.lt.sm"'
LIST_CSS = '''
.rubrica-list .rubrica-cell { max-width: 13rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.rubrica-list th, .rubrica-list td { padding-left: 8px; padding-right: 8px; }
'''


PAGE_SIZES = (25, 50, 100, 200)
LAST = 'last'  # the cursor of the list's last page: its end, read backwards (never a keyset cursor: not base64 JSON)
SEPARATOR_NAMES = {'comma': N_('comma'), 'semicolon': N_('semicolon'), 'tab': N_('tab')}  # exports.SEPARATORS'
# reloads the page when Back or Forward lands on an address this page pushed: the address holds the list's state
FOLLOW_HISTORY = '<script>window.addEventListener("popstate", () => window.location.reload());</script>'


@dataclass
class ListState:
    """What a list shows, as its address says it."""
    query: str = ''
    filters: dict[str, object] = field(default_factory=dict)
    sort: str | None = None  # a column chosen; None: by relevance while searching, else by name
    descending: bool = False
    page: int = 1  # 0: not known (a page reached from the last one past a bounded total)
    per_page: int = records.PAGE_SIZE
    cursor: str = ''  # how the page is read: '' from the start (by offset past page 1), LAST, or a keyset cursor

    def params(self) -> dict[str, str]:
        """The address's query: only what differs from a fresh list."""
        params = {'q': self.query} if self.query else {}
        params |= {name: str(value) for name, value in self.filters.items() if value not in (None, '')}
        if self.sort:
            params['sort'] = self.sort
            if self.descending:
                params['order'] = 'desc'
        if self.page > 1:
            params['page'] = str(self.page)
        if self.per_page != records.PAGE_SIZE:
            params['per_page'] = str(self.per_page)
        if self.cursor:
            params['cursor'] = self.cursor
        return params


def sorts(kind: Kind) -> set[str]:
    """The columns the table sorts by."""
    return {column['name'] for column in COLUMNS[kind.name] if column.get('sortable')}


async def read_state(ctx: PageContext, kind: Kind, params: Mapping[str, str], lists: dict[str, list[str]]) \
        -> ListState:
    """The state an address asks for, keeping only what is valid: anything else is as on a fresh list."""
    state = ListState(query=str(params.get('q') or '').strip()[:search.MAX_QUERY])
    for name, list_kind in kind.options.items():
        if params.get(name) in lists.get(list_kind, []):
            state.filters[name] = params[name]
    if kind is CONTACT and (company_id := parse_id(params.get('company_id', ''))):
        if await records.visible_companies_by_id(ctx.membership, [company_id]):
            state.filters['company_id'] = company_id
    if params.get('sort') in sorts(kind):
        state.sort = params['sort']
        state.descending = params.get('order') == 'desc'
    cursor = str(params.get('cursor') or '')
    state.cursor = cursor if 0 < len(cursor) <= keyset.MAX_CURSOR else ''  # checked against the list as it is read
    state.page = parse_id(params.get('page', '')) or (0 if state.cursor else 1)
    per_page = parse_id(params.get('per_page', ''))
    state.per_page = per_page if per_page in PAGE_SIZES else records.PAGE_SIZE
    return state


def list_address(kind: Kind, state: ListState) -> str:
    """The list's address (percent-encoded: letters, digits and %+._-~=& only, never raw user text)."""
    params = state.params()
    return record_path(kind) + (f'?{urlencode(params)}' if params else '')


def list_address_of(request) -> str:
    """The address a list was asked for, to come back to after logging in."""
    return request.url.path + (f'?{request.url.query}' if request.url.query else '')


def menu_entry(label: str, icon: str, on_click: Callable[[], object], *marks: str) -> ui.menu_item:
    with ui.menu_item(on_click=on_click).mark(*marks) as entry:
        with ui.item_section().props('avatar'):
            ui.icon(icon)
        ui.item_section(label)
    return entry


def count(kind: Kind, n: int, *, exact: bool = True) -> str:
    """'1 contact', '1.200 aziende': a count of records in the reader's language; '10,000+ contacts' when there are
    more than n (a search's bounded total)."""
    if not exact:
        return ngettext('{count}+ contact', '{count}+ contacts', n) if kind is CONTACT \
            else ngettext('{count}+ company', '{count}+ companies', n)
    if kind is CONTACT:
        return ngettext('{count} contact', '{count} contacts', n)
    return ngettext('{count} company', '{count} companies', n)


def columns(kind: Kind) -> list[dict]:
    """The table's columns, labelled in the reader's language."""
    return [{**column, 'label': _(column['label'])} for column in COLUMNS[kind.name]]


def usual_separator() -> str:
    """The CSV separator the reader's spreadsheet opens without asking: semicolons where their language writes
    decimals with a comma (Italian and French Excel read '1,5' as a number, so a comma cannot split cells), else
    commas."""
    return 'semicolon' if ',' in number(1.5, '0.0') else 'comma'


class RecordList:
    def __init__(self, ctx: PageContext, kind: Kind, state: ListState, address: str,
                 lists: dict[str, list[str]]) -> None:
        self.ctx, self.kind = ctx, kind
        self.lists = lists  # the organization's option lists, as read for the address's filters
        self.filters = state.filters
        self.query = state.query
        self.chosen_sort, self.descending = state.sort, state.descending
        self.page, self.per_page = state.page, state.per_page
        self.cursor = state.cursor
        self.next_cursor: str | None = None  # the shown page's neighbours (None: there is none that way)
        self.previous_cursor: str | None = None
        self.moving = ''  # 'next' or 'previous' while a page button's page loads
        self.total: counts.Total | None = None  # counted once per search and filters (None: to count)
        self.address = address  # as the browser shows it now
        self.last_change = ''

    async def build(self) -> None:
        lists = self.lists
        ui.add_css(LIST_CSS)
        with ui.row().classes('w-full items-center no-wrap gap-2 rubrica-list-toolbar').mark('list-toolbar'):
            placeholder = _('Search contacts: name, email, phone, VAT…') if self.kind is CONTACT \
                else _('Search companies: name, email, phone, VAT…')
            search = ui.input(placeholder=placeholder,
                              value=self.query).props('outlined dense clearable debounce=300') \
                .classes('grow min-w-0').mark('list-search')
            search.on_value_change(lambda e: self.set_query(e.value))
            # on a phone the filters fold away behind this button
            # aria-labels are set, not parsed from a props string: a translation may hold quotes
            folder = ui.button(icon='filter_list', on_click=self.toggle_filters).props('flat round') \
                .classes('sm:hidden').tooltip(_('Filters')).mark('list-filters-toggle')
            folder.props['aria-label'] = _('Filters')
            new = _('New contact') if self.kind is CONTACT else _('New company')
            with ui.button(icon='add', on_click=lambda: ui.navigate.to(record_path(self.kind) + '/new')) \
                    .props('no-wrap').mark('list-new') as new_button:
                ui.label(new).classes('q-ml-sm max-sm:hidden')
            new_button.props['aria-label'] = new
            self.more_menu()
        with ui.row().classes('w-full items-center gap-2'):
            with ui.row().classes('items-center gap-2 max-sm:w-full max-sm:hidden').mark('list-filters') \
                    as self.filter_row:
                for name, list_kind in self.kind.options.items():
                    ui.select(lists.get(list_kind, []), label=_(FILTER_LABELS[name]),
                              value=self.filters.get(name) or None, clearable=True,
                              on_change=lambda e, name=name: self.set_filter(name, e.value)) \
                        .props('outlined dense').classes('min-w-[10rem] max-sm:grow').mark(f'filter-{name}')
                if self.kind is CONTACT:
                    await self.company_filter_picker()
            # on the right of the filters; on a phone, shown even when they are folded
            self.total_label = ui.label().classes('ml-auto text-grey-8').mark('list-total')
        self.selection_bar()
        self.table = ui.table(rows=[], columns=columns(self.kind), row_key='id', selection='multiple',
                              on_select=self.on_select,
                              pagination={'rowsPerPage': self.per_page, 'page': self.page,
                                          'sortBy': self.chosen_sort or 'name', 'descending': self.descending,
                                          'rowsNumber': 0}) \
            .props(f'flat bordered binary-state-sort hide-pagination {PHONE_GRID}') \
            .classes('w-full rubrica-list').mark('list-table')
        self.table.add_slot('body-cell', CELL)
        self.table.add_slot('body-cell-name', NAME_CELL)
        self.table.add_slot('body-cell-email', EMAIL_CELL)
        self.table.add_slot('body-cell-phone', PHONE_CELL)
        self.table.add_slot('item', CARD)
        self.table.on('request', self.on_request)
        self.pager()
        self.empty_state()
        ui.add_body_html(FOLLOW_HISTORY)
        await self.load()
        self.remember('fix')  # an address with parts that were left out shows what the list really shows

    def pager(self) -> None:
        """Below the table: the page size, which rows these are, and first, previous, next and last page (the
        table's own pagination is hidden: it only knows offsets)."""
        def button(icon: str, label: str, on_click, mark: str) -> ui.button:
            made = ui.button(icon=icon, on_click=on_click).props('flat round dense').tooltip(label).mark(mark)
            made.props['aria-label'] = label
            return made
        with ui.row().classes('w-full items-center justify-end gap-1 text-grey-8').mark('list-pager') as self.pager_row:
            ui.label(_('Rows per page')).classes('max-sm:hidden')
            self.size_select = ui.select(list(PAGE_SIZES), value=self.per_page, on_change=self.set_per_page) \
                .props('dense borderless options-dense').mark('list-per-page')
            self.size_select.props['aria-label'] = _('Rows per page')
            self.range_label = ui.label().classes('q-mx-sm').mark('list-range')
            self.first_button = button('first_page', _('First page'), self.first_page, 'list-first')
            self.previous_button = button('chevron_left', _('Previous page'), self.previous_page, 'list-previous')
            self.next_button = button('chevron_right', _('Next page'), self.next_page, 'list-next')
            self.last_button = button('last_page', _('Last page'), self.last_page, 'list-last')

    async def company_filter_picker(self) -> None:
        company_id = self.filters.get('company_id')
        company = (await records.visible_companies_by_id(self.ctx.membership, [company_id])).get(company_id)
        with ui.element('div').classes('min-w-[14rem] max-sm:grow'):
            self.company_filter = CompanyPicker(
                self.ctx, company_id=company.id if company else None, company_name=company.name if company else '',
                allow_create=False,
                on_change=lambda: self.set_filter('company_id', self.company_filter.company_id), mark='filter-company')

    def empty_state(self) -> None:
        """Shown instead of the table when it has no row: what to do, rather than "No data available"."""
        noun = self.kind.name
        first = _('Add the first contact') if self.kind is CONTACT else _('Add the first company')
        with ui.column().classes('w-full items-center gap-2 py-8 text-center').mark('list-empty') as self.empty:
            ui.icon('person_search' if self.kind is CONTACT else 'domain', size='3rem').classes('text-grey-5')
            self.empty_title = ui.label().classes('text-h6').mark('list-empty-title')
            self.empty_hint = ui.label().classes('text-grey-8')
            with ui.row().classes('justify-center gap-2') as self.first_steps:
                if self.ctx.may(Action.EDIT_RECORDS):
                    ui.button(first, icon='add',
                              on_click=lambda: ui.navigate.to(record_path(self.kind) + '/new')).mark('list-empty-new')
                    ui.button(_('Import a file'), icon='upload_file',
                              on_click=lambda: ui.navigate.to(f'/import?kind={noun}')) \
                        .props('outline').mark('list-empty-import')
            self.clear_button = ui.button(_('Clear filters'), icon='filter_alt_off', on_click=self.clear_filters) \
                .props('outline').mark('list-clear-filters')
        self.empty.set_visibility(False)

    def show_empty(self, total: int) -> None:
        """The table, or (no row) why it is empty: nothing yet, or nothing that matches."""
        filtered = bool(self.query or any(value not in (None, '') for value in self.filters.values()))
        # the table stays on the page, with its pages and sort, only not drawn (the same 'hidden' class NiceGUI sets)
        self.table.classes(remove='hidden') if total else self.table.classes(add='hidden')
        self.empty.set_visibility(not total)
        if total:
            return
        contacts = self.kind is CONTACT
        if filtered:
            self.empty_title.text = _('No contact matches these filters') if contacts \
                else _('No company matches these filters')
            self.empty_hint.text = _('Try other words, or clear the search and the filters to see every one.')
        else:
            self.empty_title.text = _('No contacts yet') if contacts else _('No companies yet')
            self.empty_hint.text = (_('Add one by hand, or import a spreadsheet (CSV) or vCards.')
                                    if self.ctx.may(Action.EDIT_RECORDS) else '')
        self.first_steps.set_visibility(not filtered)
        self.clear_button.set_visibility(filtered)

    def clear_filters(self) -> None:
        """The whole list again, in its sort and page size: a new address, as Back can come back to."""
        ui.navigate.to(list_address(self.kind, ListState(sort=self.chosen_sort, descending=self.descending,
                                                         per_page=self.per_page)))

    def toggle_filters(self) -> None:
        """On a phone: show or fold the filters (on a wider screen they are always shown)."""
        if 'max-sm:hidden' in self.filter_row.classes:
            self.filter_row.classes(remove='max-sm:hidden')
        else:
            self.filter_row.classes(add='max-sm:hidden')

    def more_menu(self) -> None:
        """Import, the exports of the list as it is filtered now, and the duplicates: one menu, so that the toolbar
        stays one row."""
        from .imports import export_path

        async def download(file_format: str, separator: str = '') -> None:
            # too long for a download that waits: a background job (a total past counts.BOUND is not exact: larger)
            if self.total is not None and (self.total.value > export_jobs.BACKGROUND_FROM or not self.total.exact):
                await self.export_in_background(file_format, separator)
                return
            ui.download.from_url(export_path(self.ctx.org.id, self.kind.name, file_format, self.query, self.filters,
                                             separator))

        with ui.button(icon='import_export').props('flat no-wrap').mark('list-more') as more:
            more.props['aria-label'] = _('Import / export')
            ui.label(_('Import / export')).classes('q-ml-sm max-sm:hidden')
            ui.icon('arrow_drop_down').classes('max-sm:hidden')
            with ui.menu().mark('list-more-menu'):
                if self.ctx.may(Action.EDIT_RECORDS):
                    menu_entry(_('Import a file…'), 'upload_file',
                               lambda: ui.navigate.to(f'/import?kind={self.kind.name}'), 'list-import')
                    ui.separator()
                self.export_entries(download, 'list-export')
                ui.separator()
                menu_entry(_('Find duplicates'), 'join_inner',
                           lambda: ui.navigate.to(f'/duplicates?kind={self.kind.name}'), 'list-duplicates')

    async def export_in_background(self, file_format: str, separator: str) -> None:
        """The list as searched and filtered now, exported by a background job: the header's jobs button follows
        it (progress, Cancel) and offers its file once written."""
        job = await attempt(queue.start_export(self.ctx.membership, filename=f'{PLURAL[self.kind.name]}.{file_format}',
                                               q=self.query, filters=self.filters, separator=separator or 'comma'))
        if job is FAILED:
            return
        ui.notify(_('The export runs in the background: the jobs button above follows it and offers its file to '
                    'download once it is written.'), type='info', multi_line=True)

    def export_entries(self, download: Callable[..., object], mark: str) -> None:
        """A CSV export per separator, the reader's usual one first (`<mark>-csv`: the one their spreadsheet reads
        without asking, semicolons for Italian or French Excel: the reader opens the file, whatever the organization's
        country), and the vCard of contacts."""
        usual = usual_separator()
        for separator in sorted(exports.SEPARATORS, key=lambda name: name != usual):  # comma, semicolon, tab
            named = _(SEPARATOR_NAMES[separator])
            label = _('Export CSV for Excel ({separator})', separator=named) if separator == usual \
                else _('Export CSV ({separator})', separator=named)
            marks = [f'{mark}-csv-{separator}'] + ([f'{mark}-csv'] if separator == usual else [])
            menu_entry(label, 'download', lambda s=separator: download('csv', s), *marks)
        if self.kind is CONTACT:
            menu_entry(_('Export vCard'), 'contact_page', lambda: download('vcf'), f'{mark}-vcf')

    # ------------------------------------------------------------ the selection and its bulk actions

    def selection_bar(self) -> None:
        """Shown while rows are selected: what can be done to all of them at once. Its buttons and menus are made at
        the first selection (fill_selection_bar): most visits of the list select nothing, and every element costs
        the page's build."""
        self.bar = ui.row().classes('w-full items-center gap-2 rounded bg-blue-1 px-2 py-1').mark('bulk-bar')
        self.bar.set_visibility(False)
        self.selected_label: ui.label | None = None

    def fill_selection_bar(self) -> None:
        editor = self.ctx.may(Action.EDIT_RECORDS)
        with self.bar:
            self.selected_label = ui.label().classes('font-medium').mark('bulk-count')
            if editor:
                ui.button(_('Change…'), icon='edit', on_click=self.open_change).props('flat dense').mark('bulk-change')
                ui.button(_('Visibility…'), icon='lock', on_click=self.open_visibility).props('flat dense') \
                    .mark('bulk-visibility')
            with ui.button(_('Export'), icon='download').props('flat dense icon-right=arrow_drop_down') \
                    .mark('bulk-export'):
                with ui.menu():
                    self.export_entries(self.download_selection, 'bulk-export')
            if page_copy_targets(self.ctx):
                ui.button(_('Copy to organization…'), icon='content_copy', on_click=self.copy).props('flat dense') \
                    .mark('list-copy')
            if editor:
                ui.button(_('Delete…'), icon='delete', on_click=self.open_delete).props('flat dense color=negative') \
                    .mark('bulk-delete')
            ui.space()
            ui.button(_('Clear selection'), icon='close', on_click=self.clear_selection).props('flat dense') \
                .mark('bulk-clear')

    @property
    def selected_ids(self) -> list[int]:
        return [row['id'] for row in self.table.selected]

    def on_select(self) -> None:
        chosen = len(self.table.selected)
        if chosen and self.selected_label is None:
            self.fill_selection_bar()
        self.bar.set_visibility(bool(chosen))
        if self.selected_label is None:
            return
        self.selected_label.text = ngettext('{count} contact selected', '{count} contacts selected', chosen) \
            if self.kind is CONTACT else ngettext('{count} company selected', '{count} companies selected', chosen)

    def clear_selection(self) -> None:
        if self.table.selected:  # else the whole table would be sent to the browser again for nothing (each letter)
            self.table.selected = []
        self.on_select()

    def download_selection(self, file_format: str, separator: str = '') -> None:
        from .imports import export_path
        ui.download.from_url(export_path(self.ctx.org.id, self.kind.name, file_format, '', {}, separator,
                                         self.selected_ids))

    async def copy(self) -> None:
        ids = self.selected_ids
        await open_copy_dialog(self.ctx, contact_ids=ids if self.kind is CONTACT else [],
                               company_ids=ids if self.kind is not CONTACT else [])

    async def run_bulk(self, dialog, action: str, values: dict | None = None) -> None:
        ids = self.selected_ids
        result = await attempt(bulk.bulk_action(self.kind, self.ctx.membership, action, ids, values,
                                                integrations=app.state.integrations))
        if result is FAILED:
            return
        dialog.close()
        records_done = count(self.kind, len(result.done))
        message = {'delete': _('Deleted {records}.', records=records_done),
                   'change': _('Changed {records}.', records=records_done),
                   'visibility': _('Changed the visibility of {records}.', records=records_done)}[action]
        if result.skipped:
            reasons = sorted({skipped['reason'] for skipped in result.skipped})
            message += ' ' + ngettext('Skipped {count}: {reasons}.', 'Skipped {count}: {reasons}.',
                                      len(result.skipped), reasons='; '.join(reasons))
        ui.notify(message, type='positive' if not result.skipped else 'warning', multi_line=True)
        self.clear_selection()
        self.total = None  # the records changed: counted again
        await self.load()

    def open_delete(self) -> None:
        chosen = count(self.kind, len(self.selected_ids))
        with ui.dialog(value=True) as dialog, ui.card().classes('w-[28rem] max-w-full'):
            ui.label(_('Delete {records}?', records=chosen)).classes('text-h6').mark('bulk-delete-question')
            ui.label(_('They move to the trash with their attachments and connections, where they can be '
                       'restored.'))
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=dialog.close).props('flat').mark('bulk-delete-cancel')
                ui.button(_('Delete {records}', records=chosen), icon='delete',
                          on_click=lambda: self.run_bulk(dialog, 'delete')) \
                    .props('color=negative').mark('bulk-delete-confirm')

    async def open_change(self) -> None:
        lists = await orgs.option_lists(self.ctx.org.id)
        chosen = count(self.kind, len(self.selected_ids))
        with ui.dialog(value=True) as dialog, ui.card().classes('w-[28rem] max-w-full'):
            ui.label(_('Change {records}', records=chosen)).classes('text-h6')
            ui.label(_('Fields left empty stay as they are.')).classes('text-caption text-grey-8')
            fields = {}
            for name, list_kind in self.kind.options.items():
                options = {value: value for value in lists.get(list_kind, [])} | {'': _('(none: clear it)')}
                fields[name] = ui.select(options, label=_(FILTER_LABELS[name]), clearable=True) \
                    .classes('w-full').mark(f'bulk-change-{name}')

            async def apply() -> None:
                values = {name: box.value for name, box in fields.items() if box.value is not None}
                if not values:
                    ui.notify(_('Choose a value to set'), type='warning')
                    return
                await self.run_bulk(dialog, 'change', values)
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=dialog.close).props('flat')
                ui.button(_('Change {records}', records=chosen), icon='edit', on_click=apply).mark('bulk-change-apply')

    def open_visibility(self) -> None:
        chosen = count(self.kind, len(self.selected_ids))
        with ui.dialog(value=True) as dialog, ui.card().classes('w-[28rem] max-w-full'):
            ui.label(_('Visibility of {records}', records=chosen)).classes('text-h6')
            choice = ui.radio({'public': _('Public: everyone in the organization sees them'),
                               'private': _('Private: only you, and whoever you mention')}, value='private') \
                .mark('bulk-visibility-choice')
            ui.label(_('Only the records you created change; the others are skipped.')) \
                .classes('text-caption text-grey-8')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=dialog.close).props('flat')
                ui.button(_('Apply'), icon='lock', on_click=lambda: self.run_bulk(
                    dialog, 'visibility', {'visibility': choice.value})).mark('bulk-visibility-apply')

    # ------------------------------------------------------------ the list's state, in the address

    def remember(self, change: str) -> None:
        """Put the list's state in the address: a new history entry, except while the search is being typed."""
        state = ListState(self.query, self.filters, self.chosen_sort, self.descending, self.page, self.per_page,
                          self.cursor)
        address = list_address(self.kind, state)
        if address != self.address:
            # in the list's own context: the element whose event got here (a company picker's option) may be gone
            with self.table:
                if change == 'q' and self.last_change == 'q' or change == 'fix':
                    ui.navigate.history.replace(address)
                else:
                    ui.navigate.history.push(address)
            self.address = address
        self.last_change = change

    @property
    def sort(self) -> str:
        return self.chosen_sort or ('relevance' if self.query else 'name')

    async def set_query(self, text: str | None) -> None:
        self.query, self.page, self.cursor, self.total = (text or '').strip(), 1, '', None
        if self.chosen_sort == 'name':  # a new search shows the best hits first again
            self.chosen_sort, self.descending = None, False
        self.clear_selection()
        self.remember('q')
        await self.load()

    async def set_filter(self, name: str, value: object) -> None:
        self.filters[name], self.page, self.cursor, self.total = value, 1, '', None
        self.clear_selection()
        self.remember(name)
        await self.load()

    async def on_request(self, e) -> None:
        """The table's sort changed (a column's header): the first page in the new order. A page asked through the
        table (not drawn: the pager below is) is one page on by cursor, or else the first page or one by offset."""
        pagination = e.args.get('pagination', {}) if isinstance(e.args, dict) else {}
        per_page = parse_id(pagination.get('rowsPerPage') or records.PAGE_SIZE)
        per_page = per_page if per_page in PAGE_SIZES else records.PAGE_SIZE
        sort = pagination.get('sortBy') or None
        was = (self.sort, self.descending, self.per_page)
        self.chosen_sort = sort if sort in sorts(self.kind) else None
        self.descending, self.per_page = bool(pagination.get('descending')), per_page
        page = parse_id(pagination.get('page') or 1) or 1
        if (self.sort, self.descending, self.per_page) != was or page == 1:
            self.page, self.cursor, self.moving = 1, '', ''
        elif page == self.page + 1 and self.next_cursor:
            self.page, self.cursor, self.moving = page, self.next_cursor, 'next'
        elif page == self.page - 1 and self.previous_cursor:
            self.page, self.cursor, self.moving = page, self.previous_cursor, 'previous'
        elif page != self.page:
            self.page, self.cursor, self.moving = page, '', ''  # a jump: by offset, once
        self.remember('table')
        await self.load()

    async def set_per_page(self, e) -> None:
        if e.value == self.per_page or e.value not in PAGE_SIZES:
            return
        self.per_page, self.page, self.cursor, self.moving = e.value, 1, '', ''
        self.remember('per_page')
        await self.load()

    async def turn(self, page: int, cursor: str, moving: str = '') -> None:
        self.page, self.cursor, self.moving = page, cursor, moving
        self.next_cursor = self.previous_cursor = None  # a second click before the page is drawn goes nowhere
        self.remember('page')
        await self.load()

    async def first_page(self) -> None:
        await self.turn(1, '')

    async def previous_page(self) -> None:
        if self.previous_cursor:  # the page before the second is the first: read from the start, exactly
            await self.turn(0 if not self.page else self.page - 1, '' if self.page == 2 else self.previous_cursor,
                            'previous')

    async def next_page(self) -> None:
        if self.next_cursor:
            await self.turn(self.page + 1 if self.page else 0, self.next_cursor, 'next')

    async def last_page(self) -> None:
        if self.next_cursor:
            await self.turn(0, LAST)

    def last_page_number(self) -> int:
        """The last page's number by the total; 0 when the total is not exact."""
        if self.total is None or not self.total.exact:
            return 0
        return max(1, -(-self.total.value // self.per_page))

    async def count(self) -> counts.Total | None:
        if self.total is None:
            total = await attempt(records.count_records(self.kind, self.ctx.membership, q=self.query, **self.filters))
            self.total = None if total is FAILED else total
        return self.total

    async def load(self) -> None:
        """The rows first, drawn at once; then their total (a count the rows do not wait for, once per search)."""
        moving, self.moving = self.moving, ''
        offset = (self.page - 1) * self.per_page if not self.cursor and self.page > 1 else 0
        size = self.per_page
        if self.cursor == LAST:
            await self.count()
            last = self.last_page_number()
            if last == 1:  # one page: the first
                self.page, self.cursor = 1, ''
                self.remember('fix')
            else:  # the pages before the last are full: it holds what they leave, where its number is known
                self.page = last
                size = self.total.value - (last - 1) * self.per_page if last else self.per_page
        reading = records.list_rows(
            self.kind, self.ctx.membership, q=self.query, sort=self.sort, descending=self.descending, limit=size,
            offset=offset, cursor=self.cursor if self.cursor not in ('', LAST) else None, last=self.cursor == LAST,
            **self.filters)
        try:
            page = await attempt(reading, passing=(ValidationFailed,) if self.cursor else ())
        except ValidationFailed:  # a cursor made for another list (an address edited): its first page
            self.page, self.cursor = 1, ''
            self.remember('fix')
            await self.load()
            return
        if page is FAILED:
            return
        items = page.items
        if not items and (self.cursor or self.page > 1):
            # past an end (an old link, or records gone since the cursor was made): the first or the last page there is
            if self.cursor != LAST:
                self.page, self.cursor = (1, '') if moving == 'previous' else (0, LAST)
                self.remember('fix')
                await self.load()
                return
            self.page, self.cursor = 1, ''  # nothing at all
            self.remember('fix')
        elif self.cursor and page.previous_cursor is None:  # walked back to the start: the first page, whole
            self.page, self.cursor = 1, ''
            self.remember('fix')
            await self.load()
            return
        self.next_cursor, self.previous_cursor = page.next_cursor, page.previous_cursor
        companies = await records.visible_companies_by_id(
            self.ctx.membership, [getattr(r, 'company_id', None) for r in items]) if self.kind is CONTACT else {}
        self.table.rows = [self.row(r, companies) for r in items]
        if not self.cursor and (known := records.known_total(items, self.per_page, offset)):
            self.total = known  # a first (or offset) page that is not full is the whole list: nothing to count
        total = await self.count()
        if total is None:
            return
        self.table.pagination = {'rowsPerPage': self.per_page, 'page': self.page or 1,
                                 'sortBy': None if self.sort == 'relevance' else self.sort,
                                 'descending': self.descending, 'rowsNumber': total.value}
        self.total_label.text = count(self.kind, total.value, exact=total.exact)
        self.show_pager(len(items), total)
        self.show_empty(total.value)

    def show_pager(self, shown: int, total: counts.Total) -> None:
        """Which rows these are, where the page's number is known; the buttons that lead somewhere."""
        if self.page and shown:
            first = (self.page - 1) * self.per_page + 1
            self.range_label.text = _('{first}–{last} of {total}', first=number(first),
                                      last=number(first + shown - 1),
                                      total=number(total.value) + ('' if total.exact else '+'))
        else:
            self.range_label.text = _('Last page') if self.cursor == LAST and shown else ''
        before, after = self.previous_cursor is not None, self.next_cursor is not None
        for button, enabled in ((self.first_button, before), (self.previous_button, before),
                                (self.next_button, after), (self.last_button, after)):
            button.enable() if enabled else button.disable()
        if self.size_select.value != self.per_page:
            self.size_select.set_value(self.per_page)
        self.pager_row.set_visibility(bool(total.value))

    def row(self, record, companies: dict) -> dict:
        """A record as the table shows it; `tel`: the phone as stored (E.164), for tel: links."""
        company = companies[record.company_id].name if getattr(record, 'company_id', None) in companies else ''
        role, sector = getattr(record, 'role', ''), getattr(record, 'sector', '')
        return {
            'id': record.id, 'href': record_path(self.kind, record.id), 'name': record.display_name,
            # the templates' words, in the reader's language (a template's own text is not translated)
            'unnamed': _('(no name)'), 'select_label': _('Select {name}', name=record.display_name or _('(no name)')),
            'private': record.is_private, 'company': company, 'type': record.type, 'role': role, 'sector': sector,
            'detail': ' · '.join(part for part in (company, record.type, role, sector) if part),  # a card's 2nd line
            'email': record.emails[0] if record.emails else '',
            'phone': display_phone(record.phones[0], self.ctx.org.country) if record.phones else '',
            'tel': record.phones[0] if record.phones else '',
            'updated': moments.moment(record.updated_at),
        }


async def record_list_page(ctx: PageContext, kind: Kind, request) -> None:
    """The list, in the state its address asks for."""
    title = _('Contacts') if kind is CONTACT else _('Companies')
    ui.page_title(title + ' · Rubrica')
    with frame(ctx, title):
        if not records_allowed(ctx, _('Guests do not see contacts.') if kind is CONTACT
                               else _('Guests do not see companies.')):
            return
        lists = await orgs.option_lists(ctx.org.id)
        state = await read_state(ctx, kind, request.query_params, lists)
        await RecordList(ctx, kind, state, list_address_of(request), lists).build()
