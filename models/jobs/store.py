"""The rows of background jobs: made for their owner, read by the owner alone, cancelled by the owner (or an owner of
the organization), and advanced by the process that runs them (progress, heartbeat, outcome).

Every change a page may show is published on the owner's topic of models/events.py (`{'kind': 'job', 'id': …}`)
after it is written; a page then reads the row again through `get`, so the message carries nothing to hide."""
from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from tortoise.expressions import Q
from tortoise.functions import Count

from .. import events
from ..access import is_id
from ..errors import Conflict, Forbidden, NotFound, RubricaError, TooLarge, ValidationFailed
from ..i18n import _
from ..orgs.tables import Membership, Role
from ..pages import page_bounds
from .tables import FINISHED, Job, JobInput, Status

JOB = 'job'  # the `kind` of the message on the owner's topic
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
WAIT_POLL = 0.5  # seconds between two looks of a caller waiting for a job (it also hears the job's announcements)
SHOWN_AFTER_END = timedelta(hours=1)  # a finished job stays in the header's list this long
DONE = 'done'  # the last step every kind reports, once its work is committed
PROGRESS_EVERY = 0.25  # seconds between two writes of a job's progress (a step's first and last are always written)


class JobCancelled(Exception):
    """Raised inside a running job, between two chunks, when its owner asked to cancel it."""


def now() -> datetime:
    return datetime.now(timezone.utc)


def announce(job: Job | int, owner_id: int | None = None) -> None:
    """Tell the owner's open pages, on every process, that this job changed (after the write)."""
    job_id = job if isinstance(job, int) else job.id
    owner = owner_id if owner_id is not None else job.owner_id
    events.publish(events.user_topic(owner), {'kind': JOB, 'id': job_id})


def listen(user_id: int, callback: Callable[[int], None]) -> Callable[[], None]:
    """Call `callback(job_id)` whenever one of this user's jobs changes; returns what stops it."""
    def heard(message: events.Message) -> None:
        if message.get('kind') == JOB and is_id(message.get('id')):
            callback(message['id'])
    return events.subscribe(events.user_topic(user_id), heard)


async def create(actor: Membership, kind: str, params: dict, data: bytes | None = None) -> Job:
    """A queued job of `actor`'s, with the file it works on (the caller defers it to the queue)."""
    job = await Job.create(org_id=actor.org_id, owner_id=actor.user_id, kind=kind, params=params)
    if data is not None:
        await JobInput.create(job_id=job.id, data=data)
    announce(job)
    return job


async def input_of(job: Job) -> bytes:
    found = await JobInput.get_or_none(job_id=job.id)
    if found is None:
        raise NotFound(message=_('The file of this job is gone'))
    return bytes(found.data)


async def get(user_id: int, job_id: object) -> Job:
    """One of the caller's jobs; anyone else's does not exist for them."""
    job = await Job.get_or_none(id=job_id, owner_id=user_id) if is_id(job_id) else None
    if job is None:
        raise NotFound(message=_('job not found'))
    return job


async def page(user_id: int, *, limit: int = PAGE_SIZE, offset: int = 0) -> tuple[list[Job], int]:
    """The caller's jobs, newest first, and how many there are."""
    limit, offset = page_bounds(limit, offset, max_limit=MAX_PAGE_SIZE)
    query = Job.filter(owner_id=user_id)
    return await query.order_by('-created_at', '-id').offset(offset).limit(limit), await query.count()


async def recent(user_id: int, *, since: datetime, limit: int = PAGE_SIZE) -> list[Job]:
    """What the header shows: the caller's jobs that have not finished, and those that finished since `since`,
    newest first."""
    return await Job.filter(Q(status__not_in=FINISHED) | Q(finished_at__gte=since), owner_id=user_id) \
        .order_by('-id').limit(limit)


async def cancel(user_id: int, job_id: object) -> Job:
    """Ask a job to stop: a queued one is cancelled at once, a running one stops at its next chunk and takes back
    what it wrote. The owner may, and an owner of the job's organization; for anyone else it does not exist."""
    job = await Job.get_or_none(id=job_id) if is_id(job_id) else None
    if job is not None and job.owner_id != user_id:
        org_owner = await Membership.exists(user_id=user_id, org_id=job.org_id, role=Role.OWNER.value)
        job = job if org_owner else None
    if job is None:
        raise NotFound(message=_('job not found'))
    if job.status in FINISHED:
        return job
    await Job.filter(id=job.id, status__not_in=FINISHED).update(cancel_requested=True)
    # one still waiting in the queue never starts: it ends here (the runner claims only queued jobs)
    if await Job.filter(id=job.id, status=Status.QUEUED.value).update(status=Status.CANCELLED.value,
                                                                      finished_at=now()):
        await JobInput.filter(job_id=job.id).delete()
    announce(job)
    return await Job.get(id=job.id)


async def claim(job_id: int, worker: str) -> Job | None:
    """Mark a queued job running in this process; None when it is not queued any more (cancelled, or taken)."""
    moment = now()
    job = await Job.get_or_none(id=job_id)
    if job is None or not await Job.filter(id=job_id, status=Status.QUEUED.value).update(
            status=Status.RUNNING.value, started_at=moment, heartbeat_at=moment, worker=worker,
            attempts=job.attempts + 1, step='', done=0, total=0):
        return None
    announce(job)
    return await Job.get(id=job_id)


async def beat(job: Job) -> None:
    """The running job is alive (its process writes this every few seconds)."""
    await Job.filter(id=job.id, status=Status.RUNNING.value).update(heartbeat_at=now())


async def finish(job: Job, status: Status, *, message: str = '', result: dict | None = None) -> None:
    """The job's outcome; its file is no longer needed."""
    await Job.filter(id=job.id).update(status=status.value, message=message, result=result, finished_at=now(),
                                       heartbeat_at=now())
    await JobInput.filter(job_id=job.id).delete()
    announce(job)


async def requeue(job: Job) -> None:
    """A job cut off by a dead process, taken back, waits in the queue again to run from the start."""
    await Job.filter(id=job.id).update(status=Status.QUEUED.value, step='', done=0, total=0, worker='',
                                       started_at=None, heartbeat_at=None, queue_job_id=None)
    announce(job)


class Progress:
    """What a running job reports as it advances: `(step, done, total)` written to its row at most every
    PROGRESS_EVERY seconds (and at each new step and each step's end), then announced; whether to stop is read
    back at each write, and asked of the queue (`aborting`), and JobCancelled raised when it should."""

    def __init__(self, job: Job, aborting: Callable[[], bool] = lambda: False) -> None:
        self.job = job
        self.aborting = aborting
        self.step = None
        self.written = 0.0

    async def __call__(self, step: str, done: int, total: int) -> None:
        moment = time.monotonic()
        if step == self.step and done < total and moment - self.written < PROGRESS_EVERY:
            return
        self.step, self.written = step, moment
        await Job.filter(id=self.job.id).update(step=step[:16], done=done, total=total, heartbeat_at=now())
        announce(self.job)
        if step != DONE:  # once the work is committed whole, a cancel comes too late to take it back
            await self.check()

    async def check(self) -> None:
        if self.aborting() or await Job.exists(id=self.job.id, cancel_requested=True):
            raise JobCancelled


async def counts() -> dict[str, int]:
    """How many jobs are in each status, of everyone (queued is the queue's depth): numbers only, for the operator's
    metrics (web/metrics.py), never shown to a user."""
    rows = await Job.annotate(n=Count('id')).group_by('status').values_list('status', 'n')
    return {status.value: 0 for status in Status} | {status: n for status, n in rows}


def message_of(job: Job) -> str:
    """A job's message in the reader's language (stored in English, written while nobody read it)."""
    return _(job.message) if job.message else ''


async def wait(job: Job, seen: Callable[[Job], None] | None = None) -> Job:
    """The job once it has finished (run by this process or another), for a caller that waits for it: the API's
    import, the import page (`seen` is shown each state read on the way). Its announcements wake the wait; a look
    every WAIT_POLL seconds covers those of a process without a relay."""
    changed = asyncio.Event()
    stop = listen(job.owner_id, lambda job_id: changed.set() if job_id == job.id else None)
    try:
        while (job := await Job.get(id=job.id)).status not in FINISHED:
            if seen is not None:
                seen(job)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), WAIT_POLL)
            changed.clear()
        return job
    finally:
        stop()


_REFUSALS = {'TooLarge': TooLarge, 'Forbidden': Forbidden, 'Conflict': Conflict}


def failure(job: Job) -> RubricaError | None:
    """The refusal a failed job met (a bad file, a role lost), to raise again where someone waited for it."""
    result = job.result or {}
    name, problem = result.get('error'), result.get('problem') or ''
    if name == 'ValidationFailed' and isinstance(result.get('errors'), dict):
        return ValidationFailed(result['errors'])
    if name == 'NotFound':
        return NotFound(message=problem)
    refusal = _REFUSALS.get(name)
    return refusal(problem) if refusal is not None else None
