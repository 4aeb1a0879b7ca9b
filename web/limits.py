"""One limit on request bodies, for every route of the app, decided by the route and never by the content type.

A body past its route's limit is refused with 413 as it arrives, before it is read into memory or spooled to
disk, whatever its Content-Type says (JSON, multipart/form-data, urlencoded, anything) and whether or not it
declares its length. The routes that take uploads say so with an `UploadRoute` (the attachments, the imports,
the pages' upload element); every other route may receive at most JSON_BODY_LIMIT. Used by the pages and the API
alike: the API declares its upload routes, the pages theirs, and main.py hands them all to one BodyLimit.
"""
from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from models.i18n import _

if TYPE_CHECKING:
    from settings import Settings

JSON_BODY_LIMIT = 1024 * 1024
MULTIPART_OVERHEAD = 64 * 1024  # more than the boundaries and part headers of any sane upload


def json_body_message(limit: int) -> str:
    return _('The request body is larger than {size} KiB', size=limit // 1024)


def file_upload_limit(settings: Settings) -> int:
    """The body limit of a route that takes one attached file (a page's or the API's): the file plus the
    multipart framing."""
    return settings.max_upload_bytes + MULTIPART_OVERHEAD


@dataclass(frozen=True)
class UploadRoute:
    """Paths (a regular expression matching the whole path) whose bodies may be as large as `limit(settings)`
    bytes; `message(settings)` says what was refused. Both are called for each request."""
    path: str
    limit: Callable[[Settings], int]
    message: Callable[[Settings], str]

    def matches(self, path: str) -> bool:
        return re.fullmatch(self.path, path) is not None


class BodyLimit:
    """Pure ASGI middleware over the whole app: counts the bytes of every request body, whatever Content-Length
    says, against the limit of the route it is sent to.

    A body declared past the limit is refused before any of it is read. One that passes the limit while it is
    read is cut there: the app is told the client went away (its reading stops, however it reads: FastAPI,
    Starlette's form parser, NiceGUI's upload, our multipart reader), and whatever answer it then gives is
    replaced by the 413. Nothing is raised through the middleware in between, so it works the same under
    BaseHTTPMiddleware's task groups.
    """

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
        cut = False  # the body passed the limit before the answer began: the answer is the 413
        refused = False
        response_started = False
        response_done = asyncio.Event()

        async def counting_receive():
            nonlocal received, cut
            if received > limit:  # no more of the body is read
                if not cut:  # a streamed answer waiting for a disconnect: it waits for its own end
                    await response_done.wait()
                return {'type': 'http.disconnect'}
            msg = await receive()
            if msg['type'] == 'http.request':
                received += len(msg.get('body', b''))
                if received > limit:
                    if response_started:  # too late for a 413: the rest is not read
                        return {'type': 'http.request', 'body': b'', 'more_body': True}
                    cut = True
                    return {'type': 'http.disconnect'}
            return msg

        async def tracking_send(msg):
            nonlocal response_started, refused
            if cut:
                if not refused:
                    refused = True
                    await _refuse(send, message)
                return  # the app's own answer to the cut body is dropped
            if msg['type'] == 'http.response.start':
                response_started = True
            elif msg['type'] == 'http.response.body' and not msg.get('more_body', False):
                response_done.set()
            await send(msg)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except Exception:
            if not cut:
                raise
            # the app failed on the body it was cut from (a disconnect it did not expect): the answer is the 413
        if cut and not refused:
            await _refuse(send, message)


async def _refuse(send, message: str) -> None:
    body = json.dumps({'detail': message}).encode()
    await send({'type': 'http.response.start', 'status': 413,
                'headers': [(b'content-type', b'application/json'), (b'content-length', str(len(body)).encode()),
                            (b'connection', b'close')]})
    await send({'type': 'http.response.body', 'body': body})
