"""The import page (upload → preview and map columns → mode → run with progress → report → undo), and the
session-authenticated routes the list pages' "Export CSV" / "Export vCard" buttons download from (and the file of a
large export, which runs as a background job: the header's Download link)."""
from __future__ import annotations

from urllib.parse import urlencode

from babel.numbers import format_decimal
from fastapi import FastAPI, Request
from nicegui import ui

from models import i18n
from models.access import Action, parse_id
from models.errors import NotFound, RubricaError, ValidationFailed
from models.imports import reading, reports
from models.imports.formats import MAX_IMPORT_BYTES
from models.imports.tables import ImportBatch, ImportRow, Status
from models.imports.undo import undo_import
from models.jobs import exports as export_jobs, imports as import_jobs, queue as jobs, store as job_store
from models.jobs.tables import Job, Status as JobStatus
from models.records import exports
from models.i18n import N_, _, ngettext
from models.records.tables import KINDS
from web.downloads import export_response, file_response
from web.session import session_membership, signed_in_user

from . import moments
from .feedback import FAILED, attempt
from .frame import frame, no_access, records_allowed
from .jobs import progress_text, share
from .record_card import PLURAL
from .session import PageContext, page_context, to_login
from .page_route import page

SAMPLES = 3  # the first values shown of each column
MODES = {'create': N_('Create only: skip rows that match an existing record'),
         'update': N_('Update matches: by email, then VAT number; create the others')}
REPORT_COLUMNS = [  # labels translated where the table is made
    {'name': 'row', 'label': N_('Row'), 'field': 'row', 'align': 'right'},
    {'name': 'status', 'label': N_('Result'), 'field': 'result', 'align': 'left'},
    {'name': 'name', 'label': N_('Record'), 'field': 'name', 'align': 'left'},
    {'name': 'message', 'label': N_('Reason / notes'), 'field': 'message', 'align': 'left'},
]
ROW_RESULTS = {'created': N_('created'), 'updated': N_('updated'), 'skipped': N_('skipped')}
BATCH_STATES = {'running': N_('running'), 'done': N_('done'), 'failed': N_('failed'), 'undone': N_('undone')}
SEPARATORS = {',': N_('comma-separated'), ';': N_('semicolon-separated'), '\t': N_('tab-separated')}
KIND_PLURALS = {'contact': N_('contacts'), 'company': N_('companies')}
GO_TO = {'contact': N_('Go to contacts'), 'company': N_('Go to companies')}


def _number(value: int) -> str:
    return format_decimal(value, locale=i18n.current())


def counts_text(batch: ImportBatch) -> str:
    """'3 created, 0 updated, 1 skipped' and, when there are, the companies the import made."""
    text = ', '.join((ngettext('{count} created', '{count} created', batch.created),
                      ngettext('{count} updated', '{count} updated', batch.updated),
                      ngettext('{count} skipped', '{count} skipped', batch.skipped)))
    if batch.companies_created:
        text += '; ' + ngettext('{count} new company', '{count} new companies', batch.companies_created)
    return text


# ---------------------------------------------------------------- export downloads (session, not token)

def export_path(org_id: int, kind: str, file_format: str, query: str, filters: dict[str, object],
                separator: str = '', ids: list[int] | None = None) -> str:
    """The download of the list as searched and filtered, or of the selected records `ids` alone."""
    params = {name: value for name, value in {'q': query, **filters, 'separator': separator}.items()
              if value not in (None, '')}
    if ids is not None:
        params = {'ids': ids, **({'separator': separator} if separator else {})}
    suffix = f'?{urlencode(params, doseq=True)}' if params else ''
    return f'/exports/{org_id}/{PLURAL[kind]}.{file_format}{suffix}'


def install_routes(fastapi_app: FastAPI) -> None:
    @fastapi_app.get('/exports/{org}/{name}', include_in_schema=False)
    async def download(org: int, name: str, request: Request):
        actor = await session_membership(org, 'export')
        filters: dict[str, object] = dict(request.query_params)
        query = filters.pop('q', '')
        separator = filters.pop('separator', 'comma')
        ids = request.query_params.getlist('ids') if filters.pop('ids', None) is not None else None
        if filters.get('company_id'):  # text that names no company matches nothing, as a hidden company's id does
            filters['company_id'] = parse_id(filters['company_id']) or -1
        return export_response(exports.open_export(actor, name, q=query, filters=filters, separator=separator,
                                                   ids=ids))

    @fastapi_app.get('/job-files/{job_id}', include_in_schema=False)
    async def download_job_file(job_id: str, request: Request):
        """A finished export job's file, for its owner alone (the header's Download link)."""
        user = await signed_in_user()
        if user is None:
            raise NotFound(message=_('This export has no file to download: it is not finished, or it expired'))
        found = await export_jobs.open_file(user.id, parse_id(job_id), request.app.state.integrations)
        return file_response(found.filename, found.content_type, found.chunks, found.size)


# ---------------------------------------------------------------- the page

class ImportPage:
    def __init__(self, ctx: PageContext, kind: str) -> None:
        self.ctx = ctx
        self.kind = kind if kind in KINDS else 'contact'
        self.data = b''  # the uploaded file, read again in a worker when the import runs
        self.file_format = 'csv'
        self.shown: reading.Preview | None = None
        self.filename = ''
        self.selects: list[ui.select] = []
        self.batch: ImportBatch | None = None
        self.status_filter = ''
        self.job: Job | None = None
        self.run_button: ui.button | None = None

    def build(self) -> None:
        with ui.card().classes('w-full'):
            ui.label(_('1. Choose what the file holds and upload it (CSV from a spreadsheet, Google Contacts or '
                       'Outlook; or vCards)')).classes('font-medium')
            ui.toggle({'contact': _('Contacts'), 'company': _('Companies')}, value=self.kind,
                      on_change=lambda e: self.set_kind(e.value)).mark('import-kind')
            self.upload = ui.upload(label=_('CSV or vCard file'), auto_upload=True, max_file_size=MAX_IMPORT_BYTES,
                                    on_upload=self.receive,
                                    on_rejected=lambda: self.problem.set_text(_(
                                        'Import files may be at most {size} MiB',
                                        size=_number(MAX_IMPORT_BYTES // (1024 * 1024))))) \
                .props('accept=".csv,.txt,.tsv,.vcf,.vcard,text/csv,text/vcard" flat bordered') \
                .classes('max-w-full').mark('import-upload')
            self.problem = ui.label().classes('text-negative').mark('import-problem')
        self.preview = ui.column().classes('w-full')
        self.result = ui.column().classes('w-full')

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        if self.shown is not None:
            self.shown.for_kind(kind)
            self.show_preview()

    async def receive(self, event) -> None:
        self.problem.set_text('')
        self.filename = event.file.name or ''
        data = await event.file.read()
        self.upload.reset()
        self.data, self.shown = b'', None
        self.file_format = reading.sniff_format(data, self.filename)
        try:
            shown = await attempt(reading.preview(self.ctx.membership, kind=self.kind, data=data,
                                                  file_format=self.file_format), passing=(RubricaError,))
        except RubricaError as e:  # the file's problem, said next to the upload
            self.preview.clear()
            self.problem.set_text(f'{self.filename}: {e.message}')
            return
        if shown is FAILED:
            return
        self.data, self.shown = data, shown
        self.show_preview()

    def show_preview(self) -> None:
        self.preview.clear()
        self.result.clear()
        self.selects = []
        with self.preview, ui.card().classes('w-full'):
            shown = self.shown
            if shown.file_format == 'vcard':
                ui.label(ngettext('2. {file}: {count} vCard, imported as contacts',
                                  '2. {file}: {count} vCards, imported as contacts', shown.row_count,
                                  file=self.filename)) \
                    .classes('font-medium').mark('import-summary')
            else:
                separated = _(SEPARATORS[shown.delimiter]) if shown.delimiter in SEPARATORS \
                    else _('{character}-separated', character=shown.delimiter)
                ui.label(ngettext('2. {file}: {count} row, {separated}, read as {encoding}. Choose the field each '
                                  'column goes to.',
                                  '2. {file}: {count} rows, {separated}, read as {encoding}. Choose the field each '
                                  'column goes to.', shown.row_count,
                                  file=self.filename, separated=separated, encoding=shown.encoding)) \
                    .classes('font-medium').mark('import-summary')
                options = {'': _('— ignore —'), **shown.fields}
                with ui.grid(columns='minmax(8rem, 1fr) minmax(12rem, 1fr) 2fr').classes('w-full items-center gap-1'):
                    ui.label(_('Column')).classes('text-grey-7')
                    ui.label(_('Field')).classes('text-grey-7')
                    ui.label(_('First values')).classes('text-grey-7')
                    for i, header in enumerate(shown.headers):
                        ui.label(header or _('(column {number})', number=i + 1)).mark(f'import-header-{i}')
                        self.selects.append(ui.select(options, value=shown.mapping[i]).props('dense outlined')
                                            .mark(f'import-map-{i}'))
                        samples = [row[i] for row in shown.rows[:SAMPLES] if row[i].strip()]
                        ui.label(' · '.join(samples)[:200]).classes('text-grey-8 text-sm ellipsis')
            self.mode = ui.radio({mode: _(text) for mode, text in MODES.items()}, value='create').mark('import-mode')
            with ui.row().classes('items-center gap-2 w-full'):
                self.run_button = ui.button(_('Run import'), icon='upload', on_click=self.run).mark('import-run')
                self.progress_bar()

    def progress_bar(self) -> None:
        """The running import's progress, and its Cancel (hidden until it runs)."""
        self.progress = ui.linear_progress(value=0, show_value=False).classes('grow').mark('import-progress')
        self.progress_label = ui.label().mark('import-progress-label')
        self.cancel_button = ui.button(_('Cancel'), on_click=self.cancel).props('flat color=negative') \
            .mark('import-cancel')
        for element in (self.progress, self.cancel_button):
            element.set_visibility(False)

    async def run(self) -> None:
        """The import runs as a background job: closing the page does not stop it, and its page (/import?job=…,
        linked from the header) shows it again; this page follows it to its report."""
        mapping = [select.value or '' for select in self.selects] if self.file_format == 'csv' else None
        self.problem.set_text('')
        self.run_button.disable()
        try:
            job = await attempt(jobs.start_import(self.ctx.membership, kind=self.kind, data=self.data,
                                                  filename=self.filename, file_format=self.file_format,
                                                  mode=self.mode.value, mapping=mapping), passing=(ValidationFailed,))
        except ValidationFailed as e:  # the kind, format or mode: said where the file's problems are
            self.problem.set_text(e.message)
            job = FAILED
        if job is FAILED:
            self.run_button.enable()
            return
        await self.follow(job)

    def show_progress(self, job: Job) -> None:
        self.job = job
        self.progress.set_visibility(True)
        self.progress.set_value(share(job))
        self.progress_label.set_text(progress_text(job))
        self.cancel_button.set_visibility(not job.cancel_requested)

    async def follow(self, job: Job) -> None:
        """Show the job's progress until it ends; then its import's report, or what stopped it."""
        self.show_progress(job)
        job = await job_store.wait(job, seen=self.show_progress)
        batch = await import_jobs.batch_of(job)
        if batch is not None and job.status == JobStatus.SUCCEEDED.value:
            self.preview.clear()
            await self.show_report(batch)
            return
        self.show_progress(job)
        for element in (self.progress, self.cancel_button):
            element.set_visibility(False)
        self.problem.set_text(progress_text(job))  # a file that cannot be imported: said where its problems are
        if self.run_button is not None:
            self.run_button.enable()

    async def cancel(self) -> None:
        if await attempt(jobs.cancel(self.ctx.user.id, self.job.id)) is not FAILED:
            self.cancel_button.set_visibility(False)
            self.progress_label.set_text(_('Stopping…'))

    async def show_report(self, batch: ImportBatch) -> None:
        self.batch = batch
        self.status_filter = ''
        first_page = await attempt(reports.report_rows(self.ctx.membership, batch.id, limit=50))
        self.result.clear()
        with self.result, ui.card().classes('w-full'):
            ui.label(f'{batch.filename or _("Import")}: {counts_text(batch)}') \
                .classes('text-h6').mark('import-report-summary')
            self.state = ui.label(self.state_text(batch)).mark('import-state')
            with ui.row().classes('items-center gap-2 w-full'):
                ui.select({'': _('All rows'), 'created': _('Created'), 'updated': _('Updated'),
                           'skipped': _('Skipped')},
                          value='', label=_('Show'), on_change=lambda e: self.set_filter(e.value)) \
                    .props('dense outlined').classes('min-w-[10rem]').mark('import-report-filter')
                ui.space()
                self.undo_button = ui.button(_('Undo this import'), icon='undo', on_click=self.confirm_undo) \
                    .props('outline color=negative').mark('import-undo')
                self.undo_button.set_visibility(batch.status == Status.DONE.value)
                ui.link(_(GO_TO[batch.kind]), f'/{PLURAL[batch.kind]}').mark('import-go-to-list')
            columns = [{**column, 'label': _(column['label'])} for column in REPORT_COLUMNS]
            self.table = ui.table(rows=[], columns=columns, row_key='row',
                                  pagination={'rowsPerPage': 50, 'page': 1, 'rowsNumber': 0}) \
                .props('flat bordered dense').classes('w-full').mark('import-report')
            self.table.on('request', self.on_request)
            # with its first rows, not empty and filled after; inside the card, as the handler's own element (the run
            # button) is gone and texts find the page's language through the element being built
            if first_page is not FAILED:
                self.show_rows(first_page, 1, 50)

    @staticmethod
    def state_text(batch: ImportBatch) -> str:
        if batch.status == 'done':
            return _('Finished {moment}', moment=moments.moment(batch.finished_at)) if batch.finished_at \
                else _('Finished')
        return {'undone': _('This import was undone: what it created is gone, what it updated is as before'),
                'failed': reports.batch_message(batch) or _('The import failed'),
                'running': _('Still running…')}[batch.status]

    async def set_filter(self, status: str) -> None:
        self.status_filter = status or ''
        await self.load_rows(1, 50)

    async def on_request(self, e) -> None:
        pagination = e.args.get('pagination', {}) if isinstance(e.args, dict) else {}
        await self.load_rows(max(1, int(pagination.get('page') or 1)),
                             min(reports.PAGE_MAX, max(1, int(pagination.get('rowsPerPage') or 50))))

    async def load_rows(self, page: int, per_page: int) -> None:
        found = await attempt(reports.report_rows(self.ctx.membership, self.batch.id, status=self.status_filter,
                                                  limit=per_page, offset=(page - 1) * per_page))
        if found is not FAILED:
            self.show_rows(found, page, per_page)

    def show_rows(self, found: tuple[list[ImportRow], int], page: int, per_page: int) -> None:
        rows, total = found
        self.table.rows = [{'row': r.row, 'status': r.status, 'result': _(ROW_RESULTS.get(r.status, r.status)),
                            'name': r.name, 'message': r.message} for r in rows]
        self.table.pagination = {'rowsPerPage': per_page, 'page': page, 'rowsNumber': total}

    def confirm_undo(self) -> None:
        with ui.dialog() as dialog, ui.card():
            ui.label(' '.join((
                _('Undo this import?'),
                ngettext('The record it created is deleted.', 'The {count} records it created are deleted.',
                         self.batch.created),
                ngettext('The record it updated gets its previous values back.',
                         'The {count} records it updated get their previous values back.', self.batch.updated))))
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=dialog.close).props('flat')

                async def undo() -> None:
                    dialog.close()
                    batch = await attempt(undo_import(self.ctx.membership, self.batch.id))
                    if batch is FAILED:
                        return
                    self.batch = batch
                    self.undo_button.set_visibility(False)
                    self.state.set_text(self.state_text(batch))
                    ui.notify(_('The import was undone'), type='positive')

                ui.button(_('Undo'), on_click=undo).props('color=negative').mark('import-undo-confirm')
        dialog.open()

    def following(self, job: Job) -> None:
        """The page of an import job started earlier (/import?job=…): its progress, then its report."""
        with ui.card().classes('w-full'):
            ui.label(job.params.get('filename') or _('Import')).classes('font-medium').mark('import-summary')
            with ui.row().classes('items-center gap-2 w-full'):
                self.progress_bar()
            self.problem = ui.label().classes('text-negative').mark('import-problem')
        self.preview = ui.column().classes('w-full')
        self.result = ui.column().classes('w-full')
        # followed from the timer's handler, which speaks the page's language, once the page is shown
        ui.timer(0.05, lambda: self.follow(job), once=True)


async def recent_imports(ctx: PageContext) -> None:
    batches = await reports.recent_batches(ctx.membership)
    if not batches:
        return
    with ui.expansion(_('Your recent imports'), icon='history').classes('w-full').mark('import-recent'):
        for batch in batches:
            kind = _(KIND_PLURALS[batch.kind]) if batch.kind in KIND_PLURALS else batch.kind
            state = _(BATCH_STATES[batch.status]) if batch.status in BATCH_STATES else batch.status
            ui.link(f'{moments.moment(batch.created_at)} · {batch.filename or batch.source} · {kind} · '
                    f'{counts_text(batch)} · {state}', f'/import?batch={batch.id}')


@page('/import', title='Import · Rubrica')
async def import_page(kind: str = 'contact', batch: str = '', job: str = ''):
    if (ctx := await page_context()) is None:
        return to_login('/import')
    ui.page_title(_('Import') + ' · Rubrica')
    with frame(ctx, _('Import contacts or companies')):
        if not records_allowed(ctx, action=Action.EDIT_RECORDS):  # the roles that see records are those that import
            return
        page = ImportPage(ctx, kind)
        if job:
            try:
                found_job = await job_store.get(ctx.user.id, parse_id(job))
            except RubricaError as e:
                no_access(e.message)
                return
            page.following(found_job)
            return
        if batch:
            try:
                found = await reports.get_batch(ctx.membership, parse_id(batch))
            except RubricaError as e:
                no_access(e.message)
                return
            page.result = ui.column().classes('w-full')
            await page.show_report(found)
            return
        page.build()
        await recent_imports(ctx)
