"""The Attachments tab of contact and company cards, and the route that serves files to the browser.

`attachments_panel(ctx, kind, record)` is mounted by the card pages. The browser has a session, not an API
token, so downloads go through `/files/{org}/{attachment}`, which authenticates with the session and calls the
same models/ function (and gate) as the API's content endpoint.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Coroutine

from babel.lists import format_list
from fastapi import FastAPI, Request
from nicegui import app, ui

from integrations import Integrations
from integrations.storage import FileEntry
from models import i18n
from models.errors import RubricaError
from models.files import attachments, cloud
from models.files.tables import SOURCE_LABELS, Attachment
from models.i18n import N_, _, ngettext
from models.records.tables import Kind, Record
from web.downloads import download_response
from web.limits import UploadRoute, file_upload_limit
from web.session import session_membership

from . import moments, session
from .session import PageContext

SOURCE_ICONS = {'upload': 'description', 'google_drive': 'add_to_drive', 'dropbox': 'cloud'}
# Sizes past a thousand bytes, with one decimal, in the reader's units (French writes Kio, Mio…).
SIZE_UNITS = (N_('{size} KiB'), N_('{size} MiB'), N_('{size} GiB'), N_('{size} TiB'))


def integrations() -> Integrations:
    return app.state.integrations


def format_size(size: int | None) -> str:
    if size is None:
        return '—'
    if size < 1024:
        return ngettext('{count} byte', '{count} bytes', size)
    value = size / 1024
    for unit in SIZE_UNITS:
        if value < 1024 or unit == SIZE_UNITS[-1]:
            break
        value /= 1024
    return _(unit, size=i18n.number(value, '#,##0.0'))


def download_path(org_id: int, attachment_id: int) -> str:
    return f'/files/{org_id}/{attachment_id}'


# ---------------------------------------------------------------- routes

def _upload_message(settings) -> str:
    return _('Files may be at most {size}', size=format_size(settings.max_upload_bytes))


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

CLOUD_SETTINGS = '/settings?section=cloud'  # Settings' cloud accounts section: connect Google Drive or Dropbox
ORGANIZATION_PAGE = '/organization'  # the organization's plan, and what premium adds

# The drop zone is Quasar's uploader (the whole of it takes dropped files) with a header of ours that says what to
# do and the limits, and a list of ours: each file with its own bar, how much of it has gone, and what went wrong.
DROP_ZONE_CSS = """
.rubrica-dropzone.q-uploader { width: 100%; max-height: none; box-shadow: none; background: #fafafa;
                               border: 2px dashed #bdbdbd; border-radius: 8px; }
.rubrica-dropzone.q-uploader:hover, .rubrica-dropzone.q-uploader--dnd { border-color: var(--q-primary); }
.rubrica-dropzone .q-uploader__list { min-height: 0; padding: 0; }
"""
# File names are user text: the template only ever sets them as text ({{ }}), never as HTML. Our own texts come in
# the reader's language as JavaScript strings (json), the attribute's escaped for HTML as well.
FILE_LIST = """
<div v-if="props.files.length" class="column q-px-md q-pb-md q-gutter-y-sm">
  <div v-for="file in props.files" :key="file.__key" class="row items-center no-wrap q-gutter-x-sm"
       :data-status="file.__status" data-test="upload-file">
    <q-icon size="sm" :name="file.__status === 'failed' ? 'error' : (file.__status === 'uploaded' ? 'check_circle'
                                                                                                 : 'upload_file')"
            :color="file.__status === 'failed' ? 'negative' : (file.__status === 'uploaded' ? 'positive' : 'grey-7')"/>
    <div class="col" style="min-width: 0">
      <div class="ellipsis">{{ file.name }}</div>
      <q-linear-progress rounded size="6px" class="q-mt-xs" :value="file.__progress"
                         :color="file.__status === 'failed' ? 'negative' : 'primary'"/>
    </div>
    <div class="text-caption text-grey-8 text-no-wrap">{{ file.__status === 'failed' ? NOT_SENT
      : PROGRESS.replace('{percent}', Math.floor(file.__progress * 100)).replace('{size}', file.__sizeLabel) }}</div>
    <q-btn v-if="file.__status !== 'uploading'" flat round dense size="sm" icon="close"
           :aria-label="REMOVE" @click="props.removeFile(file)"/>
  </div>
</div>
"""


def file_list_template() -> str:
    """FILE_LIST with its texts in the reader's language."""
    def js(text: str) -> str:  # a JavaScript string in single quotes, with nothing HTML would read as markup
        body = json.dumps(text, ensure_ascii=False)[1:-1].replace('\\"', '"')
        for character in '"\'<>&':
            body = body.replace(character, f'\\u{ord(character):04x}')
        return f"'{body}'"
    texts = {'NOT_SENT': _('not sent'), 'PROGRESS': _('{percent}% of {size}'), 'REMOVE': _('Remove from this list')}
    template = FILE_LIST
    for name, text in texts.items():
        template = template.replace(name, js(text))
    return template


# What the browser knows of the files it refused or could not send (the File objects themselves do not travel).
REJECTED_JS = ('(entries) => emit(entries.map(e => ({name: e.file.name, size: e.file.size, '
               'reason: e.failedPropValidation})))')
FAILED_JS = '(info) => emit({names: info.files.map(f => f.name), status: info.xhr ? info.xhr.status : 0})'


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


class Problems:
    """What went wrong, above the list: one line per file (its name and the reason), or one about the panel's last
    action; each file's line goes once that file is sent again and arrives."""

    def __init__(self) -> None:
        self.lines: dict[str, str] = {}
        with ui.row().classes('w-full items-start no-wrap gap-2 rounded-borders q-pa-sm bg-red-1') \
                .mark('attachment-problems') as self.box:
            ui.icon('error_outline', color='negative').classes('q-mt-xs')
            self.column = ui.column().classes('grow gap-1 min-w-0')
            dismiss = ui.button(icon='close', on_click=self.clear).props('flat round dense size=sm') \
                .mark('attachment-problems-dismiss')
            dismiss.props['aria-label'] = _('Dismiss')
        self.box.set_visibility(False)

    def set(self, key: str, message: str) -> None:
        if message:
            self.lines[key] = message
        else:
            self.lines.pop(key, None)
        self._draw()

    def clear(self) -> None:
        self.lines.clear()
        self._draw()

    def _draw(self) -> None:
        self.column.clear()
        with self.column:
            for message in self.lines.values():
                ui.label(message).classes('text-negative break-words max-w-full').mark('attachment-error')
        self.box.set_visibility(bool(self.lines))


def _named(filename: str, message: str) -> str:
    return _('“{name}”: {reason}', name=attachments.display_filename(filename), reason=message)


async def attachments_panel(ctx: PageContext, kind: Kind, record: Record) -> None:
    """List, upload (a drop zone, with progress per file), download, delete, and attach from Google Drive or
    Dropbox (or say how to)."""
    actor = ctx.membership
    services = integrations()
    limit = services.max_upload_bytes
    too_large = _('it is larger than the {size} a file may have', size=format_size(limit))
    ui.add_css(DROP_ZONE_CSS)

    with ui.column().classes('w-full gap-2').mark('attachments-panel'):
        problems = Problems()

        def show_problem(message: str) -> None:  # the panel's own actions (delete, attach a linked file)
            problems.set('', message)

        @ui.refreshable
        async def file_list() -> None:
            try:
                found = await attachments.list_attachments(actor, kind, record.id)
            except RubricaError as e:
                ui.label(e.message).classes('text-negative').mark('attachments-unavailable')
                return
            if not found:
                ui.label(_('No files yet.')).classes('text-grey-7').mark('no-attachments')
            for attachment in found:
                _row(attachment)

        def _row(attachment: Attachment) -> None:
            with ui.row().classes('items-center w-full gap-3 no-wrap').mark('attachment-row'):
                ui.icon(SOURCE_ICONS.get(attachment.source, 'description')).classes('text-grey-7')
                with ui.column().classes('gap-0 grow min-w-0'):
                    ui.link(attachment.filename, download_path(actor.org_id, attachment.id),
                            new_tab=not attachment.is_upload) \
                        .classes('truncate max-w-full').mark(f'attachment-link-{attachment.id}')
                    who = attachment.uploaded_by.name if attachment.uploaded_by else _('a former user')
                    source = _('Upload') if attachment.is_upload else SOURCE_LABELS.get(attachment.source, '')
                    ui.label(_('{size} · {source} · added by {name} on {moment}', size=format_size(attachment.size),
                               source=source, name=who,
                               moment=moments.moment(attachment.created_at))) \
                        .classes('text-caption text-grey-7').mark(f'attachment-details-{attachment.id}')
                if attachments.may_delete(actor, attachment, record):
                    ui.button(icon='delete', on_click=lambda a=attachment: confirm_delete(a)) \
                        .props('flat round dense color=negative').tooltip(_('Delete')) \
                        .mark(f'attachment-delete-{attachment.id}')

        def confirm_delete(attachment: Attachment) -> None:
            with ui.dialog() as dialog, ui.card():
                ui.label(_('Delete “{name}”?', name=attachment.filename)).mark('attachment-delete-question')

                async def delete() -> None:
                    dialog.close()
                    if await _shown(attachments.delete_attachment(actor, attachment.id, integrations=services),
                                    _('Deleted {name}', name=attachment.filename), show_problem):
                        file_list.refresh()
                        await show_usage()

                with ui.row().classes('w-full justify-end'):
                    ui.button(_('Cancel'), on_click=dialog.close).props('flat')
                    ui.button(_('Delete'), on_click=delete).props('color=negative').mark('attachment-delete-confirm')
            dialog.on_value_change(lambda e: None if e.value else dialog.delete())
            dialog.open()

        async def receive(event) -> None:
            """The browser sent a file: stream it into the store; the models/ call checks size and quota."""
            file = event.file
            name = attachments.display_filename(file.name)
            if not await session.still_current():
                return
            try:
                await attachments.add_upload(actor, kind, record.id, filename=file.name,
                                             content_type=file.content_type, chunks=file.iterate(),
                                             integrations=services, declared_size=file.size())
            except RubricaError as e:
                problems.set(file.name, _named(file.name, e.message))
            else:
                problems.set(file.name, '')
                ui.notify(_('Uploaded {name}', name=name), type='positive')
            upload.run_method('removeUploadedFiles')  # this one has arrived; the others keep their bars
            file_list.refresh()
            await show_usage()

        def refused(event) -> None:
            """Files the browser would not send: larger than the limit (the server would refuse them too)."""
            for entry in event.args or []:
                if not isinstance(entry, dict):
                    continue
                name = str(entry.get('name', ''))
                problems.set(name, _named(name, too_large if entry.get('reason') == 'max-file-size'
                                          else _('it cannot be sent')))

        def failed(event) -> None:
            """Files the server refused as they arrived (past the limit) or that the connection lost."""
            info = event.args if isinstance(event.args, dict) else {}
            lost = _('it did not arrive (the connection was lost?): try again')
            reason = too_large if info.get('status') == 413 else lost
            for name in info.get('names') or []:
                problems.set(str(name), _named(str(name), reason))

        upload = ui.upload(auto_upload=True, multiple=True, max_file_size=limit, on_upload=receive) \
            .props('flat color=transparent text-color=grey-9').classes('rubrica-dropzone') \
            .mark('attachment-upload')
        upload.on('rejected', refused, js_handler=REJECTED_JS)
        upload.on('failed', failed, js_handler=FAILED_JS)
        with upload.add_slot('header'):
            with ui.column().classes('relative-position w-full items-center text-center gap-1 q-pa-md cursor-pointer'):
                ui.icon('cloud_upload', size='md', color='primary')
                ui.label(_('Drop files here or choose a file')).classes('text-subtitle1').mark('dropzone-text')
                ui.label(_('Up to {size} per file', size=format_size(limit))).classes('text-caption text-grey-8') \
                    .mark('dropzone-limit')
                usage = ui.label().classes('text-caption text-grey-8').mark('attachments-usage')
                ui.element('q-uploader-add-trigger')  # the whole zone opens the file chooser
        upload.add_slot('list', file_list_template())

        async def show_usage() -> None:
            used, quota = await attachments.storage_usage(actor)
            usage.text = _('Organization storage: {used} used of {quota}', used=format_size(used),
                           quota=format_size(quota))

        await _cloud_choices(ctx, kind, record, show_problem, file_list)
        await show_usage()
        await file_list()


def _note(icon: str, text: str, link_text: str, target: str, *, mark: str) -> None:
    """A line under the drop zone that says where to go for more, and links there (marked `{mark}-note`, its link
    `{mark}-link`); on a phone the words wrap beside the icon."""
    with ui.row().classes('items-start no-wrap gap-1 text-grey-8 text-caption').mark(f'{mark}-note'):
        ui.icon(icon, size='xs').classes('q-mt-xs')
        with ui.element('div'):
            ui.label(text).classes('inline')
            ui.link(link_text, target).classes('inline q-ml-xs').mark(f'{mark}-link')


async def _cloud_choices(ctx: PageContext, kind: Kind, record: Record, show_problem, file_list) -> None:
    """'From Google Drive' / 'From Dropbox' for the accounts a premium organization's user has connected; else
    where to get them: the premium plan (the organization's page) or Settings' cloud accounts."""
    if ctx.org.plan != 'premium':
        _note('workspace_premium', _('Attaching files from Google Drive and Dropbox comes with the premium plan:'),
              _('see your organization'), ORGANIZATION_PAGE, mark='cloud-premium')
        return
    states = [s for s in await cloud.account_states(user=ctx.user, integrations=integrations()) if s.configured]
    if states and all(s.status == 'disconnected' for s in states):
        stores = format_list([s.label for s in states], style='or', locale=i18n.current())
        _note('add_link', _('To attach files from {stores}, connect your account in', stores=stores),
              _('Settings › Cloud accounts'), CLOUD_SETTINGS, mark='cloud-connect')
        return
    with ui.row().classes('items-center gap-2'):
        for state in states:
            if state.status == 'disconnected':
                continue
            if state.status == 'revoked':
                with ui.row().classes('items-center gap-1').mark(f'picker-{state.provider}-reconnect'):
                    ui.label(_('{store} needs to be reconnected:', store=state.label)).classes('text-warning')
                    ui.link(_('Settings'), CLOUD_SETTINGS)
                continue
            ui.button(_('From {store}', store=state.label), icon=SOURCE_ICONS[state.provider],
                      on_click=lambda s=state: _open_picker(ctx, kind, record, s.provider, s.label, show_problem,
                                                            file_list)) \
                .props('outline no-caps').mark(f'picker-{state.provider}')


async def _open_picker(ctx: PageContext, kind: Kind, record: Record, provider: str, label: str, show_problem,
                       file_list) -> None:
    """Browse folders or search, then attach one file as a link."""
    trail: list[tuple[str | None, str]] = [(None, label)]

    with ui.dialog() as dialog, ui.card().classes('w-[40rem] max-w-full'):
        ui.label(_('Attach from {store}', store=label)).classes('text-h6')
        with ui.row().classes('w-full items-end no-wrap gap-2'):
            query = ui.input(_('Search by name')).classes('grow').mark('picker-query')
            ui.button(icon='search', on_click=lambda: search()).props('flat round').mark('picker-search')
        crumbs = ui.row().classes('items-center gap-1 text-caption')
        spinner = ui.spinner(size='lg')
        listing = ui.column().classes('w-full gap-1 max-h-[50vh] overflow-auto').mark('picker-list')
        with ui.row().classes('w-full justify-end'):
            ui.button(_('Close'), on_click=dialog.close).props('flat').mark('picker-close')

    def show(entries: list[FileEntry], heading: str | None = None) -> None:
        listing.clear()
        with listing:
            if heading:
                ui.label(heading).classes('text-caption text-grey-7')
            if not entries:
                ui.label(_('Nothing here.')).classes('text-grey-7').mark('picker-empty')
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
                        ui.button(_('Attach'), on_click=lambda e=entry: attach(e)).props('dense') \
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
            show(entries, _('Files matching “{query}”', query=query.value))

    async def attach(entry: FileEntry) -> None:
        ran = await _shown(attachments.add_link(ctx.membership, kind, record.id, source=provider, file_id=entry.id,
                                                integrations=integrations()),
                           _('Attached {name} from {store}', name=entry.name, store=label), show_problem)
        dialog.close()
        if ran:
            file_list.refresh()

    query.on('keydown.enter', search)
    dialog.on_value_change(lambda e: None if e.value else dialog.delete())  # each opening makes a new one
    dialog.open()
    await load(None)
