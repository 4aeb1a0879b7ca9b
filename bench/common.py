"""Shared by the bench scripts: open a database by URL, measure the time spent inside the database driver, print
a table; and, for the scripts that talk to a server process, sign up an account with an organization."""
from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
from tortoise import connections

from models.db import Database
from models.orgs.tables import Membership
from models.records.tables import Contact
from tests.server import Server, free_port, running_server

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


async def bench_member(at_least: int = 1) -> Membership:
    """The member of bench/generate.py's organization the benches measure as (its organization loaded), or exit
    with what to do when the database has none or fewer than `at_least` public contacts (a bench that reads page
    100 or the 4,322nd contact needs that many)."""
    member = await Membership.filter(role='member').select_related('org').order_by('id').first()
    if member is None:
        sys.exit('No bench organization here: run bench/generate.py first (with the same --database-url)')
    public = await Contact.filter(org_id=member.org_id, visibility='public', deleted_at=None).count()
    if public < at_least:
        sys.exit(f'This bench needs at least {at_least:,} public contacts and the organization has {public:,}: '
                 f'run bench/generate.py with more --contacts')
    return member


@asynccontextmanager
async def scratch_database(url: str = ''):
    """`database(url)`, or with no URL a fresh SQLite file that goes when the bench ends; yields the URL used."""
    with tempfile.TemporaryDirectory() as scratch:
        url = url or f'sqlite://{Path(scratch) / "bench.sqlite3"}'
        async with database(url):
            yield url


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


async def runs(action, repeat: int) -> tuple[list[float], list[float], int]:
    """Total ms and database ms of each of `repeat` runs of an async action (after one warm-up run), and the
    queries of one run."""
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
    return totals, db_times, queries


async def timed(action, repeat: int = 15) -> tuple[float, float, int]:
    """Median total ms, median database ms and queries per run of an async action (after one warm-up run)."""
    totals, db_times, queries = await runs(action, repeat)
    return statistics.median(totals), statistics.median(db_times), queries


def add_database_urls(parser, default: str = DEFAULT_URL, **options) -> None:
    """`--database-url URL`, repeatable: a bench given two databases (say 100,000 and 1,000,000 contacts) measures
    each in turn and prints their figures side by side (`side_by_side`); one (or none: `default`) as before."""
    parser.add_argument('--database-url', dest='database_urls', action='append', metavar='URL', **options)
    parser.set_defaults(database_urls=None, default_database_url=default)


def database_urls(args) -> list[str]:
    return args.database_urls or [args.default_database_url]


def scale(count: int) -> str:
    """A size as a column's label: '100k', '1M', '2.5M', '950'."""
    if count >= 1_000_000:
        return f'{count / 1_000_000:.3g}M'
    return f'{count / 1000:.3g}k' if count >= 1000 else str(count)


def side_by_side(headers: list[str], tables: list[tuple[str, list[list[object]]]], keys: int = 1) \
        -> tuple[list[str], list[list[object]]]:
    """One table from the same measurements made on several databases: the first `keys` columns (the case) once,
    then each value column once per database, its header after the database's label ('100k total ms', '1M total
    ms'), so the figures of a case at each scale sit next to each other. The rows are matched by position (every
    database runs the same cases in the same order)."""
    if len(tables) == 1:
        return headers, tables[0][1]
    merged_headers = headers[:keys] + [f'{label} {header}' for header in headers[keys:] for label, _ in tables]
    merged = []
    for n, row in enumerate(tables[0][1]):
        cells = [table[n] for _, table in tables]
        merged.append(row[:keys] + [cell[i] for i in range(keys, len(headers)) for cell in cells])
    return merged_headers, merged


def print_table(headers: list[str], rows: list[list[object]]) -> None:
    cells = [headers] + [[f'{c:.2f}' if isinstance(c, float) else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print('  '.join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            print('  '.join('-' * w for w in widths))


@contextmanager
def fresh_server(*, database_url: str = '', start_timeout: float = 60, stop_timeout: float = 15,
                 **settings: str) -> Iterator[tuple[Server, dict[str, str]]]:
    """Rubrica as a process on a free port and a fresh data dir, with SQLite in it unless `database_url` names
    another database: the server and the RUBRICA_* settings it runs with (for `main.py admin` on the same data).
    The data dir is removed when the block ends, and kept, with the server's log, when it ends in an error."""
    data_dir = Path(tempfile.mkdtemp(prefix='rubrica-bench-'))
    settings = {'RUBRICA_DATA_DIR': str(data_dir),
                'RUBRICA_DATABASE_URL': database_url or f'sqlite://{data_dir / "rubrica.sqlite3"}', **settings}
    with running_server(free_port(), log=data_dir / 'server.log', start_timeout=start_timeout,
                        stop_timeout=stop_timeout, **settings) as server:
        yield server, settings
    shutil.rmtree(data_dir, ignore_errors=True)


def account(http: httpx.Client, email: str, org_name: str) -> tuple[dict[str, str], int]:
    """Signs up `email` on the server `http` talks to, with an organization of its own: (API headers, org id)."""
    http.post('/api/v1/users', json={'email': email, 'password': 'bench password', 'name': email.split('@')[0]}) \
        .raise_for_status()
    token = http.post('/api/v1/tokens', json={'email': email, 'password': 'bench password'}).json()['token']
    auth = {'Authorization': f'Bearer {token}'}
    return auth, http.post('/api/v1/orgs', json={'name': org_name}, headers=auth).json()['id']
