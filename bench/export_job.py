"""An export of 100,000 contacts as a background job against the same export streamed: wall time of each (the job's
includes writing its file, fsync and its progress rows), as the member of the bench organization.

    .venv/bin/python bench/generate.py                   # once: 100,000 contacts, 20,000 companies, 50 members
    cp /tmp/bench-search/bench.sqlite3 /tmp/x.sqlite3    # the job writes its rows: not on the shared copy
    .venv/bin/python bench/export_job.py --database-url sqlite:///tmp/x.sqlite3 [--runs 3]

Prints min and median of each over the runs, and the file's size (the same bytes both ways, checked).
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DEFAULT_URL, bench_member, database, print_table  # noqa: E402
from integrations import Integrations  # noqa: E402
from integrations.local_store import LocalStore  # noqa: E402
from models.jobs import exports as export_jobs, running  # noqa: E402
from models.jobs.tables import Job  # noqa: E402
from models.records.exports import open_export  # noqa: E402


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--database-url', default=DEFAULT_URL)
    parser.add_argument('--runs', type=int, default=3)
    args = parser.parse_args()
    async with database(args.database_url):
        member = await bench_member()
        with tempfile.TemporaryDirectory(prefix='rubrica-export-bench-') as scratch:
            integrations = Integrations(files=LocalStore(Path(scratch) / 'files'), job_files=Path(scratch) / 'jobs')
            streamed_times, job_times, size, records = [], [], 0, 0
            for _ in range(args.runs):
                started = time.perf_counter()
                streamed = b''.join([c async for c in open_export(member, 'contacts.csv').chunks])
                streamed_times.append(time.perf_counter() - started)
                job = await export_jobs.start(member, filename='contacts.csv')
                started = time.perf_counter()
                await running.run(job.id, integrations=integrations)
                job_times.append(time.perf_counter() - started)
                job = await Job.get(id=job.id)
                assert job.status == 'succeeded', (job.status, job.message)
                found = await export_jobs.open_file(member.user_id, job.id, integrations)
                written = b''.join([c async for c in found.chunks])
                assert written == streamed, 'the job wrote other bytes than the stream'
                size, records = len(written), job.result['records']
                await Job.filter(id=job.id).delete()
                await export_jobs.sweep(integrations)
    print(f'{records} records, {size / 1e6:.1f} MB, {args.runs} runs')
    print_table(['export', 'min s', 'median s'],
                [[name, f'{min(times):.2f}', f'{statistics.median(times):.2f}']
                 for name, times in (('streamed (GET …/export.csv)', streamed_times),
                                     ('as a job (file + progress)', job_times))])


if __name__ == '__main__':
    asyncio.run(main())
