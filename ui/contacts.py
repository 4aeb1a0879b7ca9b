"""Contacts: the list and the card."""
from __future__ import annotations

from nicegui import ui
from starlette.requests import Request

from models.records.tables import CONTACT

from .record_card import record_card_page
from .record_list import list_address_of, record_list_page
from .session import page_context, to_login
from .page_route import page


@page('/contacts', title='Contacts · Rubrica')
async def contacts_page(request: Request):
    """The list; its query holds its state: q, type, role, company_id, sort, order, page, per_page."""
    if (ctx := await page_context()) is None:
        return to_login(list_address_of(request))
    await record_list_page(ctx, CONTACT, request)


@page('/contacts/new', title='New contact · Rubrica')
async def new_contact_page(company_id: str = ''):
    if (ctx := await page_context()) is None:
        return to_login('/contacts/new')
    await record_card_page(ctx, CONTACT, 'new', {'company_id': company_id})


@page('/contacts/{record_id}', title='Contact · Rubrica')
async def contact_page(record_id: str):
    if (ctx := await page_context()) is None:
        return to_login(f'/contacts/{record_id}')
    await record_card_page(ctx, CONTACT, record_id)
