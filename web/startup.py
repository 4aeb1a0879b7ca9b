"""Requests wait for the server's start-up to finish."""
from __future__ import annotations

import asyncio

from .health import PATHS as HEALTH_PATHS


class WaitForStart:
    """Requests wait until start-up is done (a minute at most). NiceGUI runs async start-up handlers as background
    tasks while the server already accepts connections: a request must not find the database half migrated, nor
    an import that a crash cut off still there while it is being taken back.

    The health checks answer at once (web/health.py): a process still starting is alive, and not ready yet."""

    def __init__(self, app, started: asyncio.Event) -> None:
        self.app, self.started = app, started

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] in ('http', 'websocket') and not self.started.is_set() \
                and scope.get('path') not in HEALTH_PATHS:
            try:
                await asyncio.wait_for(self.started.wait(), timeout=60)
            except asyncio.TimeoutError:
                pass
        await self.app(scope, receive, send)
