"""The queue: procrastinate carries jobs to the process that runs them, and runs the periodic work.

`RUBRICA_JOBS=inside` (SQLite's default): procrastinate's in-memory connector, and its worker running as a task of
the server process; what survives a restart is our `jobs` table (recovery.py queues again what the memory forgot).
`RUBRICA_JOBS=workers` (PostgreSQL's default): procrastinate's PostgreSQL connector (its schema is our migration
0025); servers only defer, `python main.py worker` processes run the jobs and the periodic work, and a periodic task
deduplicated across the workers takes back the jobs of a worker that died.

Periodic work, in both modes the same tasks: the mail outbox (every 30 s, and at once when a mail is queued: the
outbox wakes `send_mail`), the trash purge (at start, then hourly), the daily mails' pass (every 5 minutes), the
sweep of unreferenced files and of expired export files (every 10 minutes), the recovery of jobs whose process
died (every minute), and the trim of CardDAV's change log (daily, models/carddav/trimming.py).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.job_context import AbortReason
from procrastinate.testing import InMemoryConnector

from integrations import Integrations

from ..carddav import trimming
from ..files.storage import sweep_storage
from ..history.trash import purge_expired
from ..mail import outbox
from ..notifications.digest import send_digests
from ..orgs.tables import Membership
from . import copies, exports, imports, recovery, running, store
from .tables import Job

logger = logging.getLogger('rubrica.jobs')
# a line per job and per periodic pass (the mail's every 30 s) is noise: our own line per job says what matters
logging.getLogger('procrastinate').setLevel(logging.WARNING)

INSIDE, WORKERS = 'inside', 'workers'
QUEUE = 'rubrica'
CONCURRENCY = 3  # jobs one process runs at once: an import, the mail, a purge
STOP_GRACE = 10.0  # seconds a stopping process gives its running jobs before they are cut off (and queued again)

app = procrastinate.App(connector=InMemoryConnector())  # the connector is chosen when the queue opens


@dataclass
class _Opened:
    mode: str
    trash_days: int
    integrations: Integrations | None
    connector_scope: contextlib.AbstractContextManager
    worker: asyncio.Task | None = None


_opened: _Opened | None = None
_deferring: set[asyncio.Task] = set()


def _conninfo(database_url: str) -> str:
    """Tortoise's database URL as libpq reads it (its own options in the query string are not libpq's)."""
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(scheme='postgresql', query=''))


async def open_queue(*, mode: str, database_url: str, trash_days: int = 30,
                     integrations: Integrations | None = None) -> None:
    """Connect the queue (main.py, once the database is open): in memory for jobs `inside`, else PostgreSQL."""
    global _opened
    connector = InMemoryConnector() if mode == INSIDE else \
        procrastinate.PsycopgConnector(conninfo=_conninfo(database_url), min_size=1, max_size=4)
    scope = app.replace_connector(connector)
    scope.__enter__()
    try:
        await app.open_async()
    except BaseException:
        scope.__exit__(None, None, None)
        raise
    _opened = _Opened(mode, trash_days, integrations, scope)
    outbox.set_waker(_wake_mail)


async def close_queue() -> None:
    """Stop this process's worker (its running jobs get STOP_GRACE seconds, then wait in the queue for the next
    start), and disconnect."""
    global _opened
    opened, _opened = _opened, None
    if opened is None:
        return
    outbox.set_waker(None)
    if opened.worker is not None:
        opened.worker.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await opened.worker
    for task in list(_deferring):
        task.cancel()
    with contextlib.suppress(Exception):
        await app.close_async()
    opened.connector_scope.__exit__(None, None, None)


def _worker_options(*, inside: bool) -> dict:
    return {'queues': None, 'concurrency': CONCURRENCY, 'wait': True, 'delete_jobs': 'always',
            'install_signal_handlers': not inside, 'shutdown_graceful_timeout': STOP_GRACE,
            'name': f'rubrica-{"server" if inside else "worker"}-{running.identity()}'}


async def _catch_up(*, starting: bool = False) -> None:
    """Take back the jobs of dead processes, and queue what waits without being in the queue (when a server with
    jobs inside starts: every queued job, its queue in memory began empty)."""
    for job in await recovery.recover_dead_jobs(_opened.integrations if _opened is not None else None):
        if job.queue_job_id is not None:  # the queue's own record of the dead run: over
            with contextlib.suppress(Exception):
                await app.job_manager.finish_job_by_id_async(job.queue_job_id, procrastinate.jobs.Status.FAILED,
                                                             delete_job=True)
    inside = _opened is not None and _opened.mode == INSIDE
    for job_id in await recovery.waiting(unqueued_only=not (starting and inside)):
        await _defer(job_id)


async def start_inside() -> None:
    """Jobs inside the server: catch up, then run the worker as a task of this process (main.py's start-up)."""
    assert _opened is not None and _opened.mode == INSIDE
    await _catch_up(starting=True)
    await _defer_task('purge_trash_now')
    _opened.worker = asyncio.create_task(app.run_worker_async(**_worker_options(inside=True)),
                                         name='background jobs')


async def work() -> None:
    """`python main.py worker`: catch up, then run jobs and the periodic work until SIGTERM or Ctrl+C."""
    assert _opened is not None and _opened.mode == WORKERS
    await _catch_up(starting=True)
    await _defer_task('purge_trash_now')
    logger.info('worker %s runs the background jobs', running.identity())
    await app.run_worker_async(**_worker_options(inside=False))


async def _defer(job_id: int) -> None:
    queue_job_id = await app.configure_task('rubrica:run_job', queue=QUEUE).defer_async(job_id=job_id)
    await Job.filter(id=job_id).update(queue_job_id=queue_job_id)


async def _defer_task(name: str, *, lock: str | None = None) -> None:
    with contextlib.suppress(AlreadyEnqueued):  # one is waiting already: it does the same
        await app.configure_task(f'rubrica:{name}', queue=QUEUE, queueing_lock=lock).defer_async()


def _wake_mail() -> None:
    """The outbox has a new mail (sync, after the commit): a `send_mail` job is queued unless one waits already."""
    try:
        task = asyncio.get_running_loop().create_task(_defer_task('send_mail', lock='send_mail'))
    except RuntimeError:  # no loop: the periodic pass sends it
        return
    _deferring.add(task)
    task.add_done_callback(_deferring.discard)


async def start_import(actor: Membership, **how) -> Job:
    """An import of the caller's as a background job, queued (imports.start takes the upload and its options)."""
    job = await imports.start(actor, **how)
    await _defer(job.id)
    return job


async def start_copy(actor: Membership, **how) -> Job:
    """A copy of the caller's into another organization as a background job, queued (copies.start takes what)."""
    job = await copies.start(actor, **how)
    await _defer(job.id)
    return job


async def start_export(actor: Membership, **how) -> Job:
    """An export of many records of the caller's as a background job, queued (exports.start takes what)."""
    job = await exports.start(actor, **how)
    await _defer(job.id)
    return job


async def cancel(user_id: int, job_id: object) -> Job:
    """Ask a job to stop (store.cancel), and the queue to abort it where it runs."""
    job = await store.cancel(user_id, job_id)
    if job.queue_job_id is not None and _opened is not None:
        with contextlib.suppress(Exception):  # our row's flag is what the job reads; the abort is a shortcut
            await app.job_manager.cancel_job_by_id_async(job.queue_job_id, abort=True)
    return job


# ---------------------------------------------------------------- the tasks

@app.task(name='rubrica:run_job', queue=QUEUE, pass_context=True)
async def run_job(context: procrastinate.JobContext, job_id: int) -> None:
    """procrastinate cancels an async job's task where it stands when its owner aborts it. Cut there, a job could be
    entering a transaction: Tortoise's SQLite transaction then keeps the one connection's lock for good, and every
    query of the process waits for ever. So the job runs in a task of its own that an abort does not reach: it reads
    `should_abort` at its next chunk (running.Progress) and takes back what it wrote. Only a stop of the process
    cancels it (then it is queued again, running.run)."""
    work = asyncio.create_task(running.run(job_id, aborting=context.should_abort,
                                           integrations=_opened.integrations if _opened is not None else None),
                               name=f'job {job_id}')
    while True:
        try:
            return await asyncio.shield(work)
        except asyncio.CancelledError:
            if work.done() or context.abort_reason() is not AbortReason.USER_REQUEST:
                work.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await work
                raise
            asyncio.current_task().uncancel()  # heard: the job stops itself at its next chunk


@app.periodic(cron='* * * * *', periodic_id='recover')
@app.task(name='rubrica:recover', queue=QUEUE, queueing_lock='recover', lock='recover')
async def recover(timestamp: int) -> None:
    await _catch_up()


@app.periodic(cron='* * * * * */30', periodic_id='mail')
@app.task(name='rubrica:send_mail_periodically', queue=QUEUE, queueing_lock='send_mail_periodically', lock='outbox')
async def send_mail_periodically(timestamp: int) -> None:
    await outbox.send_due()


@app.task(name='rubrica:send_mail', queue=QUEUE, lock='outbox')
async def send_mail() -> None:
    await outbox.send_due()


async def _purge() -> None:
    opened = _opened
    if opened is None:
        return
    purged = await purge_expired(opened.trash_days, integrations=opened.integrations)
    if purged:
        logger.info('purged %d records trashed more than %d days ago', purged, opened.trash_days)


@app.periodic(cron='0 * * * *', periodic_id='purge')
@app.task(name='rubrica:purge_trash', queue=QUEUE, queueing_lock='purge_trash', lock='purge_trash')
async def purge_trash(timestamp: int) -> None:
    await _purge()


@app.task(name='rubrica:purge_trash_now', queue=QUEUE, queueing_lock='purge_trash_now', lock='purge_trash')
async def purge_trash_now() -> None:
    await _purge()


@app.periodic(cron='*/5 * * * *', periodic_id='digests')
@app.task(name='rubrica:send_digests', queue=QUEUE, queueing_lock='send_digests', lock='send_digests')
async def send_daily_mails(timestamp: int) -> None:
    await send_digests()


@app.periodic(cron='*/10 * * * *', periodic_id='sweep')
@app.task(name='rubrica:sweep_storage', queue=QUEUE, queueing_lock='sweep_storage', lock='sweep_storage')
async def sweep_files(timestamp: int) -> None:
    opened = _opened
    if opened is not None and opened.integrations is not None:
        removed = await sweep_storage(opened.integrations)
        if removed:
            logger.info('the periodic sweep removed %d unreferenced files', removed)
        removed = await exports.sweep(opened.integrations)
        if removed:
            logger.info('the periodic sweep removed %d expired or abandoned export files', removed)


@app.periodic(cron='17 3 * * *', periodic_id='dav_trim')
@app.task(name='rubrica:trim_dav_log', queue=QUEUE, queueing_lock='trim_dav_log', lock='trim_dav_log')
async def trim_dav_log(timestamp: int) -> None:
    removed = await trimming.trim()
    if removed:
        logger.info('the CardDAV log trim removed %d rows only sync tokens older than %d days needed', removed,
                    trimming.KEPT.days)
