"""Finding likely duplicate contacts or companies, as pairs.

A likely duplicate is a PAIR of records the caller may see (through `access.visible`), with every reason that
joins them: a shared email, PEC, phone or VAT number (the indexed RecordKey rows) and the same folded name
(`sort_name`; for companies that is text.company_name_key, so "Acme S.r.l." and "ACME srl" are the same name).
Two records sharing an email, a phone and a name are one pair with three reasons, never three entries; a merge
is always of two records, so the list offers exactly what can be merged.

The values held more than once in the organization, the ready groups, are kept by the database as records change
(DuplicateKey, migration 0027_duplicate_keys) with their holders' ids (0033_duplicate_holders), and read from a
partial index of them alone. Which holders the caller may see is asked of the gate (access.py) in two parts: the
open records (public, outside the trash) are seen by every member who sees records, one question; the others are
read from a partial index of them alone (the organization's private ids and its trash), and of those the caller
sees the ones `access.visible_not_public` shows them (their own, those mentioning them). The pairs are formed,
ordered and paged from those (only the rows of shared values and the ids of private records are read, never every
key or record of the organization). A value held by more than PAIRS_PER_VALUE_MAX records (a switchboard number, an
info@ address, a very common name) is a shared value rather than a sign of duplicates: it forms no pairs on its
own, and such values are counted in `ScanPage.common_values`. Only the records of one page are loaded.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tortoise import connections

from .. import access, db
from ..access import Action, require
from ..i18n import N_, _
from ..orgs.tables import Membership
from ..pages import by_id, page_bounds
from ..records.service import kind_named
from ..records.tables import COMPANY, CONTACT, Kind

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
PAIRS_PER_VALUE_MAX = 20  # records holding one value; more is a shared value (switchboard, info@), not duplicates
# what joins two records, in English here and in the reader's language where read
KEY_REASONS = {'email': N_('same email'), 'pec': N_('same PEC'), 'phone': N_('same phone'),
               'vat': N_('same VAT number')}
KEY_LABELS = {'email': N_('same email {value}'), 'pec': N_('same PEC {value}'), 'phone': N_('same phone {value}'),
              'vat': N_('same VAT number {value}')}
NAME_REASON = N_('same name')
REASON_ORDER = ('vat', 'email', 'pec', 'phone', 'name')  # the strongest first
SHOWN = {'contact': ('id', 'visibility', 'first_name', 'last_name', 'company_id'),  # a Member's columns
         'company': ('id', 'visibility', 'name')}


@dataclass
class Member:
    id: int
    name: str
    private: bool
    company_id: int | None = None  # contacts: their company, only when the caller may see it
    company_name: str = ''


@dataclass
class Reason:
    key: str  # 'email', 'pec', 'phone', 'vat' or 'name'
    value: str  # the shared value as stored (an email, a phone in E.164, a VAT number; for names the folded name)

    @property
    def reason(self) -> str:
        if self.key == 'name':
            return _(NAME_REASON)
        return _(KEY_REASONS[self.key]) if self.key in KEY_REASONS else _('same {what}', what=self.key)

    @property
    def label(self) -> str:
        if self.key == 'name':
            return self.reason
        return _(KEY_LABELS[self.key], value=self.value) if self.key in KEY_LABELS else f'{self.reason} {self.value}'


@dataclass
class Pair:
    """Two likely duplicate records (the lower id first) and every reason that joins them, the strongest first."""
    reasons: list[Reason]
    members: list[Member] = field(default_factory=list)
    ids: tuple[int, int] = (0, 0)

    # the first reason, for the callers that show one
    @property
    def reason(self) -> str:
        return self.reasons[0].reason

    @property
    def key(self) -> str:
        return self.reasons[0].key

    @property
    def value(self) -> str:
        return self.reasons[0].value

    @property
    def label(self) -> str:
        return ', '.join(r.label for r in self.reasons)

    @property
    def count(self) -> int:
        return 2


@dataclass
class ScanPage:
    items: list[Pair]
    total: int
    common_values: int = 0  # values held by more than PAIRS_PER_VALUE_MAX visible records: no pairs from them


def _crowded_holders_sql(kind: Kind, org_id: int) -> str:
    """The holders of the ready values whose ids are not kept (held by more than 0033_duplicate_holders.IDS_MAX
    records: a switchboard, a very common name), read through the keys' (org_id, kind, value) index and the
    records' (org_id, sort_name) index, as (key, value, id) rows; records in the trash left out (nobody sees them)."""
    table, column = kind.model._meta.db_table, f'{kind.name}_id'
    ready = f"d.org_id = {int(org_id)} AND d.record = '{kind.name}' AND d.holders > 1 AND d.ids IS NULL"
    keys = ', '.join(f"'{key}'" for key in KEY_REASONS)
    return (f'SELECT k.kind, k.value, r.id FROM duplicate_keys d JOIN record_keys k ON k.org_id = d.org_id '
            f'AND k.kind = d.kind AND k.value = d.value JOIN {table} r ON r.id = k.{column} '
            f'WHERE {ready} AND d.kind IN ({keys}) AND r.org_id = d.org_id AND r.deleted_at IS NULL '
            f"UNION ALL SELECT 'name', r.sort_name, r.id FROM duplicate_keys d JOIN {table} r "
            f'ON r.org_id = d.org_id AND r.sort_name = d.value '
            f"WHERE {ready} AND d.kind = 'name' AND r.deleted_at IS NULL")


async def _ids(queryset) -> set[int]:
    """The ids of a queryset's rows, read as plain rows (no ORM conversion per row)."""
    client, sql, values = db.parameterized(queryset.values_list('id', flat=True))
    _count, rows = await client.execute_query(sql, values)
    return {row[0] for row in rows}


async def _holders(kind: Kind, actor: Membership) -> dict[tuple[str, str], list[int]]:
    """(key, value) -> the ids of the visible records holding it, for every value held more than once.

    The ready groups come with their holders' ids (kept by the database, 0033_duplicate_holders), those of the few
    values held by many records through the indexes. Which of them the caller sees, by the gate (access.py): an open
    record (public, outside the trash) is seen by whoever sees the organization's open records, one question; of
    the others (their ids from a partial index of them alone), those `visible_not_public` shows the caller."""
    client = connections.get(kind.model._meta.default_connection or 'default')
    org_id = int(actor.org_id)
    _count, rows = await client.execute_query(
        f"SELECT kind, value, ids FROM duplicate_keys WHERE org_id = {org_id} AND record = '{kind.name}' "
        f'AND holders > 1')  # the partial index's own terms
    if not rows or not await access.sees_open_records(actor):
        return {}
    holders: dict[tuple[str, str], list[int]] = {}
    crowded = False
    for key, value, ids in rows:
        if ids is None:
            crowded = True
        else:
            holders[key, value] = list(map(int, ids[1:-1].split(',')))
    if crowded:
        _count, rows = await client.execute_query(_crowded_holders_sql(kind, org_id))
        for key, value, record_id in rows:
            holders.setdefault((key, value), []).append(record_id)
    _count, rows = await client.execute_query(access.not_open_sql(kind, org_id))
    hidden = {row[0] for row in rows}
    if hidden:
        for part in access.visible_not_public(kind, actor):  # the caller's own and those mentioning them
            hidden -= await _ids(part)
    if hidden:
        holders = {reason: ids if hidden.isdisjoint(ids) else [i for i in ids if i not in hidden]
                   for reason, ids in holders.items()}
    return holders


def _strength(key: str) -> int:
    return REASON_ORDER.index(key) if key in REASON_ORDER else len(REASON_ORDER)


async def scan(actor: Membership, kind_name: object, *, limit: object = PAGE_SIZE, offset: object = 0) -> ScanPage:
    """One page of the pairs of likely duplicates among the records the caller may see: the pairs with the most
    reasons first, then by their strongest reason (VAT number, email, PEC, phone, name)."""
    require(actor.role, Action.SEE_RECORDS)
    kind = kind_named(kind_name)
    limit, offset = page_bounds(limit, offset, max_limit=MAX_PAGE_SIZE)
    # (id, id) -> its reasons as (strength, key, value): plain tuples while every pair is ranked, objects for a page
    found: dict[tuple[int, int], list[tuple[int, str, str]]] = {}
    common = 0
    strengths = {key: _strength(key) for key in REASON_ORDER}
    for (key, value), held in (await _holders(kind, actor)).items():
        if len(held) == 2:  # most values: one pair, or none (a record holding a value twice is one holder)
            first, second = held
            if first != second:
                reason = (strengths.get(key, len(REASON_ORDER)), key, value)
                found.setdefault((first, second) if first < second else (second, first), []).append(reason)
            continue
        ids = sorted(set(held))
        if len(ids) < 2:
            continue
        if len(ids) > PAIRS_PER_VALUE_MAX:
            common += 1
            continue
        reason = (strengths.get(key, len(REASON_ORDER)), key, value)
        for i, first in enumerate(ids):
            for second in ids[i + 1:]:
                found.setdefault((first, second), []).append(reason)
    for reasons in found.values():
        if len(reasons) > 1:
            reasons.sort()
    # most reasons first, then the strongest reason, then the ids: plain tuples, compared without a key function
    ordered = sorted([(-len(reasons), reasons[0][0], ids) for ids, reasons in found.items()])
    page = [Pair([Reason(key, value) for _strength, key, value in found[ids]], ids=ids)
            for _count, _first, ids in ordered[offset:offset + limit]]

    # only what a Member shows (no dates to parse, no search text read)
    records = await by_id(access.visible(kind, actor).only(*SHOWN[kind.name]), {i for pair in page for i in pair.ids})
    companies = await by_id(access.visible(COMPANY, actor).only(*SHOWN['company']),
                            {r.company_id for r in records.values()}) if kind is CONTACT else {}
    shown = []
    for pair in page:
        if not all(i in records for i in pair.ids):
            continue  # changed between the two queries: it is gone or hidden now
        for i in pair.ids:
            record = records[i]
            company = companies.get(getattr(record, 'company_id', None))
            pair.members.append(Member(record.id, record.display_name, record.is_private,
                                       company.id if company else None, company.name if company else ''))
        shown.append(pair)
    return ScanPage(shown, len(found), common)
