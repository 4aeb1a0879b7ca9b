"""A copy into another organization as a background job: started from the copy dialog or the API, run as its owner by
whichever process runs jobs (records.copy.copy_records, all or nothing: one transaction), its answer kept as the
job's result.

Nothing needs taking back after a dead process: its transaction never committed, and the files it had copied in
the store are unreferenced, so the periodic sweep removes them. The job runs again from the start, or fails."""
from __future__ import annotations

import asyncio
import contextlib

from integrations import Integrations

from ..access import membership
from ..accounts.tables import User
from ..i18n import current
from ..orgs.tables import Membership
from ..records.copy import CopyReport, check_copy, copy_records
from . import store
from .store import DONE, JobCancelled, Progress
from .tables import Job

KIND = 'copy'


async def start(actor: Membership, *, target_org_id: object, contact_ids: object = None, company_ids: object = None,
                copy_anyway: bool = False, waited: bool = False) -> Job:
    """A queued copy job of the caller's (the caller defers it): a copy they may not make is refused here, at once.
    `waited`: the caller waits for its end and answers its failure (running.run logs it as a warning then)."""
    _target, contact_ids, company_ids = await check_copy(actor, target_org_id, contact_ids, company_ids)
    params = {'target_org_id': target_org_id, 'contact_ids': contact_ids, 'company_ids': company_ids,
              'copy_anyway': bool(copy_anyway), 'waited': waited,
              'language': current()}  # the reasons of what was skipped: in their language
    return await store.create(actor, KIND, params)


def answer(report: CopyReport) -> dict:
    """What the copy made, as the API answers it (ids as JSON keys: strings)."""
    return {'contacts': {str(k): v for k, v in report.contacts.items()},
            'companies': {str(k): v for k, v in report.companies.items()}, 'skipped': report.skipped,
            'companies_created': report.companies_created, 'attachments': report.attachments}


async def run(job: Job, progress: Progress, integrations: Integrations | None = None) -> dict:
    """Copy as the owner, who must still be an owner of the source and an owner or member of the target."""
    params = job.params
    actor = await membership(await User.get_or_none(id=job.owner_id), job.org_id)
    reporter = _Reporter(progress)
    try:
        report = await copy_records(actor=actor, target_org_id=params['target_org_id'],
                                    contact_ids=params.get('contact_ids'), company_ids=params.get('company_ids'),
                                    copy_anyway=params.get('copy_anyway', False), integrations=integrations,
                                    progress=reporter)
    except BaseException:
        reporter.task.cancel()
        raise
    await reporter.close()
    return answer(report)


async def take_back(job: Job, *, again: bool, integrations: Integrations | None = None) -> None:
    """Nothing to undo: an uncommitted copy wrote nothing (see the module's docstring)."""


class _Reporter:
    """The copy's progress for its job. The job's row is written by a task started before the copy's transaction, so
    that on PostgreSQL it goes through a connection of its own: the transaction does not lock the row until its end,
    and a cancel request is not held up by it. Whether to stop is read at each report, inside the transaction, so a
    cancel takes the whole copy back. (SQLite has one connection, held by the transaction: there the row is written
    once it ends, and a cancel comes in only before or after it.)"""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.latest: tuple[str, int, int] | None = None
        self.cancelled = False
        self.closing = False
        self.wake = asyncio.Event()
        self.task = asyncio.create_task(self._write(), name=f'progress of job {progress.job.id}')

    async def _write(self) -> None:
        while True:
            if self.latest is None:
                if self.closing:
                    return
                await self.wake.wait()
                self.wake.clear()
                continue
            report, self.latest = self.latest, None
            try:
                await self.progress(*report)
            except JobCancelled:
                self.cancelled = True

    async def __call__(self, step: str, done: int, total: int) -> None:
        self.latest = (step, done, total)
        self.wake.set()
        if step != DONE:
            if self.cancelled:
                raise JobCancelled
            await self.progress.check()

    async def close(self) -> None:
        """Write the last report, then stop."""
        self.closing = True
        self.wake.set()
        with contextlib.suppress(Exception):
            await self.task
