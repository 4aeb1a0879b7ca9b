"""Request bodies past a limit are refused with 413 as they arrive, before they are read into memory or spooled:
JSON bodies over 1 MiB here, import uploads in api/imports.py (attachments have their own streaming limit)."""
from __future__ import annotations

import json

from starlette.exceptions import HTTPException

JSON_BODY_LIMIT = 1024 * 1024


class _TooLarge(HTTPException):
    """An HTTPException, so that FastAPI's body parsing passes it on as a 413 instead of a generic 400."""

    def __init__(self, message: str) -> None:
        super().__init__(413, message)


class BodyLimit:
    """Pure ASGI middleware: counts the bytes of the bodies it `applies` to, whatever Content-Length says."""

    def __init__(self, app, limit: int | None = None) -> None:
        self.app = app
        self.limit = limit  # None: `default_limit()`, looked up at each request

    def applies(self, scope) -> bool:
        raise NotImplementedError

    def default_limit(self) -> int:
        raise NotImplementedError

    def message(self, limit: int) -> str:
        raise NotImplementedError

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] != 'http' or not self.applies(scope):
            await self.app(scope, receive, send)
            return
        limit = self.limit or self.default_limit()
        declared = dict(scope['headers']).get(b'content-length', b'')
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        received = 0
        response_started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message['type'] == 'http.request':
                received += len(message.get('body', b''))
                if received > limit:
                    raise _TooLarge(self.message(limit))
            return message

        async def tracking_send(message):
            nonlocal response_started
            response_started = response_started or message['type'] == 'http.response.start'
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not response_started:
                await self._refuse(send, limit)

    async def _refuse(self, send, limit: int) -> None:
        body = json.dumps({'detail': self.message(limit)}).encode()
        await send({'type': 'http.response.start', 'status': 413,
                    'headers': [(b'content-type', b'application/json'), (b'content-length', str(len(body)).encode())]})
        await send({'type': 'http.response.body', 'body': body})


def is_multipart(scope) -> bool:
    return dict(scope['headers']).get(b'content-type', b'').lower().startswith(b'multipart/form-data')


class JsonBodyLimit(BodyLimit):
    """Non-multipart API bodies: 1 MiB."""

    def applies(self, scope) -> bool:
        return scope['path'].startswith('/api/') and not is_multipart(scope)

    def default_limit(self) -> int:
        return JSON_BODY_LIMIT

    def message(self, limit: int) -> str:
        return f'The request body is larger than {limit // 1024} KiB'
