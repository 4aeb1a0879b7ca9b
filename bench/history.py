"""Timing of the first page of a record's History tab when the record has many entries (issue 17: 10,000 entries,
under 50 ms of database time).

    .venv/bin/python bench/history.py [--entries 10000] [--runs 20] [--database-url URL]

Without --database-url (or RUBRICA_DATABASE_URL) it uses a fresh SQLite file in a temporary directory; with a
PostgreSQL URL it adds one organization to that database and deletes it at the end. The record gets `--entries`
history entries (every tenth a note), and a second record as many again, so the index must pick one record's.
Rows: the first page (models/history/timeline.timeline, 50 entries, with its total and the gate's look-ups), and a
page deep in the timeline. "ms" columns are medians and 95th percentiles over the runs, after one warm-up;
"db ms" is the time spent inside the database driver.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import print_table, runs, scratch_database  # noqa: E402
from models.accounts.tables import User  # noqa: E402
from models.history.recording import Happened, entry  # noqa: E402
from models.history.tables import HistoryEntry, Note  # noqa: E402
from models.history.timeline import timeline  # noqa: E402
from models.orgs.service import create_organization  # noqa: E402
from models.orgs.tables import Organization  # noqa: E402
from models.records.service import create_record  # noqa: E402
from models.records.tables import CONTACT  # noqa: E402


def _percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, int(len(values) * 0.95))]


async def fill(owner, record_id: int, entries: int) -> None:
    start = datetime.now(timezone.utc) - timedelta(days=365)
    rows = []
    for n in range(entries):
        at = start + timedelta(minutes=n)
        if n % 10 == 0:
            note = await Note.create(org_id=owner.org_id, contact_id=record_id, author_id=owner.user_id,
                                     text=f'Note {n}')
            rows.append(entry(CONTACT, record_id, org_id=owner.org_id, by_id=owner.user_id, happened=Happened.NOTE,
                              note_id=note.id, at=at))
        else:
            rows.append(entry(CONTACT, record_id, org_id=owner.org_id, by_id=owner.user_id,
                              happened=Happened.UPDATED, changes={'first_name': [f'N{n - 1}', f'N{n}']}, at=at))
    await HistoryEntry.bulk_create(rows, batch_size=2000)


async def run(args) -> None:
    user = await User.create(email=f'bench-{time.time_ns()}@example.com', name='Bench', password_hash='-')
    owner = await create_organization(user=user, name='Bench')
    try:
        busy = await create_record(CONTACT, owner, {'last_name': 'Busy'})
        other = await create_record(CONTACT, owner, {'last_name': 'Other'})
        started = time.perf_counter()
        await fill(owner, busy.id, args.entries)
        await fill(owner, other.id, args.entries)
        print(f'{2 * args.entries:,} entries written in {time.perf_counter() - started:.1f} s')
        rows = []
        for label, offset in (('first page', 0), (f'page at offset {args.entries // 2:,}', args.entries // 2)):
            totals, db_times, queries = await runs(lambda o=offset: timeline(CONTACT, owner, busy.id, offset=o),
                                                   args.runs)
            rows.append([label, *(f'{v:.1f}' for v in _percentiles(totals)),
                         *(f'{v:.1f}' for v in _percentiles(db_times)), queries])
        print_table(['timeline of a record with %s entries' % f'{args.entries:,}', 'ms p50', 'ms p95', 'db ms p50',
                     'db ms p95', 'queries'], rows)
    finally:
        await Organization.filter(id=owner.org_id).delete()
        await User.filter(id=user.id).delete()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--entries', type=int, default=10_000)
    parser.add_argument('--runs', type=int, default=20)
    parser.add_argument('--database-url', default=os.environ.get('RUBRICA_DATABASE_URL', ''))
    args = parser.parse_args()
    async with scratch_database(args.database_url) as url:
        await run(args)


if __name__ == '__main__':
    asyncio.run(main())
