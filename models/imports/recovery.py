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
    interrupted = await ImportBatch.filter(status=Status.RUNNING.value, created_at__lt=_PROCESS_STARTED) \
        .order_by('-id')
    for batch in interrupted:
        async with in_transaction():
            await revert(KINDS[batch.kind], batch)
            await ImportBatch.filter(id=batch.id).update(status=Status.FAILED.value, message=INTERRUPTED,
                                                         finished_at=now())
        logging.getLogger(__name__).warning('import %s (organization %s) was interrupted by a stop of the server: '
                                            'what it had written was taken back', batch.id, batch.org_id)
    return len(interrupted)
