"""After a crash: a job left `running` by a process that is gone (it no longer runs on this host, or its heartbeat
stopped more than STALE_AFTER ago) is taken back and queued again once, or failed (running.take_back). Called when a
server with jobs inside, or a worker, starts, and every minute by the workers."""
from __future__ import annotations

from datetime import timedelta

from integrations import Integrations

from .running import identity, is_alive, take_back
from .store import now
from .tables import Job, Status

STALE_AFTER = timedelta(seconds=30)  # six missed heartbeats


def _dead(job: Job) -> bool:
    if job.worker == identity():
        return False  # this process's own
    alive = is_alive(job.worker) if job.worker else False
    if alive is not None:
        return not alive
    return job.heartbeat_at is None or job.heartbeat_at < now() - STALE_AFTER


async def recover_dead_jobs(integrations: Integrations | None = None) -> list[Job]:
    """Take back every running job whose process is gone; those jobs (as they were). `integrations`: where the
    files the jobs were writing are (an export's partial file)."""
    dead = [job for job in await Job.filter(status=Status.RUNNING.value).order_by('id') if _dead(job)]
    for job in dead:
        await take_back(job, integrations)
    return dead


async def waiting(*, unqueued_only: bool) -> list[int]:
    """The jobs to hand to the queue again: every queued one (a queue in memory forgot them with its process), or
    those the queue never got (`queue_job_id` empty: queued again after a crash, or cut off before the hand-over)."""
    query = Job.filter(status=Status.QUEUED.value)
    if unqueued_only:
        query = query.filter(queue_job_id__isnull=True)
    return list(await query.order_by('id').values_list('id', flat=True))
