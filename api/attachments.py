"""Attachments of contacts and companies: upload (streamed), link from a cloud drive, list, download, delete."""
from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import Field, ValidationError

from models.errors import TooLarge, ValidationFailed
from models.files import attachments
from models.files.tables import Attachment
from models.i18n import _
from models.records.tables import KINDS, Kind

from web.downloads import download_response
from web.limits import MULTIPART_OVERHEAD, UploadRoute, file_upload_limit

from .deps import AppIntegrations, OrgMembership
from .errors import responses
from .schemas import Body, Id, JsonRoute, Offset, parse_json
from .uploads import MultipartFile

router = APIRouter(tags=['attachments'], route_class=JsonRoute)

KIND_PATHS = {'contacts': KINDS['contact'], 'companies': KINDS['company']}
MAX_LINK_BODY = 4096


def _upload_message(settings) -> str:
    return larger_than_upload(settings.max_upload_bytes)


def larger_than_upload(limit: int) -> str:
    return _('The file is larger than the {size} MiB a single upload may have', size=limit // (1024 * 1024))


UPLOAD_ROUTE = UploadRoute(r'/api/v1/orgs/[^/]+/(contacts|companies)/[^/]+/attachments', file_upload_limit,
                           _upload_message)


class LinkBody(Body):
    source: Literal['google_drive', 'dropbox']
    file_id: str = Field(min_length=1, max_length=255)


def attachment_json(attachment: Attachment) -> dict:
    data = {'id': attachment.id, 'filename': attachment.filename, 'size': attachment.size,
            'content_type': attachment.content_type, 'source': attachment.source,
            'created_at': attachment.created_at, 'contact_id': attachment.contact_id,
            'company_id': attachment.company_id, 'uploaded_by': attachment.uploaded_by_id}
    if not attachment.is_upload:
        data['web_link'] = attachment.web_link
    return data


def _kind(kinds: str) -> Kind:
    return KIND_PATHS[kinds]


KindPath = Annotated[Literal['contacts', 'companies'], 'contacts or companies']


@router.post('/orgs/{org}/{kinds}/{record_id}/attachments', status_code=201, responses=responses(409),
             openapi_extra={'requestBody': {'content': {
                 'multipart/form-data': {'schema': {'type': 'object', 'properties': {
                     'file': {'type': 'string', 'format': 'binary'}}, 'required': ['file']}},
                 'application/json': {'schema': LinkBody.model_json_schema()}}, 'required': True}})
async def add_attachment(kinds: KindPath, record_id: Id, request: Request, actor: OrgMembership,
                         integrations: AppIntegrations) -> dict:
    """A multipart `file` is uploaded (counted against the quota); JSON `{source, file_id}` links a cloud file."""
    kind = _kind(kinds)
    content_type = request.headers.get('content-type', '').lower()
    if content_type.startswith('application/json'):
        raw = b''
        async for chunk in request.stream():  # a link is a few bytes: never read more than MAX_LINK_BODY
            raw += chunk
            if len(raw) > MAX_LINK_BODY:
                raise TooLarge(_('The request body is too large'))
        try:
            body = LinkBody.model_validate(parse_json(raw))
        except json.JSONDecodeError as e:
            raise RequestValidationError([{'type': 'json_invalid', 'loc': ('body', e.pos), 'msg': 'JSON decode error',
                                           'ctx': {'error': e.msg}}]) from None
        except ValidationError as e:
            raise RequestValidationError(e.errors(include_url=False)) from None
        attachment = await attachments.add_link(actor, kind, record_id, source=body.source, file_id=body.file_id,
                                                integrations=integrations)
        return attachment_json(attachment)
    if not content_type.startswith('multipart/form-data'):
        raise ValidationFailed.one('file', _('send a multipart/form-data body with the field "file", or JSON {body} '
                                             'to link a cloud file', body='{source, file_id}'))
    declared = request.headers.get('content-length', '')
    if declared.isdigit() and int(declared) > integrations.max_upload_bytes + MULTIPART_OVERHEAD:
        raise TooLarge(larger_than_upload(integrations.max_upload_bytes))
    upload = MultipartFile(request)
    await upload.start()
    attachment = await attachments.add_upload(actor, kind, record_id, filename=upload.filename,
                                              content_type=upload.content_type, chunks=upload.chunks(),
                                              integrations=integrations)
    return {name: value for name, value in attachment_json(attachment).items()
            if name in ('id', 'filename', 'size', 'content_type', 'source', 'created_at', 'contact_id',
                        'company_id', 'uploaded_by')}


@router.get('/orgs/{org}/{kinds}/{record_id}/attachments')
async def list_attachments(kinds: KindPath, record_id: Id, actor: OrgMembership,
                           limit: int = Query(attachments.LIST_LIMIT, ge=1, le=attachments.LIST_LIMIT),
                           offset: Offset = 0) -> list[dict]:
    found = await attachments.list_attachments(actor, _kind(kinds), record_id, limit=limit, offset=offset)
    return [attachment_json(a) for a in found]


@router.get('/orgs/{org}/attachments/{attachment_id}')
async def get_attachment(attachment_id: Id, actor: OrgMembership) -> dict:
    return attachment_json(await attachments.get_attachment(actor, attachment_id))


@router.get('/orgs/{org}/attachments/{attachment_id}/content')
async def attachment_content(attachment_id: Id, actor: OrgMembership, integrations: AppIntegrations) -> Response:
    """The bytes as a download (never rendered by the browser); a Dropbox file, or a Google document, redirects
    to the provider."""
    return download_response(await attachments.open_attachment(actor, attachment_id, integrations=integrations))


@router.delete('/orgs/{org}/attachments/{attachment_id}', status_code=204)
async def delete_attachment(attachment_id: Id, actor: OrgMembership, integrations: AppIntegrations) -> Response:
    await attachments.delete_attachment(actor, attachment_id, integrations=integrations)
    return Response(status_code=204)
