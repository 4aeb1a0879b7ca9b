"""Keyset (seek) pagination of record lists: a page that starts just after a row (or ends just before it), named by
a cursor that holds that row's values of the sort columns, instead of an offset.

An offset makes the database read and drop every row before the page (page 100 reads 5,000 rows), and a row added
or moved before the page while someone pages shifts every later page by one (a row seen twice, or never). A cursor
is a place in the order: the database seeks it through the index that serves the sort, and the rows before it do
not matter. The order always ends with the id, so every row has exactly one place.

A cursor is opaque to callers: URL-safe base64 of JSON `[sort, descending, backwards, [values...]]`. It is bound
to the sort and direction it was made for; a cursor of another sort (or a made-up one) is refused as a bad
`cursor` field, never half-understood.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from tortoise import fields
from tortoise.expressions import Q

from ..errors import ValidationFailed
from ..i18n import _
from .search import ORDER_ALIAS

MAX_CURSOR = 2000  # characters: a cursor holds a few short values (a name is at most a few hundred)


@dataclass(frozen=True)
class Cursor:
    values: tuple  # the row's values of the order's columns, in order
    backwards: bool = False  # the page before the row, not after it


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return {'at': value.isoformat()}
    return value


def _typed(value: object, column: str, model) -> object:
    """A cursor's value as the column holds it: the id an int, a moment a datetime, anything else text (names,
    types, the annotations of search.py and the company sort); else ValueError."""
    field = model._meta.fields_map.get(column.removeprefix(ORDER_ALIAS))
    if column == 'id':
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(field, fields.DatetimeField):
        if isinstance(value, dict) and set(value) == {'at'} and isinstance(value['at'], str):
            moment = datetime.fromisoformat(value['at'])
            if moment.tzinfo is not None:
                return moment
    elif isinstance(value, str):
        return value
    raise ValueError(value)


def make(sort: str, descending: bool, order: tuple[str, ...], row, *, backwards: bool = False) -> str:
    """The cursor of the page after `row` (before it, `backwards`) in a list sorted by `order`."""
    values = [_plain(getattr(row, column.lstrip('-'))) for column in order]
    text = json.dumps([sort, descending, backwards, values], separators=(',', ':'), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip('=')


def read(text: str, sort: str, descending: bool, order: tuple[str, ...], model) -> Cursor:
    """The cursor a caller sent back, checked against the list's sort, direction and order (and the types of the
    model's columns in it)."""
    refused = ValidationFailed.one('cursor', _('is not a cursor of this list (ask for the first page again)'))
    if not isinstance(text, str) or len(text) > MAX_CURSOR:
        raise refused
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + '=' * (-len(text) % 4)))
        made_for, made_descending, backwards, values = raw
        if made_for != sort or made_descending is not descending or not isinstance(backwards, bool) \
                or len(values) != len(order):
            raise ValueError(raw)
        values = tuple(_typed(v, column.lstrip('-'), model) for v, column in zip(values, order))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise refused from None
    return Cursor(values, backwards)


def beyond(order: tuple[str, ...], cursor: Cursor) -> Q:
    """The rows after the cursor's row in this order (before it, for a backwards cursor). Written as
    `c1 >= v1 AND (c1 > v1 OR (c1 = v1 AND (c2 > v2 OR ...)))`: the first part is a range the index of the first
    column seeks directly, the rest settles ties."""
    def step(i: int) -> Q:
        column, value = order[i].lstrip('-'), cursor.values[i]
        later = 'lt' if order[i].startswith('-') != cursor.backwards else 'gt'
        if i == len(order) - 1:
            return Q(**{f'{column}__{later}': value})
        return Q(**{f'{column}__{later}': value}) | (Q(**{column: value}) & step(i + 1))
    first, value = order[0].lstrip('-'), cursor.values[0]
    reaching = 'lte' if order[0].startswith('-') != cursor.backwards else 'gte'
    return Q(**{f'{first}__{reaching}': value}) & step(0)


def reversed_order(order: tuple[str, ...]) -> tuple[str, ...]:
    """The same columns the other way round: a backwards page is read in reverse, then turned around."""
    return tuple(column[1:] if column.startswith('-') else f'-{column}' for column in order)
