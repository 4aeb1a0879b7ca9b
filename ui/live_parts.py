"""The parts of a page that are drawn again when a live event (models/events.py) concerns them: the bell, the jobs."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from nicegui import background_tasks
from nicegui.element import Element


def redraw_heard(element: Element, loop: asyncio.AbstractEventLoop, stop: Callable[[], None],
                 redraw: Callable[[], Awaitable[None]], name: str) -> None:
    """From a live event's subscriber: `redraw()` as a task of the page `element` is on, unless the page is gone or
    the event came on another loop than the page's (a server that stopped): then the subscription ends (`stop`)."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if element.is_deleted or running is not loop:
        stop()
        return
    background_tasks.create(redraw(), name=name)
