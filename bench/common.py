"""Shared by the bench scripts: open a database by URL and measure the time spent inside the database driver."""
from __future__ import annotations

import statistics
import time
from contextlib import asynccontextmanager
from pathlib import Path

from tortoise import connections

from models.db import Database

OUT = Path(__file__).resolve().parent / 'out'
DEFAULT_URL = f'sqlite://{OUT / "bench.sqlite3"}'


@asynccontextmanager
async def database(url: str):
    OUT.mkdir(exist_ok=True)
    db = Database(url)
    await db.open()
    try:
        yield
    finally:
        await db.close()


class DriverClock:
    """Adds up the wall time spent in the connection's execute_* calls: the database's share of a request."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    @asynccontextmanager
    async def measuring(self):
        client = connections.get('default')
        originals = {name: getattr(client, name) for name in ('execute_query', 'execute_query_dict', 'execute_insert',
                                                              'execute_many', 'execute_script')}

        def timed(original):
            async def wrapper(*args, **kwargs):
                start = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    self.seconds += time.perf_counter() - start
                    self.queries += 1
            return wrapper

        for name, original in originals.items():
            setattr(client, name, timed(original))
        try:
            yield self
        finally:
            for name, original in originals.items():
                setattr(client, name, original)


async def timed(action, repeat: int = 15) -> tuple[float, float, int]:
    """Median total ms, median database ms and queries per run of an async action (after one warm-up run)."""
    await action()
    totals, db_times = [], []
    queries = 0
    for _ in range(repeat):
        clock = DriverClock()
        async with clock.measuring():
            start = time.perf_counter()
            await action()
            totals.append((time.perf_counter() - start) * 1000)
        db_times.append(clock.seconds * 1000)
        queries = clock.queries
    return statistics.median(totals), statistics.median(db_times), queries


def print_table(headers: list[str], rows: list[list[object]]) -> None:
    cells = [headers] + [[f'{c:.2f}' if isinstance(c, float) else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print('  '.join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            print('  '.join('-' * w for w in widths))
