"""Import (CSV, vCard) with a report and undo, and exports of the filtered lists (CSV, vCard).

Registered before api/records.py: `/contacts/export.csv` must not be read as `/contacts/{record_id}`.
"""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, StreamingResponse

from models.access import Action, require
from models.errors import RubricaError, TooLarge, ValidationFailed
from models.i18n import _
from models.imports import reading, reports, undo
from models.imports.formats import MAX_IMPORT_BYTES
from models.imports.tables import ImportBatch
from models.jobs import exports as export_jobs, imports as import_jobs, queue as jobs, store as job_store
from models.jobs.tables import Status as JobStatus
from models.orgs.tables import Membership
from models.records import exports
from models.records.bulk import MAX_IDS
from web.downloads import export_response
from web.limits import MULTIPART_OVERHEAD, UploadRoute

from .deps import OrgMembership
from .jobs import JobOut, job_item
from .errors import responses
from .schemas import Body, Id, JsonRoute, Offset

router = APIRouter(route_class=JsonRoute)


def _import_limit(_settings) -> int:
    return MAX_IMPORT_BYTES + MULTIPART_OVERHEAD  # the file plus the multipart framing


def _import_message(_settings) -> str:
    return _('Import files may be at most {size} MiB: the upload was stopped', size=MAX_IMPORT_BYTES // (1024 * 1024))


# an import upload past the import limit is refused with 413 as it arrives (web/limits.py), before it is spooled
UPLOAD_ROUTES = tuple(UploadRoute(rf'/api/v1/orgs/[^/]+/{path}', _import_limit, _import_message)
                      for path in ('imports', r'imports/preview', r'contacts/import\.vcf'))


Kind = Literal['contact', 'company']
Mode = Literal['create', 'update']


class ImportSummary(BaseModel):
    id: int
    kind: str
    mode: str
    source: str
    filename: str
    status: Literal['running', 'done', 'failed', 'undone']
    total: int
    created: int
    updated: int
    skipped: int
    companies_created: int
    message: str
    created_at: datetime
    finished_at: datetime | None
    undone_at: datetime | None
    job_id: int | None = None  # the background job that ran it (GET /api/v1/jobs/{id})


class ReportRow(BaseModel):
    row: int
    status: Literal['created', 'updated', 'skipped']
    record_id: int | None
    name: str
    message: str


class ImportReport(ImportSummary):
    rows: list[ReportRow]
    rows_total: int


class Preview(BaseModel):
    encoding: str
    delimiter: str
    headers: list[str]
    rows: list[list[str]]
    row_count: int
    mapping: list[str]
    fields: dict[str, str]


def summary(batch: ImportBatch) -> dict:
    return {name: getattr(batch, name) for name in ImportSummary.model_fields} | {'message': reports.batch_message(batch)}


WAIT_DESCRIPTION = ('`wait` (default true): the answer comes when the import has finished, as before; the import '
                    'runs as a background job all the same, so a client that goes away does not stop it. '
                    '`wait=false`: 202 at once with the job (GET /api/v1/jobs/{id} follows its progress, '
                    'POST /api/v1/jobs/{id}/cancel stops it and takes back what it wrote).')


async def _import_as_job(actor: Membership, wait: bool, **how) -> dict | JSONResponse:
    """Run the import as a background job; answer its job at once, or its import once it has finished."""
    job = await jobs.start_import(actor, **how)
    if not wait:
        return JSONResponse(jsonable_encoder(JobOut(**job_item(job))), status_code=202)
    job = await job_store.wait(job)
    batch = await import_jobs.batch_of(job)
    if job.status != JobStatus.SUCCEEDED.value:
        if (refusal := job_store.failure(job)) is not None:
            raise refusal
        if batch is None:
            raise RubricaError(job_store.message_of(job))
    return summary(batch)


async def _read(upload: UploadFile) -> bytes:
    data = await upload.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise TooLarge(_('Import files may be at most {size} MiB', size=MAX_IMPORT_BYTES // (1024 * 1024)))
    return data


def _mapping(text: str | None) -> list[str] | None:
    if not text:
        return None
    try:
        mapping = json.loads(text)
    except ValueError:
        raise ValidationFailed.one('mapping', _('must be a JSON list of field names')) from None
    except RecursionError:  # lists nested thousands deep
        raise ValidationFailed.one('mapping', _('must be a JSON list of field names, not lists within lists')) \
            from None
    return mapping


@router.post('/orgs/{org}/imports/preview', tags=['imports'], response_model=Preview, responses=responses(400),
             summary='Read a CSV file and guess its column mapping, without importing')
async def preview_import(actor: OrgMembership, file: UploadFile = File(...), kind: Kind = Form('contact')) -> dict:
    require(actor.role, Action.EDIT_RECORDS)  # before the file is read; reading.preview asks the gate again
    return asdict(await reading.preview(actor, kind=kind, data=await _read(file)))


@router.post('/orgs/{org}/imports', status_code=201, tags=['imports'], response_model=ImportSummary,
             responses=responses(400) | {202: {'model': JobOut, 'description': 'wait=false: the job, queued'}},
             summary='Import contacts or companies from a CSV or vCard file',
             description='Multipart: `file`, `kind` (contact|company), `mode` (create: rows matching an existing '
                         'record by email, then VAT number, are skipped; update: the match is updated), `format` '
                         '(csv|vcard) and optionally `mapping`, a JSON list with one field name (or "") per CSV '
                         'column — guessed from the headers when left out (see /imports/preview, whose `fields` '
                         'lists the names). A contacts file may map a column to `company_vat`, the VAT number of '
                         "the contact's company: it finds the company (else its name does, whatever its case, "
                         'accents, punctuation and legal form), and a company the import creates gets it. A type, '
                         "role or sector is the organization's list value it names (case and accents aside); an "
                         'unknown one is left empty with a note. A bad row is reported and skipped (a bad email '
                         'only drops that email, with a note, when the row has another email or a VAT number); '
                         'GET /imports/{id} has the report per row. ' + WAIT_DESCRIPTION)
async def create_import(actor: OrgMembership, file: UploadFile = File(...), kind: Kind = Form('contact'),
                        mode: Mode = Form('create'), format: Literal['csv', 'vcard'] = Form('csv'),  # noqa: A002
                        mapping: str | None = Form(None), wait: bool = Form(True)) -> dict | JSONResponse:
    require(actor.role, Action.EDIT_RECORDS)
    return await _import_as_job(actor, wait, kind=kind, data=await _read(file), filename=file.filename or '',
                                file_format=format, mode=mode, mapping=_mapping(mapping))


@router.get('/orgs/{org}/imports', tags=['imports'], response_model=list[ImportSummary],
            summary="The caller's recent imports in this organization, newest first",
            description='While an import runs, its `created`, `updated` and `skipped` counts grow chunk by chunk.')
async def list_imports(actor: OrgMembership, limit: int = Query(10, ge=1, le=100)) -> list[dict]:
    return [summary(batch) for batch in await reports.recent_batches(actor, limit=limit)]


@router.get('/orgs/{org}/imports/{import_id}', tags=['imports'], response_model=ImportReport,
            summary="An import's report: totals and one line per row (only the caller's own imports)")
async def get_import(import_id: Id, actor: OrgMembership,
                     status: Literal['', 'created', 'updated', 'skipped'] = '',
                     limit: int = Query(100, ge=1, le=reports.PAGE_MAX), offset: Offset = 0) -> dict:
    batch = await reports.get_batch(actor, import_id)
    rows, total = await reports.report_rows(actor, import_id, status=status, limit=limit, offset=offset)
    return summary(batch) | {'rows': [{'row': r.row, 'status': r.status, 'record_id': r.record_id, 'name': r.name,
                                       'message': r.message} for r in rows], 'rows_total': total}


@router.post('/orgs/{org}/imports/{import_id}/undo', tags=['imports'], response_model=ImportSummary,
             responses=responses(409),
             summary='Undo an import: delete what it created, restore what it updated',
             description='409 when the import was already undone, or when a record it created or updated was '
                         'changed since (nothing is undone then).')
async def undo_import(import_id: Id, actor: OrgMembership) -> dict:
    return summary(await undo.undo_import(actor, import_id))


@router.post('/orgs/{org}/contacts/import.vcf', status_code=201, tags=['imports'], response_model=ImportSummary,
             responses=responses(400) | {202: {'model': JobOut, 'description': 'wait=false: the job, queued'}},
             summary='Import contacts from a vCard file (3.0 or 4.0)', description=WAIT_DESCRIPTION)
async def import_vcards(actor: OrgMembership, file: UploadFile = File(...), mode: Mode = Form('create'),
                        wait: bool = Form(True)) -> dict | JSONResponse:
    require(actor.role, Action.EDIT_RECORDS)
    return await _import_as_job(actor, wait, kind='contact', data=await _read(file), filename=file.filename or '',
                                file_format='vcard', mode=mode)


Selection = Annotated[list[Id] | None, Query(max_length=MAX_IDS, description='only these records (a selection; '
                                              'repeat the parameter: ids=1&ids=2), among those the filters keep')]
EXPORT_RESPONSES = {200: {'content': {exports.CSV_TYPE: {}}, 'description': 'The CSV file'}}
Separator = Literal['comma', 'semicolon', 'tab']
SEPARATOR = Query('comma', description='What separates the cells: `comma` (the default), `semicolon` (what Excel '
                  'reads without asking where decimals are written with a comma: Italy, France, Germany…) or `tab`')


@router.get('/orgs/{org}/contacts/export.csv', tags=['exports'], response_class=StreamingResponse,
            responses=EXPORT_RESPONSES, summary='The contacts list as CSV, with the same search and filters')
async def export_contacts_csv(actor: OrgMembership, q: str = '', type: str = '', role: str = '',  # noqa: A002
                              company_id: Id | None = None, ids: Selection = None,
                              separator: Separator = SEPARATOR) -> StreamingResponse:
    filters = {'type': type, 'role': role, 'company_id': company_id}
    return export_response(exports.open_export(actor, 'contacts.csv', q=q, filters=filters, ids=ids,
                                               separator=separator))


@router.get('/orgs/{org}/companies/export.csv', tags=['exports'], response_class=StreamingResponse,
            responses=EXPORT_RESPONSES, summary='The companies list as CSV, with the same search and filters')
async def export_companies_csv(actor: OrgMembership, q: str = '', type: str = '',  # noqa: A002
                               sector: str = '', ids: Selection = None,
                               separator: Separator = SEPARATOR) -> StreamingResponse:
    filters = {'type': type, 'sector': sector}
    return export_response(exports.open_export(actor, 'companies.csv', q=q, filters=filters, ids=ids,
                                               separator=separator))


@router.get('/orgs/{org}/contacts/export.vcf', tags=['exports'], response_class=StreamingResponse,
            responses={200: {'content': {'text/vcard': {}}, 'description': 'vCards 3.0'}},
            summary='The contacts list as vCards, with the same search and filters')
async def export_contacts_vcf(actor: OrgMembership, q: str = '', type: str = '', role: str = '',  # noqa: A002
                              company_id: Id | None = None, ids: Selection = None) -> StreamingResponse:
    filters = {'type': type, 'role': role, 'company_id': company_id}
    return export_response(exports.open_export(actor, 'contacts.vcf', q=q, filters=filters, ids=ids))


# ---------------------------------------------------------------- exports as background jobs

BACKGROUND_EXPORT = ('Runs as a background job, as the caller (only what they may see, checked again when it runs): '
                     '202 at once with the job; GET /api/v1/jobs/{id} follows it (`step` `exporting`, `done` of '
                     '`total` records), POST /api/v1/jobs/{id}/cancel stops it (no file is left). Once it succeeded, '
                     'its `result` names the file (`filename`, `records`, `size`, `expires_at`) and '
                     'GET /api/v1/jobs/{id}/file downloads it, for the caller alone, for 24 hours. The file is the '
                     'same, byte for byte, as the GET export with the same parameters.')
_JOB_RESPONSES = responses(400) | {202: {'model': JobOut, 'description': 'The export job, queued'}}


class ContactsExport(Body):
    format: Literal['csv', 'vcf'] = 'csv'
    q: str = ''
    type: str = ''
    role: str = ''
    company_id: Id | None = None
    ids: list[Id] | None = Field(None, max_length=MAX_IDS, description='only these records (a selection), among '
                                 'those the search and filters keep')
    separator: Separator = Field('comma', description='CSV only: comma, semicolon or tab')


class CompaniesExport(Body):
    format: Literal['csv'] = 'csv'
    q: str = ''
    type: str = ''
    sector: str = ''
    ids: list[Id] | None = Field(None, max_length=MAX_IDS, description='only these records (a selection), among '
                                 'those the search and filters keep')
    separator: Separator = Field('comma', description='comma, semicolon or tab')


async def _export_as_job(actor: Membership, filename: str, body: Body, filters: dict) -> JSONResponse:
    job = await jobs.start_export(actor, filename=filename, q=body.q, filters=filters, separator=body.separator,
                                  ids=body.ids)
    return JSONResponse(jsonable_encoder(JobOut(**job_item(job))), status_code=202)


@router.post('/orgs/{org}/contacts/exports', status_code=202, tags=['exports'], response_model=JobOut,
             responses=_JOB_RESPONSES, summary='Export the contacts list (CSV or vCard) as a background job',
             description=BACKGROUND_EXPORT)
async def start_contacts_export(body: ContactsExport, actor: OrgMembership) -> JSONResponse:
    filters = {'type': body.type, 'role': body.role, 'company_id': body.company_id}
    return await _export_as_job(actor, f'contacts.{body.format}', body, filters)


@router.post('/orgs/{org}/companies/exports', status_code=202, tags=['exports'], response_model=JobOut,
             responses=_JOB_RESPONSES, summary='Export the companies list (CSV) as a background job',
             description=BACKGROUND_EXPORT)
async def start_companies_export(body: CompaniesExport, actor: OrgMembership) -> JSONResponse:
    return await _export_as_job(actor, 'companies.csv', body, {'type': body.type, 'sector': body.sector})
