"""After a crash: an import still `running` that began before this process started was cut off; what it wrote is
taken back at start-up, so after any crash an import is either complete or left nothing."""
from __future__ import annotations

import logging

from tortoise.transactions import in_transaction

from ..i18n import N_
from ..records.service import now
from ..records.tables import KINDS
from .tables import ImportBatch, Status
from .undo import revert

_PROCESS_STARTED = now()  # imports begun since are this process's own, running or not
# stored on the import in English, with no one reading: the page translates it when it shows it
INTERRUPTED = N_('The server stopped during this import; what it had written was taken back: nothing was imported')


async def recover_interrupted_imports() -> int:
    """At server start, before any request: an import still `running` that began before this process was cut off
    by a crash or a kill (no import survives its server process). Take back what each wrote — newest first, each in one transaction —
    and mark it failed. Returns how many there were."""
    # an import run by a background job is the job's to take back (models/jobs/recovery.py): its process may live
    interrupted = await ImportBatch.filter(status=Status.RUNNING.value, created_at__lt=_PROCESS_STARTED,
                                           job_id__isnull=True).order_by('-id')
    for batch in interrupted:
        await take_back(batch)
        logging.getLogger(__name__).warning('import %s (organization %s) was interrupted by a stop of the server: '
                                            'what it had written was taken back', batch.id, batch.org_id)
    return len(interrupted)


async def take_back(batch: ImportBatch, *, message: str = INTERRUPTED) -> None:
    """An import cut off by a dead process: what it wrote is taken back and it is marked failed, in one
    transaction."""
    async with in_transaction():
        await revert(KINDS[batch.kind], batch)
        await ImportBatch.filter(id=batch.id).update(status=Status.FAILED.value, message=message, finished_at=now())
