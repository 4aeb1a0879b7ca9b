"""The background jobs in the header, beside the bell: those still running (a progress bar, the step, done of total,
Cancel) and those that finished within the last hour (their outcome and a link to what they made: an import's
report; a copy's counts; an export's Download link, while its file is kept). Shown only while there is something to
show.

A job's change is heard on its owner's live-event topic (models/jobs/store.listen: this process's, and the others'
through the relay), and the list is asked again every POLL_SECONDS otherwise. Rows are read through store.recent,
the owner's own; every text is a label, never HTML.
"""
from __future__ import annotations

import asyncio

from babel.numbers import format_decimal
from nicegui import ui

from models import i18n
from models.i18n import N_, _, ngettext
from models.jobs import exports, queue, store
from models.jobs.tables import FINISHED, Job, Status

from . import moments
from .feedback import FAILED, attempt
from .live_parts import redraw_heard
from .session import PageContext

POLL_SECONDS = 10.0
KIND_NAMES = {'import': N_('Import'), 'copy': N_('Copy to another organization'), 'export': N_('Export of a list')}
STEPS = {'checking': N_('Checking rows: {done} of {total}'), 'writing': N_('Saving: {done} of {total}'),
         'prepared': N_('Preparing the copy'), 'copying': N_('Copying: {done} of {total}'),
         'exporting': N_('Exporting: {done} of {total}')}
STATES = {'queued': N_('Waiting to start'), 'running': N_('Running'), 'succeeded': N_('Done'),
          'failed': N_('Failed'), 'cancelled': N_('Cancelled')}


def _number(value: int) -> str:
    return format_decimal(value, locale=i18n.current())


def share(job: Job) -> float:
    """How far the job got, from 0 to 1 (an import checks its rows, then writes them: each is half)."""
    if job.status in FINISHED or job.step == 'done':
        return 1.0
    part = job.done / job.total if job.total else 0.0
    if job.kind == 'import':
        return part / 2 if job.step == 'checking' else 0.5 + part / 2 if job.step == 'writing' else 0.0
    return part


def progress_text(job: Job) -> str:
    """'Saving: 1,200 of 5,000', or the job's state."""
    if job.status == Status.RUNNING.value and job.step in STEPS:
        return _(STEPS[job.step], done=_number(job.done), total=_number(job.total))
    if job.status == Status.SUCCEEDED.value and job.kind == 'copy' and job.result:
        return copy_outcome(job.result)
    if job.status == Status.SUCCEEDED.value and job.kind == exports.KIND and job.result:
        records = int(job.result.get('records') or 0)
        return ngettext('{count} record exported', '{count} records exported', records) if exports.downloadable(job) \
            else _('Its file expired and was removed')
    if job.status == Status.FAILED.value:
        problem = (job.result or {}).get('problem') or ''
        return ': '.join(text for text in (store.message_of(job), problem) if text) or _(STATES['failed'])
    if job.status == Status.CANCELLED.value:
        return store.message_of(job) or _(STATES['cancelled'])
    if job.status == Status.RUNNING.value and job.cancel_requested:
        return _('Stopping…')
    return _(STATES.get(job.status, job.status)) if job.status in STATES else job.status


def copy_outcome(result: dict) -> str:
    """'Copied 2 contacts and 1 company, skipped 1 record'."""
    copied = _('Copied {contacts} and {companies}',
               contacts=ngettext('{count} contact', '{count} contacts', len(result.get('contacts') or {})),
               companies=ngettext('{count} company', '{count} companies', result.get('companies_created') or 0))
    skipped = len(result.get('skipped') or [])
    return _('{copied}, skipped {skipped}', copied=copied,
             skipped=ngettext('{count} record', '{count} records', skipped)) if skipped else copied


def job_path(job: Job) -> str | None:
    """Where the job's page is: an import's page follows it, then shows its report; a copy has none (its outcome
    is told here)."""
    return f'/import?job={job.id}' if job.kind == 'import' else None


def file_path(job: Job) -> str | None:
    """Where a finished export's file is downloaded from (the pages' session route), while it is kept."""
    return f'/job-files/{job.id}' if exports.downloadable(job) else None


def kind_name(job: Job) -> str:
    return _(KIND_NAMES[job.kind]) if job.kind in KIND_NAMES else job.kind


class JobsButton:
    """The jobs of one page's visitor."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.jobs: list[Job] = list(ctx.jobs)
        with ui.button(icon='sync', on_click=self.draw).props('flat round color=white') \
                .classes('rubrica-jobs').mark('jobs-button') as self.button:
            self.button._props['aria-label'] = _('Background jobs')
            self.badge = ui.badge('', color='orange').props('floating rounded').mark('jobs-count')
            with ui.menu().props('anchor="bottom right" self="top right"') as self.menu:
                self.panel = ui.column().classes('w-[min(24rem,78vw)] gap-1 p-2').mark('jobs-panel')
        self.show_count()
        self.loop = asyncio.get_running_loop()
        self.stop = store.listen(ctx.user.id, self._heard)
        ui.context.client.on_delete(self.stop)
        ui.timer(POLL_SECONDS, self.load, immediate=False)

    def _heard(self, _job_id: int) -> None:
        redraw_heard(self.button, self.loop, self.stop, self.load, 'show background jobs')

    def show_count(self) -> None:
        unfinished = sum(job.status not in FINISHED for job in self.jobs)
        self.badge.text = str(unfinished)
        self.badge.set_visibility(unfinished > 0)
        self.button.set_visibility(bool(self.jobs))

    async def load(self) -> None:
        if self.button.is_deleted:
            return
        self.jobs = await store.recent(self.ctx.user.id, since=store.now() - store.SHOWN_AFTER_END)
        self.show_count()
        if self.menu.value:
            self.draw()

    def draw(self) -> None:
        self.panel.clear()
        with self.panel:
            ui.label(_('Background jobs')).classes('text-subtitle1')
            for job in self.jobs:
                self._entry(job)

    def _entry(self, job: Job) -> None:
        with ui.column().classes('w-full gap-0 py-1').mark('job', f'job-{job.status}'):
            with ui.row().classes('w-full items-center justify-between no-wrap gap-1'):
                title = ' · '.join(part for part in (kind_name(job), job.params.get('filename', '')) if part)
                if (path := job_path(job)) is not None:
                    ui.link(title, path).classes('font-medium ellipsis').mark('job-link')
                else:
                    ui.label(title).classes('font-medium ellipsis').mark('job-title')
                if job.status not in FINISHED and not job.cancel_requested:
                    ui.button(_('Cancel'), on_click=lambda job=job: self.cancel(job)) \
                        .props('flat dense no-caps color=negative').mark('job-cancel')
            if job.status not in FINISHED:
                ui.linear_progress(value=share(job), show_value=False).mark('job-progress')
            ui.label(progress_text(job)).classes('text-sm text-grey-8').mark('job-text')
            if (download := file_path(job)) is not None:
                ui.link(_('Download'), download).props('download').classes('text-sm').mark('job-download')
            if job.finished_at is not None:
                ui.label(moments.moment(job.finished_at)).classes('text-xs text-grey-7')

    async def cancel(self, job: Job) -> None:
        if await attempt(queue.cancel(self.ctx.user.id, job.id)) is not FAILED:
            await self.load()
            self.draw()


def jobs_button(ctx: PageContext) -> JobsButton:
    return JobsButton(ctx)
