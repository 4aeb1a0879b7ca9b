"""Running one job in this process: claim it, keep its heartbeat, run its kind's code with a progress reporter that
also says when to stop, and write how it ended. Also how a job whose process died is taken back (recovery.py)."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache

from integrations import Integrations

from ..errors import RubricaError, ValidationFailed
from ..i18n import N_, use
from ..imports.workers import process_identity
from . import copies, exports, imports, store
from .store import JobCancelled, Progress
from .tables import Job, Status

logger = logging.getLogger('rubrica.jobs')

HEARTBEAT_SECONDS = 5.0  # a running job's row says it is alive this often
RUNS = 2  # a job cut off by a dead process runs again from the start once; cut off again, it fails
# stored in English while nobody reads them, translated where shown
CANCELLED = N_('Cancelled: what it had written was taken back')
FAILED = N_('It could not be done: nothing was kept')
UNEXPECTED = N_('It failed unexpectedly: nothing was kept')
INTERRUPTED = N_('The process running it stopped, twice: what it had written was taken back')
ABANDONED = N_('The process running it stopped: what it had written was taken back')


@dataclass(frozen=True)
class Kind:
    # does the work (with the file store, for what a copy brings along); returns what it made (the job's result)
    run: Callable[[Job, Progress, Integrations | None], Awaitable[dict]]
    # (job, again=…, integrations=…): undoes what a dead process's run wrote
    take_back: Callable[..., Awaitable[None]]


KINDS = {imports.KIND: Kind(imports.run, imports.take_back), copies.KIND: Kind(copies.run, copies.take_back),
         exports.KIND: Kind(exports.run, exports.take_back)}


@cache
def identity() -> str:
    """This process, as a job's `worker` names it: host, process id and the process's start (so that a later
    process given the same id is not taken for this one)."""
    return f'{socket.gethostname()}:{os.getpid()}:{process_identity(os.getpid()) or ""}'


def is_alive(worker: str) -> bool | None:
    """Whether the process a job's `worker` names still runs: None when it runs on another host (only its heartbeat
    can tell)."""
    host, _, rest = worker.partition(':')
    pid, _, started = rest.partition(':')
    if host != socket.gethostname() or not pid.isdigit():
        return None
    return process_identity(int(pid)) == started


async def _beat(job: Job) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        with contextlib.suppress(Exception):  # a database briefly away: the next beat comes soon
            await store.beat(job)


async def run(job_id: int, aborting: Callable[[], bool] = lambda: False,
              integrations: Integrations | None = None) -> None:
    """Run a queued job to its end in this process (a job not queued any more is left alone)."""
    job = await store.claim(job_id, identity())
    if job is None:
        return
    kind = KINDS.get(job.kind)
    use(job.params.get('language'))  # what the job writes for its owner (an import's notes) is in their language
    beating = asyncio.create_task(_beat(job), name=f'heartbeat of job {job.id}')
    started = asyncio.get_running_loop().time()
    try:
        if kind is None:
            raise RuntimeError(f'no code runs jobs of kind {job.kind!r}')
        result = await kind.run(job, Progress(job, aborting), integrations)
    except JobCancelled:
        await store.finish(job, Status.CANCELLED, message=CANCELLED)
        outcome = 'cancelled'
    except RubricaError as e:  # the owner's problem (a bad file, a role lost): said in their language
        errors = e.errors if isinstance(e, ValidationFailed) else None
        await store.finish(job, Status.FAILED, message=FAILED,
                           result={'error': type(e).__name__, 'problem': e.message, 'errors': errors})
        outcome = 'failed'
    except asyncio.CancelledError:  # the queue aborted it (its owner cancelled it), or this process stops
        if await Job.exists(id=job.id, cancel_requested=True):
            await store.finish(job, Status.CANCELLED, message=CANCELLED)
            outcome = 'cancelled'
        else:  # it waits in the queue for the next start, to run from the beginning
            with contextlib.suppress(Exception):
                if kind is not None:
                    await kind.take_back(job, again=True, integrations=integrations)
                await store.requeue(job)
            raise
    except Exception:
        # a caller waiting for the job (the API's copy) answers this as its 500, as when the work ran in the request:
        # the traceback is still here, as a warning; nobody waiting, it is an error for the operator
        log = logger.warning if job.params.get('waited') else logger.error
        log('job %s (%s, organization %s) failed', job.id, job.kind, job.org_id, exc_info=True)
        await store.finish(job, Status.FAILED, message=UNEXPECTED)
        outcome = 'failed'
    else:
        await store.finish(job, Status.SUCCEEDED, result=result)
        outcome = 'succeeded'
    finally:
        beating.cancel()
    logger.info('job %s (%s, organization %s, user %s): %s in %.1f s', job.id, job.kind, job.org_id, job.owner_id,
                outcome, asyncio.get_running_loop().time() - started)


async def take_back(job: Job, integrations: Integrations | None = None) -> bool:
    """A job whose process died while running it: undo what it wrote, then queue it again if it ran only once
    (True) or fail it (False)."""
    again = job.attempts < RUNS and not job.cancel_requested
    kind = KINDS.get(job.kind)
    if kind is not None:
        await kind.take_back(job, again=again, integrations=integrations)
    if again:
        await store.requeue(job)
    elif job.cancel_requested:
        await store.finish(job, Status.CANCELLED, message=CANCELLED)
    else:
        await store.finish(job, Status.FAILED, message=INTERRUPTED if job.attempts >= RUNS else ABANDONED)
    logger.warning('job %s (%s, organization %s) was cut off by a stop of its process (%s): what it wrote was taken '
                   'back, and it %s', job.id, job.kind, job.org_id, job.worker or 'unknown',
                   'runs again' if again else 'failed')
    return again
