"""The books of uploaded files: every path that deletes attachment rows reads the stored names of the uploads
first (`upload_keys`), deletes, and once committed calls `remove_files`, which removes the files no attachment
refers to any more; deleting a contact or company gives its uploads' space back to the organization (the delete
signals below); and a sweep removes what a crash left behind.

The signal handlers must be registered whenever the ORM is: models/db.py lists this module with the tables.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone

from tortoise import connections
from tortoise.expressions import F
from tortoise.signals import post_delete, pre_delete

from integrations import Integrations

from ..orgs.tables import Organization
from ..records.tables import Company, Contact, Kind
from .tables import Attachment, Source


def now() -> datetime:
    return datetime.now(timezone.utc)


# ---------------------------------------------------------------- files whose last attachment is gone
#
# Deleting a record deletes its attachment rows with it (CASCADE), inside the database. The files cannot go in the
# same transaction (no file I/O inside one), so every path that deletes attachment rows reads the stored names of
# the uploads first (`upload_keys`), deletes, and once committed calls `remove_files`, which removes those files no
# attachment refers to any more. What a crash leaves in between is removed by the sweep: at start-up
# (`clean_up_storage`) and every 10 minutes by a background job (models/jobs/queue.py).

CHUNK = 5000  # keys or ids per IN (...) query
# A file is renamed into place before its row is committed: an upload does both within moments, a copy writes all
# its files before its one transaction. The periodic sweep leaves files younger than this alone.
SWEEP_GRACE = timedelta(hours=1)

log = logging.getLogger(__name__)


def _chunks(values: list) -> Iterator[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


async def upload_keys(kind: Kind, record_ids: Iterable[int]) -> list[str]:
    """The stored names of the uploaded files of these records: read them before deleting the records, and pass
    them to `remove_files` once the deletion is committed."""
    keys: list[str] = []
    for chunk in _chunks(sorted(set(record_ids))):
        keys += await Attachment.filter(source=Source.UPLOAD.value, **{f'{kind.name}_id__in': chunk}) \
            .values_list('storage_key', flat=True)
    return keys


async def referenced_keys(keys: Iterable[str]) -> set[str]:
    """Which of these stored names an attachment still refers to."""
    found: set[str] = set()
    for chunk in _chunks(sorted(set(keys))):
        found |= set(await Attachment.filter(source=Source.UPLOAD.value, storage_key__in=chunk)
                     .values_list('storage_key', flat=True))
    return found


async def remove_files(integrations: Integrations | None, keys: Iterable[str]) -> int:
    """After the transaction that deleted attachment rows has committed (never inside one: this is file I/O):
    remove the files among `keys` that no attachment refers to any more. Returns how many were removed. Without a
    file store (None) nothing is removed now; the periodic sweep will."""
    keys = list(dict.fromkeys(keys))
    if integrations is None or not keys:
        return 0
    still = await referenced_keys(keys)
    removed = 0
    for key in keys:
        if key not in still:
            await integrations.files.delete(key)
            removed += 1
    return removed


async def detach_uploads(kind: Kind, record_ids: Iterable[int]) -> list[str]:
    """For deleting records with a queryset delete (`Model.filter(...).delete()`, which runs no signals, so the
    space of their files would stay counted): call it inside the deleting transaction, before the delete. It
    deletes the records' uploaded attachments and gives their space back to the organization; pass what it
    returns (their stored names) to `remove_files` once the transaction has committed. (Linked files have
    nothing on disk nor in the quota: their rows go with the records.)"""
    keys: list[str] = []
    for chunk in _chunks(sorted(set(record_ids))):
        rows = await Attachment.filter(source=Source.UPLOAD.value, **{f'{kind.name}_id__in': chunk}) \
            .values('id', 'org_id', 'size', 'storage_key')
        if not rows:
            continue
        freed: dict[int, int] = {}
        for row in rows:
            freed[row['org_id']] = freed.get(row['org_id'], 0) + (row['size'] or 0)
        await Attachment.filter(id__in=[row['id'] for row in rows]).delete()
        for org_id, size in freed.items():
            if size:
                await Organization.filter(id=org_id).update(storage_used=F('storage_used') - size)
        keys += [row['storage_key'] for row in rows]
    return keys


# ---------------------------------------------------------------- keeping the books straight

@pre_delete(Contact, Company)
async def _count_what_a_deleted_record_frees(sender, instance, using_db) -> None:
    """A deleted record's attachments go with it (CASCADE); their space is freed once the record is gone.
    Their files are removed by the caller after the commit (`upload_keys`, `remove_files`), or by the sweep."""
    column = 'contact_id' if sender is Contact else 'company_id'
    sizes = await Attachment.filter(**{column: instance.id}, source=Source.UPLOAD.value).values_list('size', flat=True)
    instance._freed_bytes = sum(s or 0 for s in sizes)


@post_delete(Contact, Company)
async def _free_the_space_of_a_deleted_record(sender, instance, using_db) -> None:
    freed = getattr(instance, '_freed_bytes', 0)
    if freed:
        await Organization.filter(id=instance.org_id).update(storage_used=F('storage_used') - freed)


RECOUNT_USAGE = ("UPDATE organizations SET storage_used = COALESCE((SELECT SUM(a.size) FROM attachments a "
                 "WHERE a.org_id = organizations.id AND a.source = 'upload'), 0)")


async def clean_up_storage(integrations: Integrations) -> int:
    """At start: count each organization's space again from its rows, and remove files no attachment refers
    to (leftovers of a crash). Returns how many files were removed."""
    started = now()
    await connections.get('default').execute_script(RECOUNT_USAGE)
    return await integrations.files.remove_unreferenced(referenced_keys, older_than=started)


async def sweep_storage(integrations: Integrations, *, grace: timedelta = SWEEP_GRACE) -> int:
    """While the server runs: remove the files no attachment refers to that are older than `grace` (what a crash
    or an interrupted request left between a file and its row). Asks the database a directory at a time."""
    return await integrations.files.remove_unreferenced(referenced_keys, older_than=now() - grace)
