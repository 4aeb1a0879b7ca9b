"""Sending a file back: as a download no browser renders as a page, with the exact file name.

One way for every download of the app: the API's attachment content and exports, the pages' `/files/…` and
`/exports/…` routes.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

from starlette.responses import RedirectResponse, Response, StreamingResponse

from models.files.attachments import Download
from models.records.exports import Export

SAFE_HEADERS = {
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cache-Control': 'private, no-store',
}


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact name in RFC 5987's filename*."""
    fallback = ''.join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;%' else '_' for ch in filename) or 'file'
    return f'attachment; filename="{fallback}"; filename*=UTF-8\'\'{quote(filename, safe="")}'


def file_response(filename: str, content_type: str, chunks: AsyncIterator[bytes],
                  size: int | None = None) -> StreamingResponse:
    """The bytes, streamed as they come, as an attachment called `filename`."""
    headers = {'Content-Disposition': content_disposition(filename), **SAFE_HEADERS}
    if size is not None:
        headers['Content-Length'] = str(size)
    return StreamingResponse(chunks, media_type=content_type, headers=headers)


def download_response(download: Download) -> Response:
    """An attachment's content, or a redirect to the provider that holds it."""
    if download.redirect:
        return RedirectResponse(download.redirect, status_code=303, headers={'Cache-Control': 'private, no-store'})
    return file_response(download.filename, download.content_type, download.chunks, download.size)


def export_response(export: Export) -> StreamingResponse:
    """An export of a list, sent as it is written."""
    return file_response(export.filename, export.content_type, export.chunks)
