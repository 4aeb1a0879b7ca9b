"""The language of a request: what its `Accept-Language` asks for, among those Rubrica speaks (models/i18n.py).

Set for the whole request, so the API's human messages and a page being built speak it; a page then prefers the
user's own choice (ui/language.py). Machine-readable codes in the API stay English whatever the language.
"""
from __future__ import annotations

from models import i18n


class RequestLanguage:
    """Pure ASGI middleware: the request's task runs in the language its client asked for."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] == 'http':
            header = next((value for name, value in scope.get('headers', ()) if name == b'accept-language'), b'')
            i18n.use(i18n.negotiate(header.decode('latin-1')))
        await self.app(scope, receive, send)
