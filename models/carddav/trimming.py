"""Keeping CardDAV's change log small: what changed since a token is read from `dav_log` (who could see a record
before each change) and from the rows of deleted records in `dav_changes`. Both would grow with every change for
ever; a token older than KEPT is not honoured any more, so what only such a token needs can go.

Once a day `trim` writes a checkpoint (now, the counter's value). The newest checkpoint older than KEPT becomes
the horizon: the log's rows up to it and the rows of records deleted before it are deleted, and a sync token from
before it is answered `valid-sync-token` (403), upon which a client syncs the whole book again (RFC 6578 §3.2).
A phone that syncs at least once in KEPT never notices.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from ..records.service import now
from ..records.tables import KINDS, Kind
from .tables import DavChange, DavCounter, DavLog, DavTrim

KEPT = timedelta(days=90)  # how long a sync token stays good
CHUNK = 2000  # record ids looked up at a time


async def horizon() -> int:
    """The number a sync token must not be below: changes up to it may be gone from the log."""
    applied = await DavTrim.filter(applied=True).order_by('-seq').limit(1).values_list('seq', flat=True)
    return int(applied[0]) if applied else 0


async def trim(at: datetime | None = None) -> int:
    """Write today's checkpoint and move the horizon to the newest checkpoint older than KEPT, deleting what only
    older tokens need; the number of log and change rows deleted."""
    at = at or now()
    async with in_transaction():
        counter = await DavCounter.filter(id=1).values_list('value', flat=True)
        await DavTrim.create(at=at, seq=int(counter[0]) if counter else 0)
        due = await DavTrim.filter(at__lte=at - KEPT).order_by('-at', '-id').first()
        if due is None:
            return 0
        deleted = 0
        if not due.applied:
            previous = await horizon()
            deleted += await DavLog.filter(seq__lte=due.seq).delete()
            for kind in KINDS.values():
                deleted += await _forget_deleted(kind, previous, due.seq)
            await DavTrim.filter(id=due.id).update(applied=True)
        await DavTrim.filter(at__lt=due.at).delete()  # the horizon row is kept: it says where the horizon is
        return deleted


async def _forget_deleted(kind: Kind, after: int, upto: int) -> int:
    """Delete the change rows of the records of this kind deleted between the two horizons (a deletion gives its row
    a new number, so rows up to the previous horizon were looked at then), a chunk of ids at a time by index."""
    ids = await DavChange.filter(kind=kind.name, seq__gt=after, seq__lte=upto).values_list('record_id', flat=True)
    deleted = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        alive = set(await kind.model.filter(id__in=chunk).values_list('id', flat=True))
        gone = [record_id for record_id in chunk if record_id not in alive]
        if gone:
            deleted += await DavChange.filter(kind=kind.name, record_id__in=gone).delete()
    return deleted
