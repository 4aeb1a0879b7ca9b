"""An import as a background job: started from the import page or the API with the uploaded file, run by whichever
process runs jobs (writing.import_file, unchanged), taken back when its process died."""
from __future__ import annotations

import asyncio

from ..access import Action, membership, require
from ..accounts.tables import User
from ..errors import ValidationFailed
from ..i18n import N_, _, current
from ..imports import recovery, writing
from ..imports.reading import FORMATS
from ..imports.tables import ImportBatch, Mode, Status
from ..orgs.tables import Membership
from ..records.service import kind_named
from . import store
from .store import Progress
from .tables import Job

KIND = 'import'
# stored on the import in English while nobody reads it, translated where shown
CANCELLED = N_('The import was cancelled: what it had written was taken back, nothing was imported')


async def start(actor: Membership, *, kind: str, data: bytes, filename: str = '', file_format: str = 'csv',
                mode: str = Mode.CREATE.value, mapping: list[str] | None = None) -> Job:
    """A queued import job of the caller's (the caller defers it); what can be checked without reading the file is
    checked here, so that a request with a bad kind, format or mode is refused at once."""
    require(actor.role, Action.EDIT_RECORDS)
    kind = kind_named(kind).name
    if file_format not in FORMATS:
        raise ValidationFailed.one('format', _('must be csv or vcard'))
    if file_format == 'vcard' and kind != 'contact':
        raise ValidationFailed.one('kind', _('vCards hold contacts: import them as contacts'))
    if mode not in {m.value for m in Mode}:
        raise ValidationFailed.one('mode', _('must be create or update'))
    params = {'kind': kind, 'filename': (filename or '')[:255], 'format': file_format, 'mode': mode,
              'mapping': mapping, 'language': current()}  # the report's notes are in the importer's language
    return await store.create(actor, KIND, params, data)


async def run(job: Job, progress: Progress, _integrations=None) -> dict:
    """Run the import as its owner, who must still be allowed to import in that organization."""
    params = job.params
    actor = await membership(await User.get_or_none(id=job.owner_id), job.org_id)
    try:
        batch = await writing.import_file(actor, kind=params['kind'], data=await store.input_of(job),
                                          filename=params.get('filename', ''), file_format=params['format'],
                                          mode=params['mode'], mapping=params.get('mapping'), progress=progress,
                                          job_id=job.id)
    except (store.JobCancelled, asyncio.CancelledError):  # writing took back what it wrote; the import says why
        if await Job.exists(id=job.id, cancel_requested=True):
            await ImportBatch.filter(job_id=job.id, status=Status.FAILED.value).update(message=CANCELLED)
        raise
    return {'import': batch.id}


async def take_back(job: Job, *, again: bool, integrations=None) -> None:
    """What the job's dead (or stopping) process wrote is taken back. When the job runs again, its cut-off import is
    forgotten (the next run makes the one import of this job); else it stays, failed, in the importer's list."""
    for batch in await ImportBatch.filter(job_id=job.id, status=Status.RUNNING.value):
        await recovery.take_back(batch)
    if again:
        await ImportBatch.filter(job_id=job.id, status=Status.FAILED.value).delete()


async def batch_of(job: Job) -> ImportBatch | None:
    """The import this job made (or is making)."""
    return await ImportBatch.filter(job_id=job.id).order_by('-id').first()
