"""The Attachments tab of contact and company cards, and the route that serves files to the browser.

`attachments_panel(ctx, kind, record)` is mounted by the card pages. The browser has a session, not an API
token, so downloads go through `/files/{org}/{attachment}`, which authenticates with the session and calls the
same models/ function (and gate) as the API's content endpoint.
"""
from __future__ import annotations

from collections.abc import Callable, Coroutine

from fastapi import FastAPI, Request
from nicegui import app, ui

from integrations import Integrations
from integrations.storage import FileEntry
from models.errors import RubricaError
from models.files import attachments, cloud
from models.files.tables import SOURCE_LABELS, Attachment
from models.records.tables import Kind, Record
from web.downloads import download_response
from web.limits import UploadRoute, file_upload_limit
from web.session import session_membership

from . import moments, session
from .session import PageContext

SOURCE_ICONS = {'upload': 'description', 'google_drive': 'add_to_drive', 'dropbox': 'cloud'}


def integrations() -> Integrations:
    return app.state.integrations


def format_size(size: int | None) -> str:
    if size is None:
        return '—'
    value = float(size)
    for unit in ('bytes', 'KiB', 'MiB', 'GiB', 'TiB'):
        if value < 1024 or unit == 'TiB':
            return f'{value:,.0f} {unit}' if unit == 'bytes' else f'{value:,.1f} {unit}'
        value /= 1024
    return str(size)


def download_path(org_id: int, attachment_id: int) -> str:
    return f'/files/{org_id}/{attachment_id}'


# ---------------------------------------------------------------- routes

def _upload_message(settings) -> str:
    return f'Files may be at most {format_size(settings.max_upload_bytes)}'


# A body sent to a ui.upload element may not pass the per-file limit (plus the multipart framing), refused as it
# arrives by web/limits.py's BodyLimit: ui.upload's own limits run only in the browser, and NiceGUI would otherwise
# spool any size to disk before the panel's handler could refuse it.
UPLOAD_ROUTE = UploadRoute(r'/_nicegui/client/[^/]+/upload/[^/]+', file_upload_limit, _upload_message)


def install_routes(fastapi_app: FastAPI) -> None:
    """The browser's download route and the cloud accounts' OAuth routes (called by main.configure)."""
    from . import cloud_accounts

    @fastapi_app.get('/files/{org}/{attachment_id}', include_in_schema=False)
    async def download(org: int, attachment_id: int, request: Request):
        actor = await session_membership(org, 'attachment')
        return download_response(await attachments.open_attachment(actor, attachment_id,
                                                                   integrations=request.app.state.integrations))

    cloud_accounts.install_routes(fastapi_app)


# ---------------------------------------------------------------- the panel

async def _shown(action: Coroutine, done: str, show_problem: Callable[[str], None]) -> bool:
    """One models/ call of the panel, made only while the page's visitor is still who it was built for (else it is
    not run, and False). A refusal is shown above the list and stays there; success clears it and says `done`."""
    if not await session.still_current():  # removed, demoted or logged out since the page opened
        action.close()
        return False
    try:
        await action
    except RubricaError as e:
        show_problem(e.message)
    else:
        show_problem('')
        ui.notify(done, type='positive')
    return True


async def attachments_panel(ctx: PageContext, kind: Kind, record: Record) -> None:
    """List, upload (with progress), download, delete, and attach from Google Drive or Dropbox."""
    actor = ctx.membership
    services = integrations()

    with ui.column().classes('w-full gap-2').mark('attachments-panel'):
        usage = ui.label().classes('text-grey-8 text-caption').mark('attachments-usage')
        problem = ui.label().classes('text-negative').mark('attachment-error')
        problem.set_visibility(False)

        async def show_usage() -> None:
            used, quota = await attachments.storage_usage(actor)
            usage.text = f'Organization storage: {format_size(used)} used of {format_size(quota)}'

        def show_problem(message: str) -> None:
            problem.text = message
            problem.set_visibility(bool(message))

        @ui.refreshable
        async def file_list() -> None:
            try:
                found = await attachments.list_attachments(actor, kind, record.id)
            except RubricaError as e:
                ui.label(e.message).classes('text-negative').mark('attachments-unavailable')
                return
            if not found:
                ui.label('No files yet.').classes('text-grey-7').mark('no-attachments')
            for attachment in found:
                _row(attachment)

        def _row(attachment: Attachment) -> None:
            with ui.row().classes('items-center w-full gap-3 no-wrap').mark('attachment-row'):
                ui.icon(SOURCE_ICONS.get(attachment.source, 'description')).classes('text-grey-7')
                with ui.column().classes('gap-0 grow min-w-0'):
                    ui.link(attachment.filename, download_path(actor.org_id, attachment.id),
                            new_tab=not attachment.is_upload) \
                        .classes('truncate max-w-full').mark(f'attachment-link-{attachment.id}')
                    who = attachment.uploaded_by.name if attachment.uploaded_by else 'a former user'
                    ui.label(f'{format_size(attachment.size)} · {SOURCE_LABELS.get(attachment.source, "")} · '
                             f'added by {who} on {moments.moment(attachment.created_at)}') \
                        .classes('text-caption text-grey-7').mark(f'attachment-details-{attachment.id}')
                if attachments.may_delete(actor, attachment, record):
                    ui.button(icon='delete', on_click=lambda a=attachment: confirm_delete(a)) \
                        .props('flat round dense color=negative').tooltip('Delete') \
                        .mark(f'attachment-delete-{attachment.id}')

        def confirm_delete(attachment: Attachment) -> None:
            with ui.dialog() as dialog, ui.card():
                ui.label(f'Delete "{attachment.filename}"?').mark('attachment-delete-question')

                async def delete() -> None:
                    dialog.close()
                    if await _shown(attachments.delete_attachment(actor, attachment.id, integrations=services),
                                    f'Deleted {attachment.filename}', show_problem):
                        file_list.refresh()
                        await show_usage()

                with ui.row().classes('w-full justify-end'):
                    ui.button('Cancel', on_click=dialog.close).props('flat')
                    ui.button('Delete', on_click=delete).props('color=negative').mark('attachment-delete-confirm')
            dialog.on_value_change(lambda e: None if e.value else dialog.delete())
            dialog.open()

        async def receive(event) -> None:
            """The browser sent a file: stream it into the store; the models/ call checks size and quota."""
            file = event.file
            ran = await _shown(attachments.add_upload(actor, kind, record.id, filename=file.name,
                                                      content_type=file.content_type, chunks=file.iterate(),
                                                      integrations=services, declared_size=file.size()),
                               f'Uploaded {attachments.display_filename(file.name)}', show_problem)
            upload.reset()
            if ran:
                file_list.refresh()
                await show_usage()

        def rejected() -> None:
            show_problem(f'Files may be at most {format_size(services.max_upload_bytes)}')

        with ui.row().classes('w-full items-start gap-2'):
            upload = ui.upload(label='Add a file', auto_upload=True, max_file_size=services.max_upload_bytes,
                               on_upload=receive, on_rejected=rejected) \
                .props('flat bordered').classes('max-w-full').mark('attachment-upload')
            with ui.column().classes('gap-1'):
                await _picker_buttons(ctx, kind, record, show_problem, file_list)

        await show_usage()
        await file_list()


async def _picker_buttons(ctx: PageContext, kind: Kind, record: Record, show_problem, file_list) -> None:
    """'From Google Drive' / 'From Dropbox' for premium organizations and connected accounts."""
    if ctx.org.plan != 'premium':
        return
    for state in await cloud.account_states(user=ctx.user, integrations=integrations()):
        if not state.configured or state.status == 'disconnected':
            continue
        if state.status == 'revoked':
            with ui.row().classes('items-center gap-1').mark(f'picker-{state.provider}-reconnect'):
                ui.label(f'{state.label} needs to be reconnected:').classes('text-warning')
                ui.link('Settings', '/settings')
            continue
        ui.button(f'From {state.label}', icon=SOURCE_ICONS[state.provider],
                  on_click=lambda s=state: _open_picker(ctx, kind, record, s.provider, s.label, show_problem,
                                                        file_list)) \
            .props('outline').mark(f'picker-{state.provider}')


async def _open_picker(ctx: PageContext, kind: Kind, record: Record, provider: str, label: str, show_problem,
                       file_list) -> None:
    """Browse folders or search, then attach one file as a link."""
    trail: list[tuple[str | None, str]] = [(None, label)]

    with ui.dialog() as dialog, ui.card().classes('w-[40rem] max-w-full'):
        ui.label(f'Attach from {label}').classes('text-h6')
        with ui.row().classes('w-full items-end no-wrap gap-2'):
            query = ui.input('Search by name').classes('grow').mark('picker-query')
            ui.button(icon='search', on_click=lambda: search()).props('flat round').mark('picker-search')
        crumbs = ui.row().classes('items-center gap-1 text-caption')
        spinner = ui.spinner(size='lg')
        listing = ui.column().classes('w-full gap-1 max-h-[50vh] overflow-auto').mark('picker-list')
        with ui.row().classes('w-full justify-end'):
            ui.button('Close', on_click=dialog.close).props('flat').mark('picker-close')

    def show(entries: list[FileEntry], heading: str | None = None) -> None:
        listing.clear()
        with listing:
            if heading:
                ui.label(heading).classes('text-caption text-grey-7')
            if not entries:
                ui.label('Nothing here.').classes('text-grey-7').mark('picker-empty')
            for entry in entries:
                with ui.row().classes('items-center w-full no-wrap gap-2').mark('picker-entry'):
                    if entry.is_folder:
                        ui.icon('folder').classes('text-amber-8')
                        ui.button(entry.name, on_click=lambda e=entry: open_folder(e)) \
                            .props('flat dense no-caps align=left').classes('grow') \
                            .mark(f'picker-folder-{entry.id}')
                    else:
                        ui.icon('description').classes('text-grey-7')
                        ui.label(entry.name).classes('grow truncate')
                        ui.label(format_size(entry.size)).classes('text-caption text-grey-7')
                        ui.button('Attach', on_click=lambda e=entry: attach(e)).props('dense') \
                            .mark(f'picker-attach-{entry.id}')

    def show_crumbs() -> None:
        crumbs.clear()
        with crumbs:
            for i, (folder_id, name) in enumerate(trail):
                if i:
                    ui.label('/')
                ui.button(name, on_click=lambda i=i: back_to(i)).props('flat dense no-caps') \
                    .mark(f'picker-crumb-{i}')

    async def run(work) -> list[FileEntry] | None:
        if not await session.still_current():
            work.close()
            return None
        spinner.set_visibility(True)
        try:
            return await work
        except RubricaError as e:
            listing.clear()
            with listing:
                ui.label(e.message).classes('text-negative').mark('picker-error')
            return None
        finally:
            spinner.set_visibility(False)

    async def load(folder_id: str | None) -> None:
        show_crumbs()
        entries = await run(cloud.browse(actor=ctx.membership, provider=provider, folder_id=folder_id,
                                         integrations=integrations()))
        if entries is not None:
            show(entries)

    async def open_folder(entry: FileEntry) -> None:
        trail.append((entry.id, entry.name))
        await load(entry.id)

    async def back_to(i: int) -> None:
        del trail[i + 1:]
        await load(trail[-1][0])

    async def search() -> None:
        entries = await run(cloud.search(actor=ctx.membership, provider=provider, query=query.value,
                                         integrations=integrations()))
        if entries is not None:
            show(entries, f'Files matching “{query.value}”')

    async def attach(entry: FileEntry) -> None:
        ran = await _shown(attachments.add_link(ctx.membership, kind, record.id, source=provider, file_id=entry.id,
                                                integrations=integrations()),
                           f'Attached {entry.name} from {label}', show_problem)
        dialog.close()
        if ran:
            file_list.refresh()

    query.on('keydown.enter', search)
    dialog.on_value_change(lambda e: None if e.value else dialog.delete())  # each opening makes a new one
    dialog.open()
    await load(None)
