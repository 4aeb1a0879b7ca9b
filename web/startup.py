"""Requests wait for the server's start-up to finish."""
from __future__ import annotations

import asyncio


class WaitForStart:
    """Requests wait until start-up is done (a minute at most). NiceGUI runs async start-up handlers as background
    tasks while the server already accepts connections: a request must not find the database half migrated, nor
    an import that a crash cut off still there while it is being taken back."""

    def __init__(self, app, started: asyncio.Event) -> None:
        self.app, self.started = app, started

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] in ('http', 'websocket') and not self.started.is_set():
            try:
                await asyncio.wait_for(self.started.wait(), timeout=60)
            except asyncio.TimeoutError:
                pass
        await self.app(scope, receive, send)
