"""Totals of lists and searches that do not read every visible row.

- The unfiltered total of a kind is exact and cheap: the organization's count of public records, which the database
  keeps in every write's transaction (RecordCount, migration 0026_record_counters), plus the caller's few records
  that are not public (access.visible_not_public). Both go through the gate, so they count what `visible` shows.
- A search's or a filter's total is counted exactly up to BOUND and is "BOUND or more" past it (`exact` False):
  the count stops reading after BOUND + 1 rows, so a term in every row costs the same at 100,000 as at 1,000,000.
"""
from __future__ import annotations

from dataclasses import dataclass

from tortoise.queryset import QuerySet

from .. import access, db
from ..orgs.tables import Membership
from .tables import Kind

BOUND = 10_000  # a search's total is exact up to this many matches


@dataclass(frozen=True)
class Total:
    value: int  # the exact total, or BOUND when there are more
    exact: bool = True


async def public_total(kind: Kind, actor: Membership | None) -> int:
    """How many public records of this kind the organization has outside the trash (0 for a caller who may not see
    records): one row read."""
    return sum(await access.public_count(kind, actor).values_list('public', flat=True))  # one row, or none


async def visible_total(kind: Kind, actor: Membership | None) -> int:
    """How many records of this kind the caller sees (outside the trash), exactly, without reading the public ones."""
    return await public_total(kind, actor) + sum([await part.count() for part in access.visible_not_public(kind, actor)])


async def bounded_total(queryset: QuerySet, bound: int = BOUND) -> Total:
    """The number of rows of a (gated) queryset, counted exactly up to `bound`: reads at most bound + 1 rows."""
    client, sql, values = db.parameterized(queryset.limit(bound + 1).values('id'))
    rows = await client.execute_query_dict(f'SELECT COUNT(*) AS n FROM ({sql}) AS bounded', values)
    found = rows[0]['n']
    return Total(found) if found <= bound else Total(bound, exact=False)
