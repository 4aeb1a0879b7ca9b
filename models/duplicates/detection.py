"""Finding likely duplicate contacts or companies, as pairs.

A likely duplicate is a PAIR of records the caller may see (through `access.visible`), with every reason that
joins them: a shared email, PEC, phone or VAT number (the indexed RecordKey rows) and the same folded name
(`sort_name`; for companies that is text.company_name_key, so "Acme S.r.l." and "ACME srl" are the same name).
Two records sharing an email, a phone and a name are one pair with three reasons, never three entries; a merge
is always of two records, so the list offers exactly what can be merged.

The values held more than once in the organization, the ready groups, are kept by the database as records change
(DuplicateKey, migration 0027_duplicate_keys) and read through its (org_id, record, holders) index; then, among
the records the caller may see (each holder's record checked through the gate, access.visible_through), the rows
holding them; the pairs are formed, ordered and paged from those rows (a self-join the ORM cannot express; the
rows are only those of shared values, not the organization's records). A value held by more than PAIRS_PER_VALUE_MAX records (a
switchboard number, an info@ address, a very common name) is a shared value rather than a sign of duplicates: it
forms no pairs on its own, and such values are counted in `ScanPage.common_values`. Only the records of one page
are loaded.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.expressions import Subquery

from .. import access
from ..access import Action, require
from ..i18n import N_, _
from ..orgs.tables import Membership
from ..pages import by_id, page_bounds
from ..records.service import kind_named
from ..records.tables import COMPANY, CONTACT, Kind, RecordKey
from .tables import DuplicateKey

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


async def _holders(kind: Kind, actor: Membership) -> dict[tuple[str, str], list[int]]:
    """(key, value) -> the ids of the visible records holding it, for every value held more than once."""
    column = f'{kind.name}_id'
    ready = DuplicateKey.filter(org_id=actor.org_id, record=kind.name, holders__gt=1)
    holders: dict[tuple[str, str], list[int]] = {}
    # a value ready under one kind of key matches only as that kind in practice (an email is no phone); a row of
    # another kind that does match is grouped under its own kind, and forms pairs only if it is shared too
    rows = await RecordKey.filter(org_id=actor.org_id, kind__in=tuple(KEY_REASONS),
                                  value__in=Subquery(ready.filter(kind__in=tuple(KEY_REASONS)).values('value'))) \
        .filter(access.visible_through(kind, actor, f'{kind.name}__')).order_by(column).values('kind', 'value', column)
    for row in rows:
        ids = holders.setdefault((row['kind'], row['value']), [])
        if row[column] not in ids:
            ids.append(row[column])
    names = Subquery(ready.filter(kind='name').values('value'))
    for row in await access.visible(kind, actor).filter(sort_name__in=names).order_by('id').values('id', 'sort_name'):
        holders.setdefault(('name', row['sort_name']), []).append(row['id'])
    return holders


def _rank(pair: Pair) -> tuple:
    return (-len(pair.reasons), REASON_ORDER.index(pair.key) if pair.key in REASON_ORDER else len(REASON_ORDER),
            pair.ids)


async def scan(actor: Membership, kind_name: object, *, limit: object = PAGE_SIZE, offset: object = 0) -> ScanPage:
    """One page of the pairs of likely duplicates among the records the caller may see: the pairs with the most
    reasons first, then by their strongest reason (VAT number, email, PEC, phone, name)."""
    require(actor.role, Action.SEE_RECORDS)
    kind = kind_named(kind_name)
    limit, offset = page_bounds(limit, offset, max_limit=MAX_PAGE_SIZE)
    pairs: dict[tuple[int, int], Pair] = {}
    common = 0
    for (key, value), ids in (await _holders(kind, actor)).items():
        if len(ids) < 2:
            continue
        if len(ids) > PAIRS_PER_VALUE_MAX:
            common += 1
            continue
        ids = sorted(ids)
        for i, first in enumerate(ids):
            for second in ids[i + 1:]:
                pair = pairs.setdefault((first, second), Pair([], ids=(first, second)))
                pair.reasons.append(Reason(key, value))
    for pair in pairs.values():
        pair.reasons.sort(key=lambda r: (REASON_ORDER.index(r.key) if r.key in REASON_ORDER else 99, r.value))
    ordered = sorted(pairs.values(), key=_rank)
    page = ordered[offset:offset + limit]

    records = await by_id(access.visible(kind, actor), {i for pair in page for i in pair.ids})
    companies = await by_id(access.visible(COMPANY, actor), {r.company_id for r in records.values()}) \
        if kind is CONTACT else {}
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
    return ScanPage(shown, len(ordered), common)
