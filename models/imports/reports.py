"""An import's report: the batches a user ran, and their rows (created, updated, skipped and why)."""
from __future__ import annotations

from tortoise.functions import Count

from ..access import Action, is_id, require
from ..errors import NotFound, ValidationFailed
from ..i18n import _
from ..orgs.tables import Membership
from ..pages import page_bounds
from .tables import ImportBatch, ImportRow, Status

PAGE_MAX = 500


async def get_batch(actor: Membership, batch_id: object) -> ImportBatch:
    """An import of this organization run by the caller; anyone else's import does not exist for them."""
    require(actor.role, Action.SEE_RECORDS)
    if not is_id(batch_id):
        raise NotFound('import')
    batch = await ImportBatch.get_or_none(id=batch_id, org_id=actor.org_id, created_by_id=actor.user_id)
    if batch is None:
        raise NotFound('import')
    return batch


async def report_rows(actor: Membership, batch_id: object, *, status: str = '', limit: int = 100,
                      offset: int = 0) -> tuple[list[ImportRow], int]:
    batch = await get_batch(actor, batch_id)
    limit, offset = page_bounds(limit, offset, max_limit=PAGE_MAX)
    query = ImportRow.filter(batch_id=batch.id).exclude(status='company')
    if status:
        if status not in ('created', 'updated', 'skipped'):
            raise ValidationFailed.one('status', _('must be created, updated or skipped'))
        query = query.filter(status=status)
    total = await query.count()
    rows = await query.order_by('row', 'id').offset(offset).limit(limit)
    return rows, total


def batch_message(batch: ImportBatch) -> str:
    """An import's `message` in the reader's language: one written while nobody read it (recovery.INTERRUPTED, at
    a start) is kept in English and translated here; one written in the importer's language stays as it was."""
    return _(batch.message) if batch.message else ''  # gettext('') would be the catalog's header


async def recent_batches(actor: Membership, limit: int = 10) -> list[ImportBatch]:
    require(actor.role, Action.SEE_RECORDS)
    return await ImportBatch.filter(org_id=actor.org_id, created_by_id=actor.user_id) \
        .order_by('-created_at', '-id').limit(limit)


async def batch_counts() -> dict[str, int]:
    """How many imports are in each status (running, done, failed, undone), of every organization: numbers only,
    for the operator's metrics (web/metrics.py), never shown to a user."""
    rows = await ImportBatch.annotate(n=Count('id')).group_by('status').values_list('status', 'n')
    return {status.value: 0 for status in Status} | {status: n for status, n in rows}
