"""A card's read while searches run, in one process: SQLite with one connection (RUBRICA_SQLITE_READERS=0) against
reader connections beside the writer (models/sqlite_readers.py), through the same models/ functions the pages call.

    .venv/bin/python bench/generate.py --database-url sqlite:///tmp/bench.sqlite3      # once: 100,000 contacts
    .venv/bin/python bench/sqlite_readers.py --database-url sqlite:///tmp/bench.sqlite3 [--searchers 4]
        [--seconds 20] [--readers 0,4]

For each reader count: `--searchers` tasks search the contacts as a member does (a list page of a 3-letter term and
its total, over and over), while one task opens a card (get_record of a random visible contact) every 20 ms. Printed
per reader count: the searches done, and the card reads' count, p50/p95/max in ms. The database is only read (the
close's `PRAGMA optimize` aside): give it a copy.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_member, print_table  # noqa: E402
from models.db import Database  # noqa: E402
from models.records.service import get_record, list_records  # noqa: E402
from models.records.tables import CONTACT, Contact  # noqa: E402

TERMS = ['ros', 'mar', 'ber', 'gio', 'ann', 'luc', 'fra', 'ste', 'ale', 'pao']


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(url: str, readers: int, searchers: int, seconds: float) -> list:
    database = Database(url, sqlite_readers=readers)
    await database.open()
    try:
        member = await bench_member()
        ids = await Contact.filter(org_id=member.org_id, visibility='public').limit(2000).values_list('id', flat=True)
        await list_records(CONTACT, member, q='ros')  # warm
        stop = time.monotonic() + seconds
        searches = 0
        cards: list[float] = []

        async def search(n: int) -> None:
            nonlocal searches
            rng = random.Random(n)
            while time.monotonic() < stop:
                await list_records(CONTACT, member, q=rng.choice(TERMS))
                searches += 1

        async def open_cards() -> None:
            rng = random.Random(99)
            while time.monotonic() < stop:
                start = time.perf_counter()
                await get_record(CONTACT, member, rng.choice(ids))
                cards.append((time.perf_counter() - start) * 1000)
                await asyncio.sleep(0.02)

        await asyncio.gather(open_cards(), *(search(n) for n in range(searchers)))
        return [readers, searches, len(cards), statistics.median(cards), percentile(cards, 0.95), max(cards)]
    finally:
        await database.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--database-url', required=True)
    parser.add_argument('--searchers', type=int, default=4)
    parser.add_argument('--seconds', type=float, default=20)
    parser.add_argument('--readers', default='0,4', help='reader counts to compare, comma-separated')
    args = parser.parse_args()
    rows = [await measure(args.database_url, int(n), args.searchers, args.seconds) for n in args.readers.split(',')]
    print(f'{args.searchers} tasks searching, one opening a card every 20 ms, {args.seconds:g} s each\n')
    print_table(['readers', 'searches', 'card reads', 'card p50 ms', 'card p95 ms', 'card max ms'], rows)


if __name__ == '__main__':
    asyncio.run(main())
