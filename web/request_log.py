"""One log line and one metrics observation per HTTP request, with a request id the client sees.

The line names the route template (`/api/v1/orgs/{org}/contacts/{record_id}`), never the path or its query string
(a password reset link carries its token in the query, a kiosk link in the path), and never a header or a body; the
user and the organization come from whoever identified the caller during the request (web/logs.py `identify`). The
request id is the client's `X-Request-ID` when it is a plain token (a proxy's), else a new one; it is sent back in
the response's `X-Request-ID`, so a person reporting a problem can quote it.
"""
from __future__ import annotations

import logging
import re
import secrets
import time

from . import metrics
from .logs import REQUESTS_LOGGER, RequestInfo, current_request

log = logging.getLogger(REQUESTS_LOGGER)

REQUEST_ID_HEADER = b'x-request-id'
_GOOD_ID = re.compile(rb'[A-Za-z0-9._:-]{1,128}')  # what a proxy's id looks like; anything else is replaced
# the label when no route answered: a path no route has, or a request refused before routing (the page guard's
# redirect to /login, the body limit's 413); the path itself is never a label
UNMATCHED = '<unmatched>'


def request_id(scope) -> str:
    given = next((value for name, value in scope.get('headers', ()) if name == REQUEST_ID_HEADER), b'')
    return given.decode('ascii') if _GOOD_ID.fullmatch(given) else secrets.token_hex(8)


def route_template(scope, root_path: str = '') -> str:
    """The template of the route that answered (the router sets it into the shared scope), or UNMATCHED.

    A route of an included router (the API's) knows its path without the router's prefix (`/me` for
    `/api/v1/me`): the prefix is the part of the path in front of what the route matches. Paths that NiceGUI makes
    up per file (`/_nicegui/auto/…/<random>/…`) share one label, and a mounted app one label (its mount path: a Mount
    moves the scope's root_path, which was `root_path` when the request came in), so labels stay few."""
    route = scope.get('route')
    template = getattr(route, 'path', None)
    if not isinstance(template, str):
        mounted = scope.get('root_path', '')
        if mounted != root_path and mounted.startswith(root_path):
            return mounted[len(root_path):].rstrip('/') + '/…'
        return UNMATCHED
    if template.startswith('/_nicegui/auto/'):
        return '/_nicegui/auto/…'
    if not hasattr(route, 'endpoint'):  # a mounted app (NiceGUI's static files, its socket.io endpoint)
        return template.rstrip('/') + '/…'
    path, pattern = scope['path'], getattr(route, 'path_regex', None)
    if pattern is not None and not pattern.fullmatch(path):
        for start in (i for i, ch in enumerate(path) if ch == '/' and i):
            if pattern.fullmatch(path[start:]):
                return path[:start] + template
    return template


class RequestLog:
    """Pure ASGI middleware: times each HTTP request, logs its line, counts it in the metrics."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        info = RequestInfo(request_id=request_id(scope))
        root_path = scope.get('root_path', '')
        token = current_request.set(info)
        status = 500  # unless a response starts: an exception that escapes the app becomes a 500
        started = time.perf_counter()

        async def with_id(message):
            nonlocal status
            if message['type'] == 'http.response.start':
                status = message['status']
                headers = [(name, value) for name, value in message.get('headers', [])
                           if name.lower() != REQUEST_ID_HEADER]
                message = {**message, 'headers': [*headers, (REQUEST_ID_HEADER, info.request_id.encode('ascii'))]}
            await send(message)

        try:
            await self.app(scope, receive, with_id)
        finally:
            seconds = time.perf_counter() - started
            route, method = route_template(scope, root_path), scope['method']
            metrics.observe_request(method=method, route=route, status=status, seconds=seconds)
            log.info('%s %s %s %.1fms', method, route, status, seconds * 1000,
                     extra={'method': method, 'route': route, 'status': status,
                            'duration_ms': round(seconds * 1000, 1), 'request_id': info.request_id,
                            'user_id': info.user_id, 'org_id': info.org_id})
            current_request.reset(token)
