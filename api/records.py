"""Contacts and companies: the same five endpoints for each kind, over models/records/service.py, and a bulk
action on a selection (models/records/bulk.py)."""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field

from models.mentions import mentioned_user_ids
from models.records import bulk, keyset, service as records
from models.records.tables import COMPANY, CONTACT, Company, Kind, Record
from models.validation import DESCRIPTION_MAX, NAME_MAX

from .deps import AppIntegrations, OrgMembership
from .errors import responses
from .schemas import Body, Id, JsonRoute, Offset, Version

router = APIRouter(route_class=JsonRoute)

Text = str | None


class Address(Body):
    street: Text = None
    city: Text = None
    postal_code: Text = None
    province: Text = None
    country: Text = None


class RecordFields(Body):
    type: Text = None
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)
    emails: list[str] | None = None
    pec: Text = None
    phones: list[str] | None = None
    addresses: list[Address] | None = None
    vat_number: Text = None
    visibility: Literal['public', 'private'] | None = None


class ContactFields(RecordFields):
    first_name: str | None = Field(None, max_length=NAME_MAX)
    last_name: str | None = Field(None, max_length=NAME_MAX)
    role: Text = None
    company_id: Id | None = None
    company_name: str | None = Field(None, max_length=NAME_MAX)


class ContactChange(ContactFields):
    version: Version


class CompanyFields(RecordFields):
    name: str | None = Field(None, max_length=NAME_MAX)
    sector: Text = None
    sdi_code: Text = Field(None, description='Italy: the codice destinatario SDI, 7 letters or digits')
    registration_number: Text = Field(None, description="the company register number; for a company in France (its "
                                      "first address's country, else the organization's) a SIREN or a SIRET")


class CompanyChange(CompanyFields):
    version: Version


def _data(body: Body) -> dict:
    """The fields the client sent (a null clears a field), without the version."""
    data = body.model_dump(exclude_unset=True, exclude={'version'})
    for name in ('type', 'pec', 'vat_number', 'role', 'sector', 'description', 'first_name', 'last_name', 'sdi_code',
                 'registration_number'):
        if name in data and data[name] is None:
            data[name] = ''
    for name in ('emails', 'phones', 'addresses'):
        if name in data and data[name] is None:
            data[name] = []
    return data


def record_json(kind: Kind, record: Record, companies: dict[int, Company] | None = None) -> dict:
    data = {name: getattr(record, name) for name in ('id', 'type', 'description', 'emails', 'pec', 'phones',
                                                     'addresses', 'vat_number', 'visibility', 'version')}
    data |= {'mentions': mentioned_user_ids(record.description), 'created_by': record.created_by_id,
             'updated_by': record.updated_by_id, 'created_at': record.created_at, 'updated_at': record.updated_at}
    if kind is CONTACT:
        company = (companies or {}).get(record.company_id)
        data |= {'first_name': record.first_name, 'last_name': record.last_name, 'role': record.role,
                 'company': {'id': company.id, 'name': company.name} if company else None,
                 'company_id': company.id if company else None}
    else:
        data |= {'name': record.name, 'sector': record.sector, 'sdi_code': record.sdi_code,
                 'registration_number': record.registration_number}
    return data


async def page_json(kind: Kind, actor, page: records.Page, *, cursors: bool = False) -> dict:
    """A page of records and its total; `cursors`: with the cursors of the pages before and after (the lists)."""
    companies = await records.visible_companies_by_id(actor, [getattr(r, 'company_id', None) for r in page.items]) \
        if kind is CONTACT else {}
    return {'items': [record_json(kind, r, companies) for r in page.items], 'total': page.total,
            'total_exact': page.total_exact,
            **({'next_cursor': page.next_cursor, 'previous_cursor': page.previous_cursor} if cursors else {})}


async def one_json(kind: Kind, actor, record: Record) -> dict:
    companies = await records.visible_companies_by_id(actor, [record.company_id]) if kind is CONTACT else {}
    return record_json(kind, record, companies)


class ContactBulkValues(Body):
    type: Text = None
    role: Text = None
    visibility: Literal['public', 'private'] | None = None


class CompanyBulkValues(Body):
    type: Text = None
    sector: Text = None
    visibility: Literal['public', 'private'] | None = None


BulkAction = Literal['delete', 'change', 'visibility']
BulkIds = Field(min_length=1, max_length=bulk.MAX_IDS, description='the ids of the selected records')


class ContactBulk(Body):
    action: BulkAction
    ids: list[Id] = BulkIds
    values: ContactBulkValues | None = None


class CompanyBulk(Body):
    action: BulkAction
    ids: list[Id] = BulkIds
    values: CompanyBulkValues | None = None


BULK_DESCRIPTION = """One action on the selected records, in one transaction (every record it may change is
changed, or none is):

- `delete`: deletes them (no `values`);
- `change`: `values` sets `type` and `role` (contacts) or `type` and `sector` (companies), each a value of the
  organization's lists (`null` or `""` clears it);
- `visibility`: `values` is `{"visibility": "public"}` or `{"visibility": "private"}`; only the records the caller
  created change, the others are skipped.

Answers `{"action", "done": [ids], "skipped": [{"id", "reason"}]}`: an id the caller may not see (or that does not
exist) is skipped as "not found". At most 1,000 ids."""


def _bulk_values(values: Body | None) -> dict | None:
    return None if values is None else _data(values)


def bulk_json(result: bulk.BulkResult) -> dict:
    return {'action': result.action, 'done': result.done, 'skipped': result.skipped}


Limit = Query(records.PAGE_SIZE, ge=1, le=records.MAX_PAGE_SIZE)
Cursor = Query(None, max_length=keyset.MAX_CURSOR,
               description="a page's `next_cursor` or `previous_cursor`: the page after (before) it, in the same sort "
                           'and order, instead of an offset')
Order = Query('asc', pattern='^(asc|desc)$')


@router.get('/orgs/{org}/contacts', tags=['contacts'])
async def list_contacts(actor: OrgMembership, q: str = '', type: str = '', role: str = '',  # noqa: A002
                        company_id: Id | None = None, sort: str = 'name', order: str = Order,
                        limit: int = Limit, offset: Offset = 0, cursor: str | None = Cursor) -> dict:
    page = await records.list_records(CONTACT, actor, q=q, type=type, role=role, company_id=company_id, sort=sort,
                                      descending=order == 'desc', limit=limit, offset=offset, cursor=cursor)
    return await page_json(CONTACT, actor, page, cursors=True)


@router.post('/orgs/{org}/contacts', status_code=201, tags=['contacts'])
async def create_contact(body: ContactFields, actor: OrgMembership) -> dict:
    return await one_json(CONTACT, actor, await records.create_record(CONTACT, actor, _data(body)))


@router.post('/orgs/{org}/contacts/bulk', tags=['contacts'], summary='A bulk action on selected contacts',
             description=BULK_DESCRIPTION)
async def bulk_contacts(body: ContactBulk, actor: OrgMembership, integrations: AppIntegrations) -> dict:
    return bulk_json(await bulk.bulk_action(CONTACT, actor, body.action, body.ids, _bulk_values(body.values),
                                            integrations=integrations))


@router.get('/orgs/{org}/contacts/{record_id}', tags=['contacts'])
async def get_contact(record_id: Id, actor: OrgMembership) -> dict:
    return await one_json(CONTACT, actor, await records.get_record(CONTACT, actor, record_id))


@router.patch('/orgs/{org}/contacts/{record_id}', tags=['contacts'], responses=responses(409))
async def update_contact(record_id: Id, body: ContactChange, actor: OrgMembership) -> dict:
    record = await records.update_record(CONTACT, actor, record_id, _data(body), body.version)
    return await one_json(CONTACT, actor, record)


@router.delete('/orgs/{org}/contacts/{record_id}', status_code=204, tags=['contacts'])
async def delete_contact(record_id: Id, actor: OrgMembership, integrations: AppIntegrations) -> Response:
    await records.delete_record(CONTACT, actor, record_id, integrations=integrations)
    return Response(status_code=204)


@router.get('/orgs/{org}/companies', tags=['companies'])
async def list_companies(actor: OrgMembership, q: str = '', type: str = '', sector: str = '',  # noqa: A002
                         sort: str = 'name', order: str = Order, limit: int = Limit, offset: Offset = 0,
                         cursor: str | None = Cursor) -> dict:
    page = await records.list_records(COMPANY, actor, q=q, type=type, sector=sector, sort=sort,
                                      descending=order == 'desc', limit=limit, offset=offset, cursor=cursor)
    return await page_json(COMPANY, actor, page, cursors=True)


@router.post('/orgs/{org}/companies', status_code=201, tags=['companies'])
async def create_company(body: CompanyFields, actor: OrgMembership) -> dict:
    return record_json(COMPANY, await records.create_record(COMPANY, actor, _data(body)))


@router.post('/orgs/{org}/companies/bulk', tags=['companies'], summary='A bulk action on selected companies',
             description=BULK_DESCRIPTION)
async def bulk_companies(body: CompanyBulk, actor: OrgMembership, integrations: AppIntegrations) -> dict:
    return bulk_json(await bulk.bulk_action(COMPANY, actor, body.action, body.ids, _bulk_values(body.values),
                                            integrations=integrations))


@router.get('/orgs/{org}/companies/{record_id}', tags=['companies'])
async def get_company(record_id: Id, actor: OrgMembership) -> dict:
    return record_json(COMPANY, await records.get_record(COMPANY, actor, record_id))


@router.patch('/orgs/{org}/companies/{record_id}', tags=['companies'], responses=responses(409))
async def update_company(record_id: Id, body: CompanyChange, actor: OrgMembership) -> dict:
    return record_json(COMPANY, await records.update_record(COMPANY, actor, record_id, _data(body), body.version))


@router.delete('/orgs/{org}/companies/{record_id}', status_code=204, tags=['companies'])
async def delete_company(record_id: Id, actor: OrgMembership, integrations: AppIntegrations) -> Response:
    await records.delete_record(COMPANY, actor, record_id, integrations=integrations)
    return Response(status_code=204)


@router.get('/orgs/{org}/companies/{record_id}/contacts', tags=['companies'])
async def company_contacts(record_id: Id, actor: OrgMembership, limit: int = Limit, offset: Offset = 0) -> dict:
    return await page_json(CONTACT, actor, await records.company_contacts(actor, record_id, limit=limit,
                                                                          offset=offset))
