"""THE one place that writes a record's history. Every path that changes a contact or company calls it inside its
own transaction — the card's and the API's saves, bulk actions, attachments, connections, merge and its undo,
import and its undo, copy, trash and restore — so a change is never committed without its entry, and a rolled
back change leaves no entry either.

An entry says what happened (`Happened`), who did it and when, and for a change which fields went from what to
what (`changes`: {field: [before, after]}; emails, phones and addresses as whole lists, a contact's company as its
id). What else it is about (the merged-away record, the connected task, the import, the organization copied
from, the file) is named by `ref_kind`, `ref_id` and `ref_name`, as it was named then: the timeline shows that
name only to a reader who may see that one too (timeline.py).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from enum import Enum

from ..records.tables import CONTACT, Kind, Record
from .tables import HistoryEntry

CHUNK = 2000  # rows per INSERT


class Happened(str, Enum):
    """What an entry records. The values are stored and answered by the API: never rename one."""
    CREATED = 'created'
    UPDATED = 'updated'
    ATTACHMENT_ADDED = 'attachment_added'
    ATTACHMENT_REMOVED = 'attachment_removed'
    CONNECTED = 'connected'
    DISCONNECTED = 'disconnected'
    MERGED = 'merged'
    MERGE_UNDONE = 'merge_undone'
    IMPORTED = 'imported'
    IMPORT_UNDONE = 'import_undone'
    COPIED_IN = 'copied_in'
    DELETED = 'deleted'
    RESTORED = 'restored'
    NOTE = 'note'


# What `ref_kind` may name besides the work kinds ('project', 'task', 'ticket').
MERGE, IMPORT, ORGANIZATION, FILE = 'merge', 'import', 'organization', 'file'


def now() -> datetime:
    return datetime.now(timezone.utc)


def tracked_fields(kind: Kind) -> tuple[str, ...]:
    """The columns whose changes history keeps: every field a person edits ('company_name' is only a way to set
    'company_id', which is kept)."""
    return tuple(name for name in kind.fields if name != 'company_name')


def values_of(kind: Kind, record: Record | Mapping) -> dict[str, object]:
    """The tracked values of a record (an object, or a row as a dict), copied so later changes do not reach them."""
    get = record.get if isinstance(record, Mapping) else (lambda name, default=None: getattr(record, name, default))
    return {name: _copied(get(name, None)) for name in tracked_fields(kind)}


def _copied(value: object) -> object:
    if isinstance(value, list):
        return [dict(v) if isinstance(v, dict) else v for v in value]
    return value


def diff(kind: Kind, before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list]:
    """{field: [before, after]} for every tracked field of `after` whose value differs from `before`'s."""
    return {name: [_copied(before.get(name)), _copied(value)] for name, value in after.items()
            if name in tracked_fields(kind) and _blank(before.get(name)) != _blank(value)}


def _blank(value: object) -> object:
    """'' and None are the same empty field (a stored '' and a cleared None must not show as a change)."""
    return None if value in ('', None) else value


def entry(kind: Kind, record_id: int, *, org_id: int, by_id: int | None, happened: Happened,
          changes: Mapping[str, list] | None = None, ref_kind: str = '', ref_id: int | None = None,
          ref_name: str = '', note_id: int | None = None, at: datetime | None = None) -> HistoryEntry:
    """One entry, not saved yet (see `write`)."""
    return HistoryEntry(**entry_values(kind, record_id, org_id=org_id, by_id=by_id, happened=happened,
                                       changes=changes, ref_kind=ref_kind, ref_id=ref_id, ref_name=ref_name,
                                       note_id=note_id, at=at))


def entry_values(kind: Kind, record_id: int, *, org_id: int, by_id: int | None, happened: Happened,
                 changes: Mapping[str, list] | None = None, ref_kind: str = '', ref_id: int | None = None,
                 ref_name: str = '', note_id: int | None = None, at: datetime | None = None) -> dict:
    """An entry's columns, for `entry` and for writers that insert many rows without building model instances."""
    return dict(org_id=org_id, at=at or now(), by_id=by_id, action=happened.value, changes=dict(changes or {}),
                ref_kind=ref_kind, ref_id=ref_id, ref_name=(ref_name or '')[:255], note_id=note_id,
                **{f'{kind.name}_id': record_id, _other(kind): None})


def _other(kind: Kind) -> str:
    return 'company_id' if kind is CONTACT else 'contact_id'


async def write(entries: Iterable[HistoryEntry]) -> None:
    """Save entries, inside the caller's transaction (the change and its history commit together or not at all)."""
    rows = list(entries)
    if rows:
        await HistoryEntry.bulk_create(rows, batch_size=CHUNK)


async def write_one(kind: Kind, record_id: int, *, org_id: int, by_id: int | None, happened: Happened,
                 **details) -> None:
    """Write one entry now, inside the caller's transaction (`entry` lists the details)."""
    await write([entry(kind, record_id, org_id=org_id, by_id=by_id, happened=happened, **details)])
