"""The list of contacts or companies: a table paginated, sorted, searched and filtered in the database."""
from __future__ import annotations

from nicegui import ui

from models.access import Action, parse_id
from models.orgs import service as orgs
from models.records import exports
from models.records import service as records
from models.records.tables import CONTACT, Kind
from models.validation import display_phone

from .company_picker import CompanyPicker
from .copy_dialog import copy_targets, open_copy_dialog
from .feedback import FAILED, attempt
from .frame import frame, records_allowed
from .record_card import PLURAL, record_path
from .session import PageContext


def _column(name: str, label: str, sortable: bool = False) -> dict:
    return {'name': name, 'label': label, 'field': name, 'align': 'left', **({'sortable': True} if sortable else {})}


NAME, TYPE = _column('name', 'Name', sortable=True), _column('type', 'Type', sortable=True)
REACH = [_column('email', 'Email'), _column('phone', 'Phone'), _column('updated', 'Last update', sortable=True)]
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


class RecordList:
    def __init__(self, ctx: PageContext, kind: Kind, filters: dict[str, object], query: str) -> None:
        self.ctx, self.kind = ctx, kind
        self.filters = filters
        self.query = query
        self.chosen_sort, self.descending = None, False  # None: by relevance while searching, else by name
        self.page, self.per_page = 1, records.PAGE_SIZE

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
            self.copy_button = None
            if await copy_targets(self.ctx):
                self.copy_button = ui.button('Copy to organization…', icon='content_copy', on_click=self.copy) \
                    .props('outline').mark('list-copy')
                self.copy_button.disable()
            ui.button('Find duplicates', icon='content_copy',
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
        self.table = ui.table(rows=[], columns=COLUMNS[self.kind.name], row_key='id',
                              selection='multiple' if self.copy_button else None, on_select=self.on_select,
                              pagination={'rowsPerPage': self.per_page, 'page': 1, 'sortBy': 'name',
                                          'descending': False, 'rowsNumber': 0}) \
            .props('flat bordered binary-state-sort :rows-per-page-options="[25, 50, 100, 200]"') \
            .classes('w-full').mark('list-table')
        self.table.add_slot('body-cell-name', NAME_CELL)
        self.table.on('request', self.on_request)
        await self.load()

    def export_buttons(self) -> None:
        """Export the list as it is filtered now, and import into it."""
        from .imports import export_path

        def download(file_format: str) -> None:
            separator = separator_choice.value if file_format == 'csv' else ''
            ui.download.from_url(export_path(self.ctx.org.id, self.kind.name, file_format, self.query, self.filters,
                                             separator))

        if self.ctx.may(Action.EDIT_RECORDS):
            ui.button('Import', icon='upload_file', on_click=lambda: ui.navigate.to(f'/import?kind={self.kind.name}')) \
                .props('flat').mark('list-import')
        ui.button('Export CSV', icon='download', on_click=lambda: download('csv')).props('flat').mark('list-export-csv')
        # the separator the organization's spreadsheets read without asking (semicolon for Italian or French Excel)
        separator_choice = ui.select(SEPARATOR_LABELS, value=exports.usual_separator(self.ctx.org.country),
                                     label='CSV separator').props('outlined dense options-dense') \
            .classes('min-w-[9rem]').mark('list-export-separator')
        if self.kind is CONTACT:
            ui.button('Export vCard', icon='contact_page', on_click=lambda: download('vcf')).props('flat') \
                .mark('list-export-vcf')

    def on_select(self) -> None:
        if self.copy_button:
            self.copy_button.set_enabled(bool(self.table.selected))
            self.copy_button.text = f'Copy {len(self.table.selected)} to organization…' if self.table.selected \
                else 'Copy to organization…'

    async def copy(self) -> None:
        ids = [row['id'] for row in self.table.selected]
        await open_copy_dialog(self.ctx, contact_ids=ids if self.kind is CONTACT else [],
                               company_ids=ids if self.kind is not CONTACT else [])

    @property
    def sort(self) -> str:
        return self.chosen_sort or ('relevance' if self.query else 'name')

    async def set_query(self, text: str | None) -> None:
        self.query, self.page = (text or '').strip(), 1
        if self.chosen_sort == 'name':  # a new search shows the best hits first again
            self.chosen_sort, self.descending = None, False
        await self.load()

    async def set_filter(self, name: str, value: object) -> None:
        self.filters[name], self.page = value, 1
        await self.load()

    async def on_request(self, e) -> None:
        pagination = e.args.get('pagination', {}) if isinstance(e.args, dict) else {}
        self.page = max(1, int(pagination.get('page') or 1))
        self.per_page = min(records.MAX_PAGE_SIZE, max(1, int(pagination.get('rowsPerPage') or records.PAGE_SIZE)))
        self.chosen_sort = pagination.get('sortBy') or None
        self.descending = bool(pagination.get('descending'))
        await self.load()

    async def load(self) -> None:
        page = await attempt(records.list_records(
            self.kind, self.ctx.membership, q=self.query, sort=self.sort, descending=self.descending,
            limit=self.per_page, offset=(self.page - 1) * self.per_page, **self.filters))
        if page is FAILED:
            return
        companies = await records.visible_companies_by_id(
            self.ctx.membership, [getattr(r, 'company_id', None) for r in page.items]) if self.kind is CONTACT else {}
        region = self.ctx.org.country
        self.table.rows = [{
            'id': r.id, 'href': record_path(self.kind, r.id), 'name': r.display_name, 'private': r.is_private,
            'company': companies[r.company_id].name if getattr(r, 'company_id', None) in companies else '',
            'type': r.type, 'role': getattr(r, 'role', ''), 'sector': getattr(r, 'sector', ''),
            'email': r.emails[0] if r.emails else '', 'phone': display_phone(r.phones[0], region) if r.phones else '',
            'updated': f'{r.updated_at:%Y-%m-%d %H:%M}',
        } for r in page.items]
        self.table.pagination = {'rowsPerPage': self.per_page, 'page': self.page,
                                 'sortBy': None if self.sort == 'relevance' else self.sort,
                                 'descending': self.descending, 'rowsNumber': page.total}
        self.total_label.text = f'{page.total:,} {PLURAL[self.kind.name] if page.total != 1 else self.kind.name}'


async def record_list_page(ctx: PageContext, kind: Kind, *, q: str = '', **filters: str) -> None:
    with frame(ctx, PLURAL[kind.name].capitalize()):
        if not records_allowed(ctx, PLURAL[kind.name]):
            return
        clean = {name: value for name, value in filters.items() if value}
        if 'company_id' in clean:
            clean['company_id'] = parse_id(clean['company_id'])
        await RecordList(ctx, kind, clean, q).build()
