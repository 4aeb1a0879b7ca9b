"""One limit on request bodies, for every route of the app, decided by the route and never by the content type.

A body past its route's limit is refused with 413 as it arrives, before it is read into memory or spooled to
disk, whatever its Content-Type says (JSON, multipart/form-data, urlencoded, anything) and whether or not it
declares its length. The routes that take uploads say so with an `UploadRoute` (the attachments, the imports,
the pages' upload element); every other route may receive at most JSON_BODY_LIMIT.
"""
from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException

if TYPE_CHECKING:
    from settings import Settings

JSON_BODY_LIMIT = 1024 * 1024


def json_body_message(limit: int) -> str:
    return f'The request body is larger than {limit // 1024} KiB'


@dataclass(frozen=True)
class UploadRoute:
    """Paths (a regular expression matching the whole path) whose bodies may be as large as `limit(settings)`
    bytes; `message(settings)` says what was refused. Both are called for each request."""
    path: str
    limit: Callable[[Settings], int]
    message: Callable[[Settings], str]

    def matches(self, path: str) -> bool:
        return re.fullmatch(self.path, path) is not None


class _TooLarge(HTTPException):
    """An HTTPException, so that FastAPI's body parsing (and Starlette's form parsing) pass it on as a 413 instead
    of a generic 400."""

    def __init__(self, message: str) -> None:
        super().__init__(413, message)


class BodyLimit:
    """Pure ASGI middleware over the whole app: counts the bytes of every request body, whatever Content-Length
    says, against the limit of the route it is sent to."""

    def __init__(self, app, settings: Settings, uploads: Sequence[UploadRoute] = ()) -> None:
        self.app = app
        self.settings = settings
        self.uploads = tuple(uploads)

    def limit_for(self, path: str) -> tuple[int, str]:
        """The body limit of the route at `path`, and the message that refuses a body past it."""
        for route in self.uploads:
            if route.matches(path):
                return route.limit(self.settings), route.message(self.settings)
        return JSON_BODY_LIMIT, json_body_message(JSON_BODY_LIMIT)

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        limit, message = self.limit_for(scope['path'])
        declared = dict(scope['headers']).get(b'content-length', b'')
        if declared.isdigit() and int(declared) > limit:
            await _refuse(send, message)
            return
        received = 0
        response_started = False
        response_done = asyncio.Event()

        async def counting_receive():
            nonlocal received
            if received > limit:
                if response_started:
                    # Past the limit after the answer began (a streamed response draining the body while it waits
                    # for a disconnect): no more of the body is read; the reader waits for the answer to end.
                    await response_done.wait()
                    return {'type': 'http.disconnect'}
                raise _TooLarge(message)  # a reader that goes on after the refusal gets no more of the body
            msg = await receive()
            if msg['type'] == 'http.request':
                received += len(msg.get('body', b''))
                if received > limit:
                    if response_started:
                        return {'type': 'http.request', 'body': b'', 'more_body': True}
                    raise _TooLarge(message)
            return msg

        async def tracking_send(msg):
            nonlocal response_started
            if msg['type'] == 'http.response.start':
                response_started = True
                if received > limit:  # the rest of the body is not wanted: the server closes the connection
                    msg = {**msg, 'headers': [*msg.get('headers', []), (b'connection', b'close')]}
            elif msg['type'] == 'http.response.body' and not msg.get('more_body', False):
                response_done.set()
            await send(msg)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if response_started:
                raise
            await _refuse(send, message)


async def _refuse(send, message: str) -> None:
    body = json.dumps({'detail': message}).encode()
    await send({'type': 'http.response.start', 'status': 413,
                'headers': [(b'content-type', b'application/json'), (b'content-length', str(len(body)).encode()),
                            (b'connection', b'close')]})
    await send({'type': 'http.response.body', 'body': body})
