"""Contacts: the list and the card."""
from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from models.access import Action

from .frame import frame, no_access
from .session import page_context


@ui.page('/contacts', title='Contacts · Rubrica')
async def contacts_page():
    ctx = await page_context()
    if ctx is None:
        return RedirectResponse('/login?next=/contacts')
    with frame(ctx, 'Contacts'):
        if not ctx.may(Action.SEE_RECORDS):
            no_access('Guests do not see contacts.')
