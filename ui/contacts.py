"""Contacts: the list and the card."""
from __future__ import annotations

from nicegui import ui

from models.records.tables import CONTACT

from .record_card import record_card_page
from .record_list import record_list_page
from .session import page_context, to_login


@ui.page('/contacts', title='Contacts · Rubrica')
async def contacts_page(q: str = '', type: str = '', role: str = '', company_id: str = ''):  # noqa: A002
    if (ctx := await page_context()) is None:
        return to_login('/contacts')
    await record_list_page(ctx, CONTACT, q=q, type=type, role=role, company_id=company_id)


@ui.page('/contacts/new', title='New contact · Rubrica')
async def new_contact_page(company_id: str = ''):
    if (ctx := await page_context()) is None:
        return to_login('/contacts/new')
    await record_card_page(ctx, CONTACT, 'new', {'company_id': company_id})


@ui.page('/contacts/{record_id}', title='Contact · Rubrica')
async def contact_page(record_id: str):
    if (ctx := await page_context()) is None:
        return to_login(f'/contacts/{record_id}')
    await record_card_page(ctx, CONTACT, record_id)
