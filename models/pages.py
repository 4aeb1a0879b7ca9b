"""Paging: the bounds every list checks its `limit` and `offset` against, the same way everywhere; and the rows a
page shows beside its own (a contact's company, a task's project), fetched for the whole page at once."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from .access import MAX_ID
from .i18n import _
from .validation import FieldErrors

M = TypeVar('M', bound=Model)


def is_whole_number(value: object) -> bool:
    """An int, not a bool (which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def page_bounds(limit: object, offset: object, *, max_limit: int, checks: FieldErrors | None = None
                ) -> tuple[int, int]:
    """`limit` from 1 to `max_limit`, `offset` from 0 to MAX_ID; both problems reported at once, each naming its
    field. Given the `checks` of a caller that validates more fields, the problems are added there, to be raised
    together with the others."""
    own = checks is None
    checks = FieldErrors() if checks is None else checks
    if not is_whole_number(limit) or not 1 <= limit <= max_limit:
        checks.add('limit', _('must be between {low} and {high}', low=1, high=max_limit))
    if not is_whole_number(offset) or not 0 <= offset <= MAX_ID:
        checks.add('offset', _('must be between {low} and {high}', low=0, high=MAX_ID))
    if own:
        checks.raise_if_any()
    return limit, offset


async def by_id(queryset: QuerySet[M], ids: Iterable[int | None]) -> dict[int, M]:
    """The rows of `queryset` (those the caller may see) among `ids`, by id: one query, none when no id is given."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {row.id: row for row in await queryset.filter(id__in=wanted)}
