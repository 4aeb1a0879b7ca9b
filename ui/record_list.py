"""The list of contacts or companies: a table paginated, sorted, searched and filtered in the database.

The list's state (search, filters, sort, page and page size) lives in the address (`/contacts?type=Client&page=2`),
so reload, Back and a shared link show the same list: each change puts a new address in the browser's history
(typing a search replaces it, so a word is one entry, not one per letter), and Back from it shows the list as it
was. What in an address is not a valid state (an unknown sort, a page of letters, a type not in the
organization's list, a company one cannot see) is left out, never an error.

Rows can always be selected: the selection bar changes, hides, exports, copies or deletes them in bulk
(models/records/bulk.py; the API's `…/bulk` routes do the same).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from nicegui import app, ui

from models.access import Action, parse_id
from models.orgs import service as orgs
from models.records import bulk, exports, search
from models.records import service as records
from models.records.tables import CONTACT, Kind
from models.validation import display_phone

from . import moments
from .company_picker import CompanyPicker
from .copy_dialog import copy_targets, open_copy_dialog
from .feedback import FAILED, attempt
from .frame import frame, records_allowed
from .record_card import PLURAL, record_path
from .session import PageContext


def _column(name: str, label: str, sortable: bool = False, newest_first: bool = False) -> dict:
    """A column of the list; `newest_first`: its first click sorts descending (Quasar's sortOrder 'da')."""
    return {'name': name, 'label': label, 'field': name, 'align': 'left', **({'sortable': True} if sortable else {}),
            **({'sortOrder': 'da'} if newest_first else {})}


NAME, TYPE = _column('name', 'Name', sortable=True), _column('type', 'Type', sortable=True)
REACH = [_column('email', 'Email'), _column('phone', 'Phone'),
         _column('updated', 'Last update', sortable=True, newest_first=True)]
COLUMNS = {
    'contact': [NAME, _column('company', 'Company', sortable=True), TYPE, _column('role', 'Role'), *REACH],
    'company': [NAME, TYPE, _column('sector', 'Sector', sortable=True), *REACH],
}
FILTER_LABELS = {'type': 'Type', 'role': 'Role', 'sector': 'Sector'}
SEPARATOR_LABELS = {'comma': 'Comma ,', 'semicolon': 'Semicolon ;', 'tab': 'Tab'}  # exports.SEPARATORS
# The name cell links to the card; Vue's {{ }} escapes the text, so a name is never read as HTML.
NAME_CELL = '''<q-td :props="props"><a :href="props.row.href" class="text-primary no-underline font-medium">
{{ props.value || '(no name)' }}</a><q-icon v-if="props.row.private" name="lock" size="xs" class="q-ml-xs text-orange-8"/>
</q-td>'''


PAGE_SIZES = (25, 50, 100, 200)
# reloads the page when Back or Forward lands on an address this page pushed: the address holds the list's state
FOLLOW_HISTORY = '<script>window.addEventListener("popstate", () => window.location.reload());</script>'


@dataclass
class ListState:
    """What a list shows, as its address says it."""
    query: str = ''
    filters: dict[str, object] = field(default_factory=dict)
    sort: str | None = None  # a column chosen; None: by relevance while searching, else by name
    descending: bool = False
    page: int = 1
    per_page: int = records.PAGE_SIZE

    def params(self) -> dict[str, str]:
        """The address's query: only what differs from a fresh list."""
        params = {'q': self.query} if self.query else {}
        params |= {name: str(value) for name, value in self.filters.items() if value not in (None, '')}
        if self.sort:
            params['sort'] = self.sort
            if self.descending:
                params['order'] = 'desc'
        if self.page != 1:
            params['page'] = str(self.page)
        if self.per_page != records.PAGE_SIZE:
            params['per_page'] = str(self.per_page)
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
    state.page = parse_id(params.get('page', '')) or 1
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


def count(kind: Kind, n: int) -> str:
    return f'{n:,} {kind.name if n == 1 else PLURAL[kind.name]}'


class RecordList:
    def __init__(self, ctx: PageContext, kind: Kind, state: ListState, address: str) -> None:
        self.ctx, self.kind = ctx, kind
        self.filters = state.filters
        self.query = state.query
        self.chosen_sort, self.descending = state.sort, state.descending
        self.page, self.per_page = state.page, state.per_page
        self.address = address  # as the browser shows it now
        self.last_change = ''

    async def build(self) -> None:
        lists = await orgs.option_lists(self.ctx.org.id)
        with ui.row().classes('w-full items-end gap-2'):
            search = ui.input(placeholder=f'Search {PLURAL[self.kind.name]}: name, email, phone, VAT…',
                              value=self.query).props('outlined dense clearable debounce=300') \
                .classes('grow min-w-[14rem]').mark('list-search')
            search.on_value_change(lambda e: self.set_query(e.value))
            ui.button(f'New {self.kind.name}', icon='add',
                      on_click=lambda: ui.navigate.to(record_path(self.kind) + '/new')).mark('list-new')
            self.export_buttons()
            ui.button('Find duplicates', icon='join_inner',
                      on_click=lambda: ui.navigate.to(f'/duplicates?kind={self.kind.name}')) \
                .props('flat').mark('list-duplicates')
        with ui.row().classes('w-full items-center gap-2'):
            for name, list_kind in self.kind.options.items():
                ui.select(lists.get(list_kind, []), label=FILTER_LABELS[name], value=self.filters.get(name) or None,
                          clearable=True, on_change=lambda e, name=name: self.set_filter(name, e.value)) \
                    .props('outlined dense').classes('min-w-[10rem]').mark(f'filter-{name}')
            if self.kind is CONTACT:
                company_id = self.filters.get('company_id')
                company = (await records.visible_companies_by_id(self.ctx.membership, [company_id])).get(company_id)
                with ui.element('div').classes('min-w-[14rem]'):
                    self.company_filter = CompanyPicker(
                        self.ctx, company_id=company.id if company else None,
                        company_name=company.name if company else '', allow_create=False, label='Company',
                        on_change=lambda: self.set_filter('company_id', self.company_filter.company_id),
                        mark='filter-company')
            self.total_label = ui.label().classes('ml-auto text-grey-8').mark('list-total')
        await self.selection_bar()
        self.table = ui.table(rows=[], columns=COLUMNS[self.kind.name], row_key='id', selection='multiple',
                              on_select=self.on_select,
                              pagination={'rowsPerPage': self.per_page, 'page': self.page,
                                          'sortBy': self.chosen_sort or 'name', 'descending': self.descending,
                                          'rowsNumber': 0}) \
            .props('flat bordered binary-state-sort :rows-per-page-options="[25, 50, 100, 200]"') \
            .classes('w-full').mark('list-table')
        self.table.add_slot('body-cell-name', NAME_CELL)
        self.table.on('request', self.on_request)
        ui.add_body_html(FOLLOW_HISTORY)
        await self.load()
        self.remember('fix')  # an address with parts that were left out shows what the list really shows

    def export_buttons(self) -> None:
        """Export the list as it is filtered now, and import into it."""
        from .imports import export_path

        def download(file_format: str) -> None:
            separator = self.separator_choice.value if file_format == 'csv' else ''
            ui.download.from_url(export_path(self.ctx.org.id, self.kind.name, file_format, self.query, self.filters,
                                             separator))

        if self.ctx.may(Action.EDIT_RECORDS):
            ui.button('Import', icon='upload_file', on_click=lambda: ui.navigate.to(f'/import?kind={self.kind.name}')) \
                .props('flat').mark('list-import')
        ui.button('Export CSV', icon='download', on_click=lambda: download('csv')).props('flat').mark('list-export-csv')
        # the separator the organization's spreadsheets read without asking (semicolon for Italian or French Excel)
        self.separator_choice = ui.select(SEPARATOR_LABELS, value=exports.usual_separator(self.ctx.org.country),
                                          label='CSV separator').props('outlined dense options-dense') \
            .classes('min-w-[9rem]').mark('list-export-separator')
        if self.kind is CONTACT:
            ui.button('Export vCard', icon='contact_page', on_click=lambda: download('vcf')).props('flat') \
                .mark('list-export-vcf')

    # ------------------------------------------------------------ the selection and its bulk actions

    async def selection_bar(self) -> None:
        """Shown while rows are selected: what can be done to all of them at once."""
        editor = self.ctx.may(Action.EDIT_RECORDS)
        with ui.row().classes('w-full items-center gap-2 rounded bg-blue-1 px-2 py-1').mark('bulk-bar') as bar:
            self.selected_label = ui.label().classes('font-medium').mark('bulk-count')
            if editor:
                ui.button('Change…', icon='edit', on_click=self.open_change).props('flat dense').mark('bulk-change')
                ui.button('Visibility…', icon='lock', on_click=self.open_visibility).props('flat dense') \
                    .mark('bulk-visibility')
            ui.button('Export CSV', icon='download', on_click=lambda: self.download_selection('csv')) \
                .props('flat dense').mark('bulk-export-csv')
            if self.kind is CONTACT:
                ui.button('Export vCard', icon='contact_page', on_click=lambda: self.download_selection('vcf')) \
                    .props('flat dense').mark('bulk-export-vcf')
            if await copy_targets(self.ctx):
                ui.button('Copy to organization…', icon='content_copy', on_click=self.copy).props('flat dense') \
                    .mark('list-copy')
            if editor:
                ui.button('Delete…', icon='delete', on_click=self.open_delete).props('flat dense color=negative') \
                    .mark('bulk-delete')
            ui.space()
            ui.button('Clear selection', icon='close', on_click=self.clear_selection).props('flat dense') \
                .mark('bulk-clear')
        self.bar = bar
        bar.set_visibility(False)

    @property
    def selected_ids(self) -> list[int]:
        return [row['id'] for row in self.table.selected]

    def on_select(self) -> None:
        chosen = len(self.table.selected)
        self.bar.set_visibility(bool(chosen))
        self.selected_label.text = f'{count(self.kind, chosen)} selected'

    def clear_selection(self) -> None:
        self.table.selected = []
        self.on_select()

    def download_selection(self, file_format: str) -> None:
        from .imports import export_path
        separator = self.separator_choice.value if file_format == 'csv' else ''  # as chosen next to Export CSV
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
        done = {'delete': 'Deleted', 'change': 'Changed', 'visibility': 'Changed the visibility of'}[action]
        message = f'{done} {count(self.kind, len(result.done))}.'
        if result.skipped:
            reasons = sorted({skipped['reason'] for skipped in result.skipped})
            message += f' Skipped {len(result.skipped)}: {"; ".join(reasons)}.'
        ui.notify(message, type='positive' if not result.skipped else 'warning', multi_line=True)
        self.clear_selection()
        await self.load()

    def open_delete(self) -> None:
        chosen = count(self.kind, len(self.selected_ids))
        with ui.dialog(value=True) as dialog, ui.card().classes('w-[28rem] max-w-full'):
            ui.label(f'Delete {chosen}?').classes('text-h6').mark('bulk-delete-question')
            ui.label('Their attachments and connections go with them. This cannot be undone.')
            with ui.row().classes('w-full justify-end'):
                ui.button('Cancel', on_click=dialog.close).props('flat').mark('bulk-delete-cancel')
                ui.button(f'Delete {chosen}', icon='delete', on_click=lambda: self.run_bulk(dialog, 'delete')) \
                    .props('color=negative').mark('bulk-delete-confirm')

    async def open_change(self) -> None:
        lists = await orgs.option_lists(self.ctx.org.id)
        chosen = count(self.kind, len(self.selected_ids))
        with ui.dialog(value=True) as dialog, ui.card().classes('w-[28rem] max-w-full'):
            ui.label(f'Change {chosen}').classes('text-h6')
            ui.label('Fields left empty stay as they are.').classes('text-caption text-grey-8')
            fields = {}
            for name, list_kind in self.kind.options.items():
                options = {value: value for value in lists.get(list_kind, [])} | {'': '(none: clear it)'}
                fields[name] = ui.select(options, label=FILTER_LABELS[name], clearable=True) \
                    .classes('w-full').mark(f'bulk-change-{name}')

            async def apply() -> None:
                values = {name: box.value for name, box in fields.items() if box.value is not None}
                if not values:
                    ui.notify('Choose a value to set', type='warning')
                    return
                await self.run_bulk(dialog, 'change', values)
            with ui.row().classes('w-full justify-end'):
                ui.button('Cancel', on_click=dialog.close).props('flat')
                ui.button(f'Change {chosen}', icon='edit', on_click=apply).mark('bulk-change-apply')

    def open_visibility(self) -> None:
        chosen = count(self.kind, len(self.selected_ids))
        with ui.dialog(value=True) as dialog, ui.card().classes('w-[28rem] max-w-full'):
            ui.label(f'Visibility of {chosen}').classes('text-h6')
            choice = ui.radio({'public': 'Public: everyone in the organization sees them',
                               'private': 'Private: only you, and whoever you mention'}, value='private') \
                .mark('bulk-visibility-choice')
            ui.label('Only the records you created change; the others are skipped.') \
                .classes('text-caption text-grey-8')
            with ui.row().classes('w-full justify-end'):
                ui.button('Cancel', on_click=dialog.close).props('flat')
                ui.button('Apply', icon='lock', on_click=lambda: self.run_bulk(
                    dialog, 'visibility', {'visibility': choice.value})).mark('bulk-visibility-apply')

    # ------------------------------------------------------------ the list's state, in the address

    def remember(self, change: str) -> None:
        """Put the list's state in the address: a new history entry, except while the search is being typed."""
        state = ListState(self.query, self.filters, self.chosen_sort, self.descending, self.page, self.per_page)
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
        self.query, self.page = (text or '').strip(), 1
        if self.chosen_sort == 'name':  # a new search shows the best hits first again
            self.chosen_sort, self.descending = None, False
        self.clear_selection()
        self.remember('q')
        await self.load()

    async def set_filter(self, name: str, value: object) -> None:
        self.filters[name], self.page = value, 1
        self.clear_selection()
        self.remember(name)
        await self.load()

    async def on_request(self, e) -> None:
        pagination = e.args.get('pagination', {}) if isinstance(e.args, dict) else {}
        self.page = parse_id(pagination.get('page') or 1) or 1
        per_page = parse_id(pagination.get('rowsPerPage') or records.PAGE_SIZE)
        self.per_page = per_page if per_page in PAGE_SIZES else records.PAGE_SIZE
        sort = pagination.get('sortBy') or None
        self.chosen_sort = sort if sort in sorts(self.kind) else None
        self.descending = bool(pagination.get('descending'))
        self.remember('table')
        await self.load()

    async def load(self) -> None:
        page = await attempt(records.list_records(
            self.kind, self.ctx.membership, q=self.query, sort=self.sort, descending=self.descending,
            limit=self.per_page, offset=(self.page - 1) * self.per_page, **self.filters))
        if page is FAILED:
            return
        last_page = max(1, -(-page.total // self.per_page))
        if self.page > last_page:  # past the end (an old link, or records gone): the last page there is
            self.page = last_page
            self.remember('fix')
            await self.load()
            return
        companies = await records.visible_companies_by_id(
            self.ctx.membership, [getattr(r, 'company_id', None) for r in page.items]) if self.kind is CONTACT else {}
        region = self.ctx.org.country
        self.table.rows = [{
            'id': r.id, 'href': record_path(self.kind, r.id), 'name': r.display_name, 'private': r.is_private,
            'company': companies[r.company_id].name if getattr(r, 'company_id', None) in companies else '',
            'type': r.type, 'role': getattr(r, 'role', ''), 'sector': getattr(r, 'sector', ''),
            'email': r.emails[0] if r.emails else '', 'phone': display_phone(r.phones[0], region) if r.phones else '',
            'updated': moments.moment(r.updated_at),
        } for r in page.items]
        self.table.pagination = {'rowsPerPage': self.per_page, 'page': self.page,
                                 'sortBy': None if self.sort == 'relevance' else self.sort,
                                 'descending': self.descending, 'rowsNumber': page.total}
        self.total_label.text = count(self.kind, page.total)


async def record_list_page(ctx: PageContext, kind: Kind, request) -> None:
    """The list, in the state its address asks for."""
    with frame(ctx, PLURAL[kind.name].capitalize()):
        if not records_allowed(ctx, PLURAL[kind.name]):
            return
        state = await read_state(ctx, kind, request.query_params, await orgs.option_lists(ctx.org.id))
        await RecordList(ctx, kind, state, list_address_of(request)).build()
