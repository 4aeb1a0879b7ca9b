"""How an import advances: the size of its chunks and the progress it reports."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

CHUNK = 1000
Progress = Callable[[str, int, int], Awaitable[None] | None]  # (step: 'checking' or 'writing', rows done, rows in all)


async def tell(progress: Progress | None, step: str, done: int, total: int) -> None:
    if progress is not None:
        result = progress(step, done, total)
        if result is not None:
            await result
    await asyncio.sleep(0)  # let the page (and everyone else) breathe between chunks

