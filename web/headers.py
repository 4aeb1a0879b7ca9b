"""Security headers on every response of the app, pages and API alike: nosniff, a same-origin referrer, and no
framing except where a page widens it (the kiosk lets the origins its link lists frame it)."""
from __future__ import annotations

from starlette.requests import Request

FRAME_ANCESTORS = 'rubrica.frame_ancestors'  # key in the request's state: the origins a page lets frame it


def allow_framing(request: Request, origins: list[str]) -> None:
    """Let these origins frame this page's response (and nothing else); with none, framing stays refused.

    The origins must have been validated as scheme://host[:port] (models.kiosk.frame_origin): they go into the
    Content-Security-Policy header as they are.
    """
    if origins:
        request.scope.setdefault('state', {})[FRAME_ANCESTORS] = ' '.join(origins)


def framing_headers(scope) -> list[tuple[bytes, bytes]]:
    """No framing at all, unless the page allowed some origins with `allow_framing`: then exactly those, and no
    X-Frame-Options DENY (which would refuse them)."""
    allowed = (scope.get('state') or {}).get(FRAME_ANCESTORS)
    if allowed:
        return [(b'content-security-policy', f'frame-ancestors {allowed}'.encode('ascii'))]
    return [(b'content-security-policy', b"frame-ancestors 'none'"), (b'x-frame-options', b'DENY')]


class SecurityHeaders:
    """Pure ASGI middleware over the whole app: adds the headers a response does not set itself."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        scope.setdefault('state', {})  # shared with the page's request, which may widen framing

        async def with_headers(message):
            if message['type'] == 'http.response.start':
                headers = list(message.get('headers', []))
                names = {name.lower() for name, _ in headers}
                defaults = [(b'x-content-type-options', b'nosniff'), (b'referrer-policy', b'same-origin'),
                            *framing_headers(scope)]
                headers += [(name, value) for name, value in defaults if name not in names]
                message = {**message, 'headers': headers}
            await send(message)

        await self.app(scope, receive, with_headers)
