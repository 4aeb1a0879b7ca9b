"""The search box in the header: contacts and companies as you type, `/` to focus it, the arrow keys and Enter to
open one, Enter alone for every result.

The results come from models/records/service.find, so they pass the same gate as every list. Names are shown with
ui.label / ui.link, never as HTML.
"""
from __future__ import annotations

from urllib.parse import urlencode

from nicegui import ui

from models.access import Action
from models.i18n import _, ngettext
from models.records import search, service as records
from models.records.tables import COMPANY, CONTACT, Kind, Record
from models.validation import display_phone

from .feedback import FAILED, attempt
from .session import PageContext

TOP = 5  # results of each kind in the drop-down
HIGHLIGHT = 'bg-blue-1'  # the result the arrow keys are on
BOX_CLASS = 'rubrica-global-search'
# `/` anywhere but in a field focuses the box (static code, no user text)
SHORTCUT = '''<script>
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  const target = event.target;
  if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
  const box = document.querySelector('.%s input');
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});
</script>''' % BOX_CLASS


def card_path(kind: Kind, record_id: int) -> str:
    return f'/{"contacts" if kind is CONTACT else "companies"}/{record_id}'


def search_path(query: str) -> str:
    return '/search?' + urlencode({'q': query})


def detail(kind: Kind, record: Record, companies: dict, region: str) -> str:
    """A second line that tells two namesakes apart: company, email, phone or VAT number."""
    parts = []
    if kind is CONTACT and getattr(record, 'company_id', None) in companies:
        parts.append(companies[record.company_id].name)
    if record.emails:
        parts.append(record.emails[0])
    elif record.phones:
        parts.append(display_phone(record.phones[0], region))
    elif record.vat_number:
        parts.append(record.vat_number)
    return ' · '.join(parts)


async def result_rows(ctx: PageContext, kind: Kind, page: records.Page, mark: str) -> list[tuple[ui.column, str]]:
    """One line per record: its name as a link to its card, and a detail line; each line with its card's path."""
    companies = await records.visible_companies_by_id(
        ctx.membership, [getattr(r, 'company_id', None) for r in page.items]) if kind is CONTACT else {}
    rows = []
    for record in page.items:
        path = card_path(kind, record.id)
        with ui.column().classes('w-full gap-0 px-3 py-1').mark(mark) as row:
            ui.link(record.display_name or _('(no name)'), path) \
                .classes('text-primary no-underline font-medium').mark(f'{mark}-link')
            if text := detail(kind, record, companies, ctx.org.country):
                ui.label(text).classes('text-caption text-grey-8')
        rows.append((row, path))
    return rows


# On a phone (below Quasar's `sm`, 600 px) the header has no room for the box: a search button opens it over the
# whole header, with a button to close it again.
FOLDED = 'max-sm:hidden'
OVER_THE_HEADER = 'max-sm:absolute max-sm:inset-0 max-sm:z-10 max-sm:px-2 max-sm:bg-[var(--q-primary)]'


class GlobalSearch:
    """The box and its drop-down; one per page and per user."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.query = ''
        self.opener = ui.button(icon='search', on_click=self.unfold) \
            .props('flat round color=white').classes('sm:hidden').mark('global-search-open')
        self.opener.props['aria-label'] = _('Search')  # set, not parsed: a translation may hold quotes
        with ui.row().classes(f'items-center no-wrap gap-1 {FOLDED}').mark('global-search-holder') as self.holder:
            self.box = ui.input(placeholder=_('Search  ( / )')) \
                .props('dense outlined dark standout clearable debounce=250 input-class="text-white"') \
                .classes(f'{BOX_CLASS} max-sm:grow sm:w-72').mark('global-search')
            fold = ui.button(icon='close', on_click=self.fold).props('flat round color=white') \
                .classes('sm:hidden').mark('global-search-fold')
            fold.props['aria-label'] = _('Close the search')
        self.box.on_value_change(lambda e: self.update(e.value))
        self.rows: list[tuple[ui.column, str]] = []  # the results shown, in order, with their cards' paths
        self.highlighted = -1  # the row the arrow keys chose; -1: none, Enter opens every result
        self.box.on('keydown.enter', self.enter)
        self.box.on('keydown.down', lambda: self.move(1))
        self.box.on('keydown.up', lambda: self.move(-1))
        self.box.on('keydown.esc', self.close)
        with self.box:  # a menu is drawn above the page, not clipped by the header; typing stays in the box
            self.menu = ui.menu().props('no-parent-event no-focus no-refocus anchor="bottom left" self="top left"')
            with self.menu:
                self.panel = ui.column().classes('w-96 max-w-[90vw] gap-0 py-1').mark('global-search-results')
        ui.add_head_html(SHORTCUT)

    def close(self) -> None:
        self.menu.close()

    def unfold(self) -> None:
        """On a phone: the box over the header, ready to type in."""
        self.holder.classes(add=OVER_THE_HEADER, remove=FOLDED)
        self.box.run_method('focus')

    def fold(self) -> None:
        self.close()
        self.holder.classes(add=FOLDED, remove=OVER_THE_HEADER)

    def move(self, step: int) -> None:
        """Arrow down and up walk the results (from the box to the first, past the last back to the box)."""
        if not self.rows:
            return
        if 0 <= self.highlighted < len(self.rows):
            self.rows[self.highlighted][0].classes(remove=HIGHLIGHT).props(remove='aria-selected')
        self.highlighted = (self.highlighted + 1 + step) % (len(self.rows) + 1) - 1
        if self.highlighted >= 0:
            self.rows[self.highlighted][0].classes(add=HIGHLIGHT).props('aria-selected=true')
            self.menu.open()

    def enter(self) -> None:
        """Enter opens the highlighted result's card, or every result when none is highlighted."""
        if 0 <= self.highlighted < len(self.rows):
            path = self.rows[self.highlighted][1]
            self.close()
            ui.navigate.to(path)
        else:
            self.open_all()

    def open_all(self) -> None:
        query = (self.box.value or '').strip()
        if query:
            self.close()
            ui.navigate.to(search_path(query))

    async def update(self, text: str | None) -> None:
        self.query = query = (text or '').strip()
        if not search.terms(query):
            self.panel.clear()
            self.rows, self.highlighted = [], -1
            self.close()
            return
        results = await attempt(records.find(self.ctx.membership, query, limit=TOP))
        if results is FAILED or query != self.query:  # a newer keystroke already asked again
            return
        self.panel.clear()
        self.rows, self.highlighted = [], -1
        with self.panel:
            if not results.contacts.total and not results.companies.total:
                ui.label(_('Nothing found')).classes('px-3 py-2 text-grey-8').mark('global-search-nothing')
            for kind, page in ((CONTACT, results.contacts), (COMPANY, results.companies)):
                if not page.total:
                    continue
                heading = heading_of(kind, page)
                ui.label(heading).classes('px-3 pt-2 text-overline text-grey-7')
                self.rows += await result_rows(self.ctx, kind, page, f'global-search-{kind.name}')
            ui.separator()
            ui.link(_('All results (Enter)'), search_path(query)).classes('px-3 py-2 text-primary') \
                .mark('global-search-all')
        self.menu.open()


def heading_of(kind, page: records.Page) -> str:
    """'Contacts (12)', or 'Contacts (10,000+)' past a search's bounded total."""
    if not page.total_exact:
        return ngettext('Contacts ({count}+)', 'Contacts ({count}+)', page.total) if kind is CONTACT \
            else ngettext('Companies ({count}+)', 'Companies ({count}+)', page.total)
    return ngettext('Contacts ({count})', 'Contacts ({count})', page.total) if kind is CONTACT \
        else ngettext('Companies ({count})', 'Companies ({count})', page.total)


def global_search_box(ctx: PageContext) -> GlobalSearch | None:
    """The header's search box, for those who may see contacts and companies."""
    if ctx.membership is None or not ctx.may(Action.SEE_RECORDS):
        return None
    return GlobalSearch(ctx)
