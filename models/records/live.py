"""Open cards told at once when their contact or company is changed or deleted by someone.

The change paths (service.update_record, delete_record, bulk actions, merges) call `changed` / `deleted` after the
commit; the message travels on the record's topic of models/events.py, so it reaches cards open on every process
when a relay is installed. It names the new version and who made the change, never the record's data: a card that
hears it reloads the record through the gate.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from .. import events
from .tables import Kind

CHANGED = 'changed'  # the record has a new version
DELETED = 'deleted'  # the record went to the trash, or was merged into another one


def changed(kind: Kind, record_id: int, *, version: int, by: int | None) -> None:
    """Tell the open cards of this record that it is at `version` now, changed by user `by`."""
    events.publish(events.record_topic(kind.name, record_id), {'kind': CHANGED, 'version': version, 'by': by})


def deleted(kind: Kind, record_ids: Iterable[int], *, by: int | None) -> None:
    """Tell the open cards of these records that they are gone (to the trash, or merged away) by user `by`."""
    for record_id in record_ids:
        events.publish(events.record_topic(kind.name, record_id), {'kind': DELETED, 'by': by})


def listen(kind: Kind, record_id: int, callback: Callable[[events.Message], None]) -> Callable[[], None]:
    """Call `callback(message)` for every change of this record (CHANGED or DELETED); returns what stops it."""
    def heard(message: events.Message) -> None:
        if message.get('kind') in (CHANGED, DELETED):
            callback(message)
    return events.subscribe(events.record_topic(kind.name, record_id), heard)
