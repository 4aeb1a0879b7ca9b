"""'Copy to organization…': pick a target, start the copy (a background job), watch its progress, read what was copied
and what was skipped. The dialog may be closed meanwhile: the header's background jobs follow the copy to its end."""
from __future__ import annotations

from nicegui import ui

from models.i18n import _, ngettext
from models.jobs import queue, store as job_store
from models.jobs.tables import Job, Status
from models.records import copy as copying

from .feedback import FAILED, attempt
from .jobs import progress_text, share
from .session import PageContext

SKIPPED_SHOWN = 50
FOLLOWED_HERE = 1000  # a copy of more records is left to the header's background jobs; the dialog closes


async def copy_targets(ctx: PageContext) -> dict[int, str]:
    return {m.org_id: m.org.name for m in await copying.copy_targets(ctx.membership)}


def page_copy_targets(ctx: PageContext) -> dict[int, str]:
    """While building a page: where its records may be copied, from the memberships the page read (the dialog asks
    the database again when it opens)."""
    return {m.org_id: m.org.name for m in copying.copy_targets_among(ctx.membership, ctx.memberships)}


def _skipped_record(skipped: dict) -> str:
    if skipped['kind'] == 'company':
        return _('Company {id}', id=skipped['id'])
    if skipped['kind'] == 'contact':
        return _('Contact {id}', id=skipped['id'])
    return f'{skipped["kind"]} {skipped["id"]}'


def _show_result(result: dict, organization: str) -> None:
    """What the copy job made (its result: the API's answer)."""
    ui.label(_('Copied {contacts}, {companies} and {attachments} to {organization}.',
               contacts=ngettext('{count} contact', '{count} contacts', len(result['contacts'])),
               companies=ngettext('{count} company', '{count} companies', result['companies_created']),
               attachments=ngettext('{count} attachment', '{count} attachments', result['attachments']),
               organization=organization)).classes('text-positive').mark('copy-done')
    skipped = result['skipped']
    if skipped:
        ui.label(ngettext('Skipped {count} record:', 'Skipped {count} records:', len(skipped))).classes('text-warning')
        for one in skipped[:SKIPPED_SHOWN]:
            ui.label(f'{_skipped_record(one)}: {one["reason"]}').classes('text-caption').mark('copy-skipped')
        if len(skipped) > SKIPPED_SHOWN:
            ui.label(ngettext('… and {count} more', '… and {count} more', len(skipped) - SKIPPED_SHOWN)) \
                .classes('text-caption')


async def open_copy_dialog(ctx: PageContext, *, contact_ids: list[int], company_ids: list[int]) -> None:
    targets = await copy_targets(ctx)
    count = len(contact_ids) + len(company_ids)
    with ui.dialog(value=True) as dialog, ui.card().classes('w-[32rem] max-w-full'):
        ui.label(ngettext('Copy {count} record to another organization', 'Copy {count} records to another organization',
                          count)).classes('text-h6')
        if not targets:
            ui.label(_('You are not owner or member of another organization.')).mark('copy-no-target')
            ui.button(_('Close'), on_click=dialog.close)
            return
        target = ui.select(targets, label=_('Target organization'), value=next(iter(targets))) \
            .classes('w-full').mark('copy-target')
        anyway = ui.checkbox(_('Also copy records that already exist there (same email or VAT number)')) \
            .mark('copy-anyway')
        ui.label(_("Every field is copied; a contact's company comes along (or is matched in the target); "
                   'attachments are copied, connections are not.')).classes('text-caption text-grey-8')
        progress = ui.linear_progress(value=0, show_value=False).mark('copy-progress')
        progress.set_visibility(False)
        summary = ui.column().classes('w-full gap-1').mark('copy-summary')

        def show(job: Job) -> None:
            progress.set_visibility(True)
            progress.value = share(job)

        async def run() -> None:
            go.disable()
            job = await attempt(queue.start_copy(ctx.membership, target_org_id=target.value, contact_ids=contact_ids,
                                                 company_ids=company_ids, copy_anyway=anyway.value))
            if job is FAILED:
                go.enable()
                return
            if count > FOLLOWED_HERE:
                dialog.close()
                ui.notify(_('The copy goes on in the background: the jobs beside the bell show how far it got and '
                            'what it copied.'))
                return
            summary.clear()
            with summary:  # the copy is a background job: the dialog only follows it
                ui.label(_('You may close this window: the copy goes on, and the background jobs beside the bell '
                           'show how far it got and what it copied.')).classes('text-caption').mark('copy-later')
            job = await job_store.wait(job, seen=show)
            go.enable()
            progress.set_visibility(False)
            summary.clear()
            with summary:
                if job.status == Status.SUCCEEDED.value:
                    _show_result(job.result, targets[target.value])
                else:
                    ui.label(progress_text(job)).classes('text-negative').mark('copy-failed')

        with ui.row().classes('w-full justify-end'):
            ui.button(_('Close'), on_click=dialog.close).props('flat')
            go = ui.button(_('Copy'), icon='content_copy', on_click=run).mark('copy-run')
