"""Companies: the list and the card."""
from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from models.access import Action

from .frame import frame, no_access
from .session import page_context


@ui.page('/companies', title='Companies · Rubrica')
async def companies_page():
    ctx = await page_context()
    if ctx is None:
        return RedirectResponse('/login?next=/companies')
    with frame(ctx, 'Companies'):
        if not ctx.may(Action.SEE_RECORDS):
            no_access('Guests do not see companies.')
