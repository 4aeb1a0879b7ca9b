"""Taking an import back: `undo_import` on request, `revert` for an import that failed or was cut off.

Undo deletes the records the import created (and the companies it created, when no contact uses them any
more) and puts back the values it overwrote. It is refused, with nothing undone, when one of those records
was changed after the import: undoing would silently throw that later work away.
"""
from __future__ import annotations

from tortoise import connections
from tortoise.expressions import F, Subquery
from tortoise.transactions import in_transaction

from ..access import Action, require
from ..errors import Conflict
from ..files.tables import Attachment
from ..history import recording
from ..history.recording import IMPORT, Happened
from ..history.tables import HistoryEntry, Note
from ..i18n import N_, _, ngettext
from ..mentions import mentioned_user_ids
from ..orgs.tables import Membership
from ..records.service import derive_columns, lookup_keys, now
from ..records.tables import CONTACT, KINDS, Company, Kind, Mention, RecordKey
from ..work.tables import Connection
from ..db import chunked, is_postgres
from .bulk_deletion import delete_contacts
from .progress import CHUNK
from .reports import get_batch
from .tables import ImportBatch, ImportRow, Status


async def undo_import(actor: Membership, batch_id: object) -> ImportBatch:
    """Delete what the import created and put back what it overwrote, all or nothing."""
    batch = await get_batch(actor, batch_id)
    require(actor.role, Action.EDIT_RECORDS)
    if batch.status != Status.DONE.value:
        raise Conflict(_({Status.UNDONE.value: N_('This import was already undone'),
                          Status.RUNNING.value: N_('This import is still running'),
                          Status.FAILED.value: N_('This import failed and left nothing to undo')}[batch.status]))
    kind = KINDS[batch.kind]
    changed = await _changed_since(kind, batch)
    if changed:
        names = ', '.join(changed[:5])
        if len(changed) > 5:
            names = ngettext('{names} and {count} more', '{names} and {count} more', len(changed) - 5, names=names)
        raise Conflict(ngettext('{count} record was changed, or got files or connections, after this import '
                                '({names}); undoing it would lose that work, so nothing was undone',
                                '{count} records were changed, or got files or connections, after this import '
                                '({names}); undoing it would lose that work, so nothing was undone',
                                len(changed), names=names))
    async with in_transaction():
        claimed = await ImportBatch.filter(id=batch.id, status=Status.DONE.value).update(
            status=Status.UNDONE.value, undone_at=now())
        if not claimed:
            raise Conflict(_('This import was already undone'))
        await revert(kind, batch, actor)
    batch.status, batch.undone_at = Status.UNDONE.value, now()
    return batch


def _name_columns(kind: Kind) -> tuple[str, ...]:
    return ('first_name', 'last_name') if kind is CONTACT else ('name',)


def _shown(values: tuple) -> str:
    return ' '.join(v for v in values if v) or _('(no name)')


async def _changed_since(kind: Kind, batch: ImportBatch) -> list[str]:
    """The names of the records this import wrote that someone changed, or gave files, connections or notes,
    since: a few set-based queries over the import's report rows, whatever its size."""
    names = _name_columns(kind)
    owner = f'{kind.name}_id'
    created = _rows(batch, 'created')
    changed: list[tuple] = list(await kind.model.filter(id__in=created, version__gt=1).values_list(*names))
    # a file attached or a connection made since: deleting the record would take those with it
    for model in (Attachment, Connection, Note):
        linked = Subquery(model.filter(**{f'{owner}__in': created}).values(owner))
        changed += await kind.model.filter(id__in=linked).values_list(*names)
    updated = await ImportRow.filter(batch_id=batch.id, status='updated').values_list('record_id', 'version_after')
    after = dict(updated)
    current = await chunked(lambda chunk: kind.model.filter(id__in=chunk).values_list('id', 'version', *names),
                            list(after))
    changed += [row[2:] for row in current if row[1] != after[row[0]]]
    return [_shown(row) for row in changed]


def _reported(batch: ImportBatch, status: str):
    """The ids of the records the import's report rows of that status name, as a query (import_rows is indexed by
    batch and status), so a 100,000-row import is taken back in a few statements."""
    return ImportRow.filter(batch_id=batch.id, status=status).values('record_id')


def _rows(batch: ImportBatch, status: str) -> Subquery:
    return Subquery(_reported(batch, status))


async def revert(kind: Kind, batch: ImportBatch, actor: Membership | None = None) -> None:
    """Inside a transaction: delete the created records (for good: they were never there before the import),
    restore the updated ones, drop unused new companies. Undone by `actor`, the restored records get an "import
    undone" history entry; without one (a failed import taken back), the import's own entries go too, as if it had
    never run."""
    # one statement: the database deletes their keys, mentions and history, its triggers keep the counts and
    # CardDAV's log as for any deletion. PostgreSQL is given the ids, read first, and finds each by primary key
    # (`org_id + 0`: not through the organization's index): its statistics, taken before the import, put one row in
    # the import's report and one record in the organization, and a plan made of that read the report's rows once
    # per record (10^10 rows for 100,000: an undo ran for minutes). SQLite's contacts: their counts moved set-based
    # beside the deletion instead of by row triggers (bulk_deletion.py)
    if is_postgres():
        created = await ImportRow.filter(batch_id=batch.id, status='created').values_list('record_id', flat=True)
        await connections.get('default').execute_query(
            f'DELETE FROM "{kind.model._meta.db_table}" WHERE id IN (SELECT unnest($2::int[])) '
            'AND org_id + 0 = $1',
            [batch.org_id, list(created)])
    elif kind is CONTACT:
        await delete_contacts(batch.org_id, _reported(batch, 'created'))
    else:
        await kind.model.filter(org_id=batch.org_id, id__in=_rows(batch, 'created')).delete()
    owner = f'{kind.name}_id'
    for entry in await ImportRow.filter(batch_id=batch.id, status='updated').order_by('-id'):
        record = await kind.model.get_or_none(id=entry.record_id, org_id=batch.org_id)
        if record is None or not entry.previous:
            continue
        before = recording.values_of(kind, record)
        for name, value in entry.previous.items():
            setattr(record, name, value)
        derive_columns(kind, record)
        await kind.model.filter(id=record.id).update(
            version=F('version') + 1, updated_at=now(), sort_name=record.sort_name, search_text=record.search_text,
            **entry.previous)
        await RecordKey.filter(**{owner: record.id}).delete()
        await RecordKey.bulk_create(lookup_keys(kind, record))
        if 'description' in entry.previous:
            await Mention.filter(**{owner: record.id}).delete()
            await Mention.bulk_create([Mention(user_id=u, **{owner: record.id})
                                       for u in mentioned_user_ids(record.description)])
        if actor is not None:
            await recording.write_one(kind, record.id, org_id=batch.org_id, by_id=actor.user_id,
                                      happened=Happened.IMPORT_UNDONE, ref_kind=IMPORT, ref_id=batch.id,
                                      ref_name=batch.filename,
                                      changes=recording.diff(kind, before, recording.values_of(kind, record)))
    if actor is None:
        await HistoryEntry.filter(ref_kind=IMPORT, ref_id=batch.id, org_id=batch.org_id).delete()
    # the companies it created that no contact uses any more and nobody changed: a few thousand at most, their ids
    # read first (chosen by a subquery, PostgreSQL's planner, its statistics of import_rows taken before the import,
    # read the report's company rows once per company: 2,000,000 rows for 2,000 companies)
    companies = await ImportRow.filter(batch_id=batch.id, status='company').values_list('record_id', flat=True)
    for start in range(0, len(companies), CHUNK):
        part = companies[start:start + CHUNK]
        used = Subquery(CONTACT.model.filter(company_id__in=part).values('company_id'))
        await Company.filter(org_id=batch.org_id, id__in=part, version=1).exclude(id__in=used).delete()
