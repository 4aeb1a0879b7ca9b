"""Duplicates: the scan, a merge preview, merging two contacts or two companies, recent merges and undo."""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from pydantic import Field

from models.duplicates import detection, merging
from models.duplicates.tables import MergeLog
from models.records.tables import COMPANY, CONTACT, Contact, Kind

from .deps import OrgMembership
from .errors import responses
from .records import Address, one_json
from .schemas import Body, Id, JsonRoute, Offset, Version

router = APIRouter(route_class=JsonRoute)

KindName = Literal['contact', 'company']
Choice = Literal['keep', 'other', 'both']


class Versions(Body):
    keep: Version | None = Field(None, description='the version of the kept record you reviewed')
    other: Version | None = Field(None, description='the version of the other record you reviewed')


class MergeRequest(Body):
    keep_id: Id = Field(description='the record that stays')
    other_id: Id = Field(description='the record merged into it and removed')
    choices: dict[str, Choice] = Field(default_factory=dict, description=(
        'per field, whose value the merged record keeps: "keep" (the default) or "other"; for description also '
        '"both" (the kept one, then the other under a line naming where it comes from). Contacts: first_name, '
        'last_name, type, role, company_id, description, pec, vat_number, visibility; companies: name, type, '
        'sector, description, pec, vat_number, sdi_code, registration_number, visibility'))
    versions: Versions | None = Field(None, description='the versions you reviewed: a changed record gives 409')
    emails: list[str] | None = Field(None, description=(
        'the emails to keep, chosen among those of both records; needed only when together they are more than 3 '
        '(else the merge keeps all of them)'))
    phones: list[str] | None = Field(None, description='as emails, for phones (E.164 as returned)')
    addresses: list[Address] | None = Field(None, description='as emails, for addresses')


def reason_json(reason: detection.Reason) -> dict:
    return {'reason': reason.reason, 'key': reason.key, 'value': reason.value, 'label': reason.label}


def pair_json(pair: detection.Pair) -> dict:
    """A pair of likely duplicates. `reason`, `key`, `value` are its strongest reason, `label` names them all,
    `count` is 2; `reasons` lists every reason; each member names its company when you may see it."""
    return {'reason': pair.reason, 'key': pair.key, 'value': pair.value, 'label': pair.label, 'count': pair.count,
            'reasons': [reason_json(r) for r in pair.reasons],
            'members': [{'id': m.id, 'name': m.name, 'private': m.private,
                         'company': {'id': m.company_id, 'name': m.company_name} if m.company_id else None}
                        for m in pair.members]}


def merge_json(log: MergeLog) -> dict:
    return {'id': log.id, 'kind': log.kind, 'kept_id': log.kept_id, 'removed_id': log.removed_id,
            'kept_name': log.kept_name, 'removed_name': log.removed_name, 'kept_version': log.kept_version,
            'created_by': log.created_by_id, 'created_at': log.created_at,
            'moved': {key: len(ids) for key, ids in (log.moved or {}).items()},
            'dropped': {key: len(rows) for key, rows in (log.dropped or {}).items()}}


@router.get('/orgs/{org}/duplicates', tags=['duplicates'])
async def list_duplicates(actor: OrgMembership, kind: KindName = 'contact',
                          limit: int = Query(detection.PAGE_SIZE, ge=1, le=detection.MAX_PAGE_SIZE),
                          offset: Offset = 0) -> dict:
    """Pairs of likely duplicates among the records you can see, each with every reason that joins them (same
    VAT number, email, PEC, phone, name): the pairs with the most reasons first. `members` are the two records;
    `total` counts the pairs; `common_values` counts the values held by more than 20 records (a switchboard
    number, an info@ address), which make no pairs on their own."""
    page = await detection.scan(actor, kind, limit=limit, offset=offset)
    return {'items': [pair_json(p) for p in page.items], 'total': page.total, 'common_values': page.common_values}


async def _preview(kind: Kind, actor, keep_id: int, other_id: int) -> dict:
    found = await merging.preview(kind, actor, keep_id, other_id)
    return {'keep': await one_json(kind, actor, found.keep), 'other': await one_json(kind, actor, found.other),
            'fields': list(found.fields), 'unions': found.unions, 'over_limit': found.over_limit,
            'moved': found.moved}


async def _merge(kind: Kind, actor, body: MergeRequest) -> dict:
    lists = {name: [a.model_dump() if name == 'addresses' else a for a in value]
             for name in ('emails', 'phones', 'addresses') if (value := getattr(body, name)) is not None}
    result = await merging.merge(kind, actor, body.keep_id, body.other_id, choices=body.choices,
                                 versions=body.versions.model_dump() if body.versions else None, lists=lists)
    return {'merge': merge_json(result.log), 'record': await one_json(kind, actor, result.record)}


@router.get('/orgs/{org}/contacts/merge/preview', tags=['duplicates'])
async def preview_contacts(actor: OrgMembership, keep_id: Id, other_id: Id) -> dict:
    """Both contacts side by side, the union of their emails, phones and addresses, the lists over their limit,
    and how many rows of each table would move to the kept contact."""
    return await _preview(CONTACT, actor, keep_id, other_id)


@router.post('/orgs/{org}/contacts/merge', tags=['duplicates'], responses=responses(409))
async def merge_contacts(body: MergeRequest, actor: OrgMembership) -> dict:
    """Merge `other_id` into `keep_id` in one transaction: the kept contact gets the chosen values, every email,
    phone and address of both (422 naming the field when more than 3: pass the list to keep), and every
    attachment and connection of both; the other contact is removed. The answer's `merge.id` undoes it."""
    return await _merge(CONTACT, actor, body)


@router.get('/orgs/{org}/companies/merge/preview', tags=['duplicates'])
async def preview_companies(actor: OrgMembership, keep_id: Id, other_id: Id) -> dict:
    """As for contacts; `moved` also counts the contacts of the other company."""
    return await _preview(COMPANY, actor, keep_id, other_id)


@router.post('/orgs/{org}/companies/merge', tags=['duplicates'], responses=responses(409))
async def merge_companies(body: MergeRequest, actor: OrgMembership) -> dict:
    """As for contacts; the contacts of the other company move to the kept one too."""
    return await _merge(COMPANY, actor, body)


@router.get('/orgs/{org}/merges', tags=['duplicates'])
async def list_merges(actor: OrgMembership, kind: KindName | None = None) -> dict:
    """The recent merges (not undone) whose merged record you can see, newest first."""
    return {'items': [merge_json(log) for log in await merging.recent_merges(actor, kind)]}


@router.post('/orgs/{org}/merges/{merge_id}/undo', tags=['duplicates'], responses=responses(409))
async def undo_merge(merge_id: Id, actor: OrgMembership) -> dict:
    """Put both records back exactly as before the merge, with the rows that were moved (409 if the merged record
    was changed since, or the merge was already undone)."""
    result = await merging.undo_merge(actor, merge_id)
    kind = CONTACT if isinstance(result.kept, Contact) else COMPANY
    return {'kept': await one_json(kind, actor, result.kept), 'restored': await one_json(kind, actor, result.restored)}
