"""A search picker for a contact's company: find a visible company, or create a new one on the spot."""
from __future__ import annotations

import inspect

from nicegui import ui

from models.i18n import _
from models.records import service as records

RESULTS = 8


class CompanyPicker:
    """Holds either an existing company (id, name), a new company name to create on save, or nothing.

    `on_change` is called after each choice; when it is a coroutine function (a list reloading itself), the choice
    waits for it."""

    def __init__(self, ctx, *, company_id: int | None = None, company_name: str = '', allow_create: bool = True,
                 label: str = '', on_change=None, mark: str = 'company-picker') -> None:
        self.ctx = ctx
        self.company_id = company_id
        self.company_name = company_name
        self.new_name = ''
        self.allow_create = allow_create
        self.on_change = on_change
        self.label = label or _('Company')
        self.mark = mark
        self.searches = 0  # searches started: only the latest one shows its answer
        self.container = ui.column().classes('w-full gap-1').mark(mark)
        self._render()

    @property
    def data(self) -> dict:
        """What to send with the contact: the company to link, the one to create, or none."""
        if self.new_name:
            return {'company_name': self.new_name}
        return {'company_id': self.company_id}

    def _render(self) -> None:
        self.container.clear()
        with self.container:
            if self.company_id or self.new_name:
                shown = self.company_name if self.company_id else _('{name} (new)', name=self.new_name)
                with ui.row().classes('items-center gap-2 no-wrap'):
                    ui.icon('business').classes('text-grey-7')
                    ui.label(shown).classes('font-medium').mark(f'{self.mark}-chosen')
                    ui.button(icon='close', on_click=lambda: self.choose(None, '')) \
                        .props('flat round dense size=sm').tooltip(_('No company')).mark(f'{self.mark}-clear')
                return
            self.query = ui.input(self.label, placeholder=_('Search companies…')) \
                .props('clearable dense outlined debounce=250') \
                .classes('w-full').mark(f'{self.mark}-search')
            self.query.on_value_change(self._search)
            self.results = ui.column().classes('w-full gap-0').mark(f'{self.mark}-results')

    async def _search(self) -> None:
        """Show the companies matching what is typed now. A search that answers after a later one started (fast
        typing) shows nothing, so the options are always those of the last text, once."""
        self.searches += 1
        search = self.searches
        text = (self.query.value or '').strip()
        found = await records.company_choices(self.ctx.membership, text, limit=RESULTS) if text else []
        if search != self.searches:
            return
        self.results.clear()
        if not text:
            return
        with self.results:
            for company_id, name in found:
                ui.item(name, on_click=lambda c=company_id, n=name: self.choose(c, n)) \
                    .props('dense clickable').mark(f'{self.mark}-option')
            if self.allow_create and not any(name.casefold() == text.casefold() for _id, name in found):
                ui.item(_('Create company “{name}”', name=text), on_click=lambda: self.create(text)) \
                    .props('dense clickable').classes('text-primary').mark(f'{self.mark}-create')

    async def choose(self, company_id: int | None, name: str) -> None:
        self.company_id, self.company_name, self.new_name = company_id, name, ''
        await self._changed()

    async def create(self, name: str) -> None:
        self.company_id, self.company_name, self.new_name = None, '', name
        await self._changed()

    async def _changed(self) -> None:
        self.searches += 1  # a search still under way must not show its options over the choice
        self._render()
        if self.on_change:
            result = self.on_change()
            if inspect.isawaitable(result):
                await result
