"""'Copy to organization…': pick a target, watch the progress, read what was copied and what was skipped."""
from __future__ import annotations

from nicegui import app, ui

from models.i18n import _, ngettext
from models.records import copy as copying

from .feedback import FAILED, attempt
from .session import PageContext

SKIPPED_SHOWN = 50


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

        def show(step: str, done: int, total: int) -> None:
            progress.set_visibility(True)
            progress.value = done / total if total else 1

        async def run() -> None:
            go.disable()
            report = await attempt(copying.copy_records(actor=ctx.membership, target_org_id=target.value,
                                                        contact_ids=contact_ids, company_ids=company_ids,
                                                        copy_anyway=anyway.value, progress=show,
                                                        integrations=app.state.integrations))
            go.enable()
            if report is FAILED:
                return
            summary.clear()
            with summary:
                ui.label(_('Copied {contacts}, {companies} and {attachments} to {organization}.',
                           contacts=ngettext('{count} contact', '{count} contacts', len(report.contacts)),
                           companies=ngettext('{count} company', '{count} companies', report.companies_created),
                           attachments=ngettext('{count} attachment', '{count} attachments', report.attachments),
                           organization=targets[target.value])) \
                    .classes('text-positive').mark('copy-done')
                if report.skipped:
                    ui.label(ngettext('Skipped {count} record:', 'Skipped {count} records:', len(report.skipped))) \
                        .classes('text-warning')
                    for skipped in report.skipped[:SKIPPED_SHOWN]:
                        ui.label(f'{_skipped_record(skipped)}: {skipped["reason"]}') \
                            .classes('text-caption').mark('copy-skipped')
                    if len(report.skipped) > SKIPPED_SHOWN:
                        ui.label(ngettext('… and {count} more', '… and {count} more',
                                          len(report.skipped) - SKIPPED_SHOWN)).classes('text-caption')

        with ui.row().classes('w-full justify-end'):
            ui.button(_('Close'), on_click=dialog.close).props('flat')
            go = ui.button(_('Copy'), icon='content_copy', on_click=run).mark('copy-run')
