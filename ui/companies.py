"""Companies: the list and the card (with its contacts)."""
from __future__ import annotations

from nicegui import ui
from starlette.requests import Request

from models.records.tables import COMPANY

from .record_card import record_card_page
from .record_list import list_address_of, record_list_page
from .session import page_context, to_login
from .page_route import page


@page('/companies', title='Companies · Rubrica')
async def companies_page(request: Request):
    """The list; its query holds its state: q, type, sector, sort, order, page, per_page."""
    if (ctx := await page_context()) is None:
        return to_login(list_address_of(request))
    await record_list_page(ctx, COMPANY, request)


@page('/companies/new', title='New company · Rubrica')
async def new_company_page():
    if (ctx := await page_context()) is None:
        return to_login('/companies/new')
    await record_card_page(ctx, COMPANY, 'new')


@page('/companies/{record_id}', title='Company · Rubrica')
async def company_page(record_id: str):
    if (ctx := await page_context()) is None:
        return to_login(f'/companies/{record_id}')
    await record_card_page(ctx, COMPANY, record_id)
