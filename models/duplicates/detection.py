"""Finding likely duplicate contacts or companies.

The scan groups the records the caller may see (through `access.visible`) that share an email, a PEC, a phone
or a VAT number (the indexed RecordKey rows, grouped in the database) or the same folded name (`sort_name`; for
companies that is text.company_name_key, so "Acme S.r.l." and "ACME srl" are the same name).
It is paginated and counted in the database; only the groups of one page are loaded.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.expressions import Subquery
from tortoise.functions import Count, Min

from .. import access
from ..access import Action, require
from ..orgs.tables import Membership
from ..pages import page_bounds
from ..records.service import kind_named
from ..records.tables import Kind, Record, RecordKey

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MEMBERS_SHOWN = 10  # per group; a group's `count` tells how many there are
KEY_REASONS = {'email': 'same email', 'pec': 'same PEC', 'phone': 'same phone', 'vat': 'same VAT number'}
NAME_REASON = 'same name'


@dataclass
class Member:
    id: int
    name: str
    private: bool


@dataclass
class Group:
    reason: str  # 'same email', 'same phone', ..., 'same name'
    key: str  # 'email', 'pec', 'phone', 'vat' or 'name'
    value: str  # the shared value (for names: the folded name)
    count: int
    members: list[Member] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f'{self.reason} {self.value}'


@dataclass
class ScanPage:
    items: list[Group]
    total: int


def _key_groups(kind: Kind, actor: Membership):
    """Shared keys among visible records. The values held more than once in the organization (whoever sees
    them) are found first from the (org_id, kind, value) index alone, so the visibility rule is only evaluated
    for the few rows that share a value."""
    column = f'{kind.name}_id'
    visible = Subquery(access.visible(kind, actor).values('id'))
    shared = Subquery(RecordKey.filter(org_id=actor.org_id).annotate(c=Count('id')).group_by('kind', 'value')
                      .filter(c__gt=1).values('value'))
    return (RecordKey.filter(org_id=actor.org_id, value__in=shared, **{f'{column}__in': visible})
            .annotate(n=Count(column, distinct=True), first=Min('id')).group_by('kind', 'value').filter(n__gt=1))


def _name_groups(kind: Kind, actor: Membership):
    """Same folded names among visible records; as for keys, the names held more than once come first from the
    (org_id, sort_name) index."""
    shared = Subquery(kind.model.filter(org_id=actor.org_id, sort_name__gt='').annotate(c=Count('id'))
                      .group_by('sort_name').filter(c__gt=1).values('sort_name'))
    return (access.visible(kind, actor).filter(sort_name__in=shared)
            .annotate(n=Count('id'), first=Min('id')).group_by('sort_name').filter(n__gt=1))


async def scan(actor: Membership, kind_name: object, *, limit: object = PAGE_SIZE, offset: object = 0) -> ScanPage:
    """One page of the groups of likely duplicates among the records the caller may see: first those sharing an
    email, PEC, phone or VAT number (most shared first), then those with the same name. Counted in the database."""
    require(actor.role, Action.SEE_RECORDS)
    kind = kind_named(kind_name)
    limit, offset = page_bounds(limit, offset, max_limit=MAX_PAGE_SIZE)
    column = f'{kind.name}_id'
    keys = _key_groups(kind, actor)
    names = _name_groups(kind, actor)
    key_total = await RecordKey.filter(id__in=Subquery(keys.values('first'))).count()
    name_total = await kind.model.filter(id__in=Subquery(names.values('first'))).count()
    groups: list[Group] = []
    if offset < key_total:
        rows = await keys.order_by('-n', 'kind', 'value').offset(offset).limit(limit).values('kind', 'value', 'n')
        groups += [Group(KEY_REASONS.get(r['kind'], f'same {r["kind"]}'), r['kind'], r['value'], r['n'])
                   for r in rows]
    if len(groups) < limit:
        name_offset = max(0, offset - key_total)
        rows = await names.order_by('-n', 'sort_name').offset(name_offset).limit(limit - len(groups)) \
            .values('sort_name', 'n')
        groups += [Group(NAME_REASON, 'name', r['sort_name'], r['n']) for r in rows]

    # the members of this page's groups: two queries whatever the page size
    members: dict[tuple[str, str], list[int]] = {}
    wanted_keys = [g for g in groups if g.key != 'name']
    if wanted_keys:
        visible = Subquery(access.visible(kind, actor).values('id'))
        rows = await RecordKey.filter(org_id=actor.org_id, value__in={g.value for g in wanted_keys},
                                      kind__in={g.key for g in wanted_keys}, **{f'{column}__in': visible}) \
            .order_by(column).values('kind', 'value', column)
        for r in rows:
            ids = members.setdefault((r['kind'], r['value']), [])
            if r[column] not in ids:
                ids.append(r[column])
    wanted_names = [g.value for g in groups if g.key == 'name']
    by_name: dict[str, list[Record]] = {}
    found: dict[int, Record] = {}
    if wanted_names:
        for record in await access.visible(kind, actor).filter(sort_name__in=wanted_names).order_by('id'):
            by_name.setdefault(record.sort_name, []).append(record)
            found[record.id] = record
    ids = {i for g in wanted_keys for i in members.get((g.key, g.value), [])[:MEMBERS_SHOWN]} - set(found)
    if ids:
        found |= {r.id: r for r in await access.visible(kind, actor).filter(id__in=ids)}
    for group in groups:
        if group.key == 'name':
            chosen = by_name.get(group.value, [])[:MEMBERS_SHOWN]
        else:
            chosen = [found[i] for i in members.get((group.key, group.value), [])[:MEMBERS_SHOWN] if i in found]
        group.members = [Member(r.id, r.display_name, r.is_private) for r in chosen]
    return ScanPage(groups, key_total + name_total)
