"""'Copy to organization…': pick a target, watch the progress, read what was copied and what was skipped."""
from __future__ import annotations

from nicegui import app, ui

from models.records import copy as copying

from .feedback import FAILED, attempt
from .session import PageContext
from .widgets import counted


async def copy_targets(ctx: PageContext) -> dict[int, str]:
    return {m.org_id: m.org.name for m in await copying.copy_targets(ctx.membership)}


async def open_copy_dialog(ctx: PageContext, *, contact_ids: list[int], company_ids: list[int]) -> None:
    targets = await copy_targets(ctx)
    count = len(contact_ids) + len(company_ids)
    with ui.dialog(value=True) as dialog, ui.card().classes('w-[32rem] max-w-full'):
        ui.label(f'Copy {count} record{"s" if count != 1 else ""} to another organization').classes('text-h6')
        if not targets:
            ui.label('You are not owner or member of another organization.').mark('copy-no-target')
            ui.button('Close', on_click=dialog.close)
            return
        target = ui.select(targets, label='Target organization', value=next(iter(targets))) \
            .classes('w-full').mark('copy-target')
        anyway = ui.checkbox('Also copy records that already exist there (same email or VAT number)') \
            .mark('copy-anyway')
        ui.label('Every field is copied; a contact\'s company comes along (or is matched in the target); '
                 'attachments are copied, connections are not.').classes('text-caption text-grey-8')
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
                ui.label(f'Copied {counted(len(report.contacts), "contact")}, '
                         f'{counted(report.companies_created, "company", "companies")} and '
                         f'{counted(report.attachments, "attachment")} to {targets[target.value]}.') \
                    .classes('text-positive').mark('copy-done')
                if report.skipped:
                    ui.label(f'Skipped {counted(len(report.skipped), "record")}:').classes('text-warning')
                    for skipped in report.skipped[:50]:
                        ui.label(f'{skipped["kind"]} {skipped["id"]}: {skipped["reason"]}') \
                            .classes('text-caption').mark('copy-skipped')
                    if len(report.skipped) > 50:
                        ui.label(f'… and {len(report.skipped) - 50} more').classes('text-caption')

        with ui.row().classes('w-full justify-end'):
            ui.button('Close', on_click=dialog.close).props('flat')
            go = ui.button('Copy', icon='content_copy', on_click=run).mark('copy-run')
