"""Reading one file out of a multipart/form-data body as it arrives (the API's attachment upload).

The body is never held whole, in memory or on disk: the parts' bytes are handed on chunk by chunk (the
store writes them straight into its temporary file). Files come back with web/downloads.py.
"""
from __future__ import annotations

from collections.abc import AsyncIterator

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from models.errors import ValidationFailed
from models.i18n import _

PART_HEADERS_MAX = 16 * 1024  # the headers of one part (its name, filename and type) may not be longer


def _decode(raw: bytes) -> str:
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError:
        return raw.decode('latin-1')


class MultipartFile:
    """The `field` file part of a multipart body: `await start()` reads up to its headers (name and type),
    then `chunks()` yields its bytes as they arrive. Other parts are skipped."""

    def __init__(self, request: Request, field: str = 'file') -> None:
        _value, params = parse_options_header(request.headers.get('content-type', ''))
        boundary = params.get(b'boundary')
        if not boundary:
            raise ValidationFailed.one('file', _('send the file as multipart/form-data'))
        self.field = field
        self.filename = ''
        self.content_type = ''
        self._stream = request.stream().__aiter__()
        self._pending: list[bytes] = []
        self._headers: dict[bytes, bytes] = {}
        self._header_name = b''
        self._header_value = b''
        self._header_bytes = 0
        self._in_file = False
        self._found = False
        self._file_done = False
        self._body_done = False
        try:
            self._parser = MultipartParser(boundary, callbacks={
                'on_part_begin': self._part_begin, 'on_header_field': self._header_field,
                'on_header_value': self._header_value_part, 'on_header_end': self._header_end,
                'on_headers_finished': self._headers_finished, 'on_part_data': self._part_data,
                'on_part_end': self._part_end})
        except (FormParserError, ValueError):
            raise ValidationFailed.one('file', _('the multipart boundary in Content-Type is not valid (1 to 70 '
                                                 'characters)')) from None

    # ------------------------------------------------ parser callbacks
    def _part_begin(self) -> None:
        self._headers = {}
        self._header_bytes = 0

    def _count_header(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > PART_HEADERS_MAX:
            raise ValidationFailed.one('file', _('a part of the multipart body has headers over {size} KiB',
                                                 size=PART_HEADERS_MAX // 1024))

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._header_name += data[start:end]

    def _header_value_part(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name = self._header_value = b''

    def _headers_finished(self) -> None:
        _value, options = parse_options_header(self._headers.get(b'content-disposition', b''))
        if not self._found and _decode(options.get(b'name', b'')) == self.field and b'filename' in options:
            self._found = self._in_file = True
            self.filename = _decode(options[b'filename'])
            self.content_type = _decode(self._headers.get(b'content-type', b''))

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._pending.append(bytes(data[start:end]))

    def _part_end(self) -> None:
        if self._in_file:
            self._in_file = False
            self._file_done = True

    # ------------------------------------------------ reading
    async def _feed(self) -> None:
        try:
            chunk = await self._stream.__anext__()
        except StopAsyncIteration:
            self._body_done = True
            return
        if chunk:
            try:
                self._parser.write(chunk)
            except FormParserError as e:
                raise ValidationFailed.one('file', _('the multipart/form-data body is malformed ({reason})',
                                                     reason=str(e)[:100])) from None

    async def start(self) -> None:
        try:
            while not self._found and not self._body_done:
                await self._feed()
        except ClientDisconnect:
            raise ValidationFailed.one('file', _('the upload was interrupted')) from None
        if not self._found:
            raise ValidationFailed.one('file', _('is required: send it as the multipart field "file"'))

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            while self._pending:
                yield self._pending.pop(0)
            if self._file_done:
                return
            if self._body_done:
                raise ValidationFailed.one('file', _('the upload ended before the file did'))
            try:
                await self._feed()
            except ClientDisconnect:
                raise ValidationFailed.one('file', _('the upload was interrupted')) from None
