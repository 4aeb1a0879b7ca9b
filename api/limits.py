"""A JSON body over 1 MiB is refused with 413 before it is read into memory (uploads have their own limit)."""
from __future__ import annotations

import json

from starlette.exceptions import HTTPException

JSON_BODY_LIMIT = 1024 * 1024


class _TooLarge(HTTPException):
    """An HTTPException, so that FastAPI's body parsing passes it on as a 413 instead of a generic 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f'The request body is larger than {limit // 1024} KiB')


class JsonBodyLimit:
    """Pure ASGI middleware: counts the bytes of non-multipart API bodies, whatever Content-Length says."""

    def __init__(self, app, limit: int = JSON_BODY_LIMIT) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] != 'http' or not scope['path'].startswith('/api/') or self._is_multipart(scope):
            await self.app(scope, receive, send)
            return
        declared = dict(scope['headers']).get(b'content-length')
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        received = 0
        response_started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message['type'] == 'http.request':
                received += len(message.get('body', b''))
                if received > self.limit:
                    raise _TooLarge(self.limit)
            return message

        async def tracking_send(message):
            nonlocal response_started
            response_started = response_started or message['type'] == 'http.response.start'
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not response_started:
                await self._refuse(send)

    @staticmethod
    def _is_multipart(scope) -> bool:
        return dict(scope['headers']).get(b'content-type', b'').lower().startswith(b'multipart/form-data')

    async def _refuse(self, send) -> None:
        body = json.dumps({'detail': f'The request body is larger than {self.limit // 1024} KiB'}).encode()
        await send({'type': 'http.response.start', 'status': 413,
                    'headers': [(b'content-type', b'application/json'), (b'content-length', str(len(body)).encode())]})
        await send({'type': 'http.response.body', 'body': body})
