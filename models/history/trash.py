"""The trash: deleted contacts and companies, kept whole for RUBRICA_TRASH_DAYS days.

Deleting (records.service.delete_record, a bulk delete) only marks a record trashed; the gate (access.visible)
hides it from everything but this module, whose reads go through `access.trashed`: the trashed records the caller
would see if they were not trashed, no more. Restoring clears the mark, so the record comes back exactly as it
was — fields, version, keys, mentions, attachments, connections, company link (and a company's contacts), notes,
history — with a "restored" entry. Owners may delete a trashed record forever, or empty the trash; records trashed
longer than the trash's days are purged on their own (`purge_expired`, a background job at start and hourly: models/jobs/queue.py).
Their uploads keep counting against the quota until they leave for good; then their space is given back and their
files removed once the deletion is committed (models/files/storage.py).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from tortoise.transactions import in_transaction

from integrations import Integrations

from .. import access
from ..access import Action, require
from ..errors import NotFound
from ..files.storage import detach_uploads, remove_files
from ..orgs.tables import Membership
from ..pages import page_bounds
from ..records.service import PAGE_SIZE, Page, kind_named, one_of
from ..records.tables import KINDS, Kind, Record
from . import recording
from .recording import Happened

MAX_PAGE_SIZE = 200
DEFAULT_DAYS = 30
CHUNK = 500  # records deleted per statement when purging

log = logging.getLogger(__name__)


def now() -> datetime:
    return datetime.now(timezone.utc)


async def list_trash(actor: Membership, kind_name: object, *, limit: int = PAGE_SIZE, offset: int = 0) -> Page:
    """One page of the trashed records of this kind the caller would see, most recently trashed first."""
    require(actor.role, Action.SEE_RECORDS)
    kind = kind_named(kind_name)
    limit, offset = page_bounds(limit, offset, max_limit=MAX_PAGE_SIZE)
    queryset = access.trashed(kind, actor)
    total = await queryset.count()
    items = await queryset.order_by('-deleted_at', '-id').offset(offset).limit(limit).select_related('deleted_by')
    return Page(items, total)


async def get_trashed(kind: Kind, actor: Membership, record_id: object) -> Record:
    """A trashed record the caller would see; any other id behaves as if it did not exist."""
    return await one_of(kind, access.trashed(kind, actor), record_id)


async def restore(kind: Kind, actor: Membership, record_id: object) -> Record:
    """Take a record out of the trash (anyone who may edit records and would see it), as it was."""
    record = await get_trashed(kind, actor, record_id)
    require(actor.role, Action.EDIT_RECORDS)
    async with in_transaction():
        if not await kind.model.filter(id=record.id, deleted_at__isnull=False).update(deleted_at=None,
                                                                                      deleted_by_id=None):
            raise NotFound(kind.name)  # restored, or deleted forever, a moment ago
        await recording.write_one(kind, record.id, org_id=actor.org_id, by_id=actor.user_id,
                                  happened=Happened.RESTORED)
    record.deleted_at, record.deleted_by_id = None, None
    return record


async def delete_forever(kind: Kind, actor: Membership, record_id: object, *,
                         integrations: Integrations | None = None) -> None:
    """Delete one trashed record for good (owners only), with everything it holds."""
    record = await get_trashed(kind, actor, record_id)
    require(actor.role, Action.DELETE_FOREVER)
    await _delete(kind, [record.id], integrations)


async def empty_trash(actor: Membership, *, integrations: Integrations | None = None) -> int:
    """Delete for good every trashed record the caller would see (owners only: a private record of someone else
    stays, since owners have no bypass). Returns how many records went."""
    require(actor.role, Action.DELETE_FOREVER)
    count = 0
    for kind in KINDS.values():
        ids = list(await access.trashed(kind, actor).values_list('id', flat=True))
        count += await _delete(kind, ids, integrations)
    return count


async def purge_expired(days: int, *, integrations: Integrations | None = None) -> int:
    """Delete for good every record of every organization trashed more than `days` days ago. Returns how many."""
    before = now() - timedelta(days=days)
    count = 0
    for kind in KINDS.values():
        ids = list(await kind.model.filter(deleted_at__lt=before).values_list('id', flat=True))
        count += await _delete(kind, ids, integrations)
    return count


async def _delete(kind: Kind, ids: list[int], integrations: Integrations | None) -> int:
    """Delete trashed records for good, a chunk per transaction: their keys, mentions, attachments, connections,
    notes and history go with them (CASCADE), the space of their uploads is given back, and once committed their
    files leave the store (without one, the sweep removes them)."""
    count = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        async with in_transaction():
            chunk = list(await kind.model.filter(id__in=chunk, deleted_at__isnull=False).values_list('id', flat=True))
            keys = await detach_uploads(kind, chunk)
            await kind.model.filter(id__in=chunk).delete()  # (the count it returns includes triggers' rows on SQLite)
            count += len(chunk)
        await remove_files(integrations, keys)
    return count
