"""How long the dashboard's figures and the kiosk's queries take at scale; prints a table.

    .venv/bin/python bench/dashboard_kiosk.py [--contacts 100000] [--companies 10000] [--database-url URL]
    .venv/bin/python bench/dashboard_kiosk.py --contacts 100000 --contacts 1000000     # both, side by side

Uses --database-url, else RUBRICA_DATABASE_URL when set (give it an EMPTY database: the schema is migrated into
it), else a fresh SQLite file in a temporary directory. `--contacts` (with `--companies`, a tenth of the contacts
unless given) and `--database-url` may be repeated, paired in order: each size is filled into its own database and
the figures are printed side by side. One organization; 10% of the records are private, 1% mention the viewer.
Each figure is the median of 7 runs after one warm-up run, in milliseconds, measured around the models/ call:
first on the freshly loaded tables, then after ANALYZE (what PostgreSQL's autovacuum or SQLite's
`PRAGMA optimize` provide), since without statistics the planners may pick a poor index.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tortoise import connections  # noqa: E402

from bench.common import scale  # noqa: E402
from models import access  # noqa: E402
from models.accounts.tables import User  # noqa: E402
from models.db import Database, dialect  # noqa: E402
from models.kiosk import service as kiosk  # noqa: E402
from models.orgs.service import create_organization, invite  # noqa: E402
from models.records import dashboard  # noqa: E402
from models.records.tables import COMPANY, CONTACT, Company, Contact, Mention  # noqa: E402
from models.text import fold  # noqa: E402

TYPES = ['Client', 'Supplier', 'Partner', 'Lead', '']
NAMES = ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco']
FIRST = ['Maria', 'Giuseppe', 'Anna', 'Giovanni', 'Rosa', 'Antonio', 'Paola', 'Marco', 'Laura', 'Luca']
BATCH = 5000


async def populate(contacts: int, companies: int):
    owner = await User.create(email='owner@bench.example', name='Owner', password_hash='x')
    viewer = await User.create(email='viewer@bench.example', name='Viewer', password_hash='x')
    org = await create_organization(user=owner, name='Bench')
    await invite(actor=org, email=viewer.email, role='member')
    for start in range(0, companies, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, companies)):
            name = f'{NAMES[i % 10]} {i} Srl'
            rows.append(Company(org_id=org.org_id, name=name, type=TYPES[i % 5], sort_name=fold(name),
                                search_text=fold(name), visibility='private' if i % 10 == 0 else 'public',
                                created_by_id=owner.id, updated_by_id=owner.id))
        await Company.bulk_create(rows)
    first_company = (await Company.filter(org_id=org.org_id).order_by('id').first()).id
    for start in range(0, contacts, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, contacts)):
            first, last = FIRST[i % 10], f'{NAMES[(i // 10) % 10]}{i}'
            phone = f'+39347{i:07d}'
            rows.append(Contact(org_id=org.org_id, first_name=first, last_name=last, type=TYPES[i % 5],
                                emails=[f'{first.lower()}.{i}@bench.example'], phones=[phone],
                                company_id=first_company + i % companies if companies else None,
                                sort_name=fold(f'{last} {first}'),
                                search_text=f'{fold(first)} {fold(last)} {first.lower()}.{i}@bench.example '
                                            f'{phone[1:]} {phone[3:]}',
                                visibility='private' if i % 10 == 0 else 'public',
                                created_by_id=owner.id, updated_by_id=owner.id))
        await Contact.bulk_create(rows)
    mentioned = await Contact.filter(org_id=org.org_id).order_by('id').limit(contacts // 100).values_list('id',
                                                                                                      flat=True)
    await Mention.bulk_create([Mention(user_id=viewer.id, contact_id=i) for i in mentioned])
    link, _ = await kiosk.create_kiosk_link(actor=org, name='Bench')
    return await access.membership(viewer, org.org_id), link


async def timed(call, runs: int = 7) -> float:
    await call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def measure(url: str, contacts: int, companies: int) -> tuple[list[float], list[float]]:
    """Fills the (empty) database and measures each of ROWS' calls: medians fresh and after ANALYZE."""
    url = url or f'sqlite://{tempfile.mkdtemp()}/bench.sqlite3'
    database = Database(url)
    await database.open()
    try:
        started = time.perf_counter()
        viewer, link = await populate(contacts, companies)
        print(f'{dialect()}: {contacts:,} contacts and {companies:,} companies inserted in '
              f'{time.perf_counter() - started:.1f} s\n')
        rows = calls(viewer, link)
        fresh = [await timed(call) for _, call in rows]
        await connections.get('default').execute_script('ANALYZE')
        analyzed = [await timed(call) for _, call in rows]
        return fresh, analyzed
    finally:
        await database.close()


def calls(viewer, link) -> list:
    """(label, call) of each figure measured."""
    return [
        ('dashboard: everything the page shows', lambda: dashboard.dashboard(viewer)),
        ('contacts by type (kept counts + own, mentioning)', lambda: dashboard.counts_by_type(CONTACT, viewer)),
        ('companies by type', lambda: dashboard.counts_by_type(COMPANY, viewer)),
        ('recently updated (10)', lambda: dashboard.recently_updated(viewer)),
        ('mentioning me (10 + total)', lambda: dashboard.mentioning_me(viewer)),
        ('kiosk start screen: first 12 contacts + total', lambda: kiosk.search_directory(link, 'contact',
                                                                                         limit=12)),
        ("kiosk search 'ros' (12 + total)", lambda: kiosk.search_directory(link, 'contact', q='ros', limit=12)),
        ("kiosk search '347 000 12' (phone)", lambda: kiosk.search_directory(link, 'contact', q='347 000 12',
                                                                             limit=12)),
        ('kiosk company card with its contacts', lambda: kiosk.directory_card(link, 'company', 2)),
    ]


async def main(sizes: list[tuple[str, int, int]]) -> None:
    results = [(scale(contacts), *await measure(url, contacts, companies)) for url, contacts, companies in sizes]
    labels = [label for label, _ in calls(None, None)]
    columns = [(f'{size} {name}', figures) for size, fresh, analyzed in results
               for name, figures in (('fresh', fresh), ('ANALYZEd', analyzed))]
    print(f'| {"query (median ms)":<50} | ' + ' | '.join(f'{name:>8}' for name, _ in columns) + ' |')
    print(f'|{"-" * 52}|' + '|'.join('-' * (max(len(name), 8) + 2) for name, _ in columns) + '|')
    for n, label in enumerate(labels):
        print(f'| {label:<50} | ' + ' | '.join(f'{figures[n]:>{max(len(name), 8)}.1f}' for name, figures in columns)
              + ' |')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--contacts', type=int, action='append', help='100000 unless given; repeatable')
    parser.add_argument('--companies', type=int, action='append', help='a tenth of --contacts unless given')
    parser.add_argument('--database-url', action='append', help='an EMPTY database per --contacts, in order')
    arguments = parser.parse_args()
    counts = arguments.contacts or [100_000]
    companies = arguments.companies or [n // 10 for n in counts]
    urls = arguments.database_url or [os.environ.get('RUBRICA_DATABASE_URL', '')] * (len(counts) == 1) \
        or [''] * len(counts)
    if not len(urls) == len(companies) == len(counts):
        parser.error('give as many --companies and --database-url as --contacts (or none)')
    asyncio.run(main(list(zip(urls, counts, companies))))
