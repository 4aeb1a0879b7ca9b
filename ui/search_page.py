"""/search?q=: every contact and company the visitor may see matching the query, best first, page by page."""
from __future__ import annotations

from nicegui import ui

from models.i18n import _, ngettext
from models.records import search, service as records
from models.records.tables import COMPANY, CONTACT, Kind

from .feedback import FAILED, attempt
from .frame import frame, records_allowed
from .global_search import result_rows, search_path
from .session import PageContext, page_context, to_login
from .page_route import page

PER_PAGE = 20


class KindResults:
    """One kind's results: a heading with the total, the rows and a pager."""

    def __init__(self, ctx: PageContext, kind: Kind) -> None:
        self.ctx, self.kind = ctx, kind
        self.query, self.page = '', 1
        with ui.card().classes('w-full gap-1'):
            self.heading = ui.label().classes('text-h6').mark(f'search-{kind.name}-total')
            self.rows = ui.column().classes('w-full gap-0')
            self.pager = ui.pagination(1, 1, direction_links=True, on_change=self.turn) \
                .props('max-pages=7 boundary-numbers').mark(f'search-{kind.name}-pager')

    def heading_text(self, total: int) -> str:
        if self.kind is COMPANY:
            return ngettext('Companies ({count})', 'Companies ({count})', total)
        return ngettext('Contacts ({count})', 'Contacts ({count})', total)

    async def show(self, query: str) -> None:
        self.query, self.page = query, 1
        await self.load()

    async def turn(self, e) -> None:
        if e.value != self.page:
            self.page = e.value or 1
            await self.load()

    async def load(self) -> None:
        page = await attempt(records.list_records(self.kind, self.ctx.membership, q=self.query, sort='relevance',
                                                  limit=PER_PAGE, offset=(self.page - 1) * PER_PAGE))
        if page is FAILED:
            return
        self.heading.text = self.heading_text(page.total)
        self.rows.clear()
        with self.rows:
            if not page.items:
                ui.label(_('No companies match.') if self.kind is COMPANY else _('No contacts match.')) \
                    .classes('text-grey-8').mark(f'search-{self.kind.name}-none')
            await result_rows(self.ctx, self.kind, page, f'search-{self.kind.name}')
        pages = max(1, -(-page.total // PER_PAGE))
        self.pager.max = pages
        self.pager.value = self.page
        self.pager.set_visibility(pages > 1)


@page('/search', title='Search · Rubrica')
async def search_page(q: str = ''):
    if (ctx := await page_context()) is None:
        from urllib.parse import urlencode
        return to_login('/search?' + urlencode({'q': q}))
    ui.page_title(_('Search') + ' · Rubrica')
    with frame(ctx, _('Search')):
        if not records_allowed(ctx):
            return
        query = q[:search.MAX_QUERY]
        box = ui.input(placeholder=_('Name, email, PEC, phone or VAT number'), value=query) \
            .props('outlined dense clearable autofocus debounce=300').classes('w-full').mark('search-page-input')
        hint = ui.label(_('Type a name, an email, a phone number or a VAT number.')).classes('text-grey-8') \
            .mark('search-hint')
        with ui.column().classes('w-full gap-2') as results:
            contacts = KindResults(ctx, CONTACT)
            companies = KindResults(ctx, COMPANY)

        async def show(text: str | None) -> None:
            text = (text or '').strip()
            searching = bool(search.terms(text))
            hint.set_visibility(not searching)
            results.set_visibility(searching)
            if searching:
                await contacts.show(text)
                await companies.show(text)
        async def search_again(text: str | None) -> None:
            # the address follows the query (percent-encoded: letters, digits and %+._-~ only), for reload and share
            ui.navigate.history.replace(search_path((text or '').strip()))
            await show(text)
        box.on_value_change(lambda e: search_again(e.value))
        await show(query)
