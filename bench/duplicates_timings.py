"""Timings of the duplicates scan, the merge preview, a merge and its undo, at 100,000 contacts, as a member.

    .venv/bin/python bench/duplicates_timings.py [--database-url URL] [--contacts 100000] [--companies 20000]

The first run on an empty database generates the organization (bench/generate.py's data: 900 first/last name
pairs, so about 900 groups of same-name contacts) and gives 2% of the contacts the email of another contact and
1% of the companies the VAT number of another one, so the scan finds groups of every reason. The default database
is its own file (bench/out/duplicates.sqlite3); for PostgreSQL pass an empty database created for it.

"db ms" is the time spent in the database driver; "total ms" adds the ORM's and Python's own work. A merge and
its undo run in one transaction, out of the driver clock's sight: for them only "total ms" is shown.
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

from tortoise import connections  # noqa: E402
from tortoise.transactions import in_transaction  # noqa: E402

from bench.common import OUT, DriverClock, database, print_table, timed  # noqa: E402
from bench.generate import generate  # noqa: E402
from models.duplicates import detection, merging  # noqa: E402
from models.orgs.tables import Membership  # noqa: E402
from models.records.tables import COMPANY, CONTACT, Company, Contact, RecordKey  # noqa: E402

DEFAULT_URL = f'sqlite://{OUT / "duplicates.sqlite3"}'


async def add_duplicates(org_id: int, share: float, seed: int = 11) -> None:
    """Give some records a key of another one, as a real organization's double entries do; and make names unique
    but for 2% (bench/generate.py draws from 900 name pairs: every contact would have ~110 namesakes)."""
    rng = random.Random(seed)
    client = connections.get('default')
    concat = "first_name || ' ' || id"
    await client.execute_script(
        f"UPDATE contacts SET first_name = {concat}, sort_name = sort_name || ' ' || id "
        f"WHERE org_id = {int(org_id)} AND id % 50 <> 0")
    await client.execute_script(
        f"UPDATE companies SET name = name || ' ' || id, sort_name = sort_name || ' ' || id "
        f"WHERE org_id = {int(org_id)} AND id % 50 <> 0")
    for kind, key_kind, column, rate in ((CONTACT, 'email', 'emails', share), (COMPANY, 'vat', 'vat_number',
                                                                                share / 2)):
        ids = list(await kind.model.filter(org_id=org_id).values_list('id', flat=True))
        pairs = [(rng.choice(ids), rng.choice(ids)) for _ in range(int(len(ids) * rate))]
        values = dict(await kind.model.filter(id__in={a for a, _ in pairs}).values_list('id', column))
        async with in_transaction():
            rows = []
            for source, target in pairs:
                value = values[source][0] if key_kind == 'email' else values[source]
                if source == target or not value:
                    continue
                if key_kind == 'email':
                    target_row = await kind.model.get(id=target)
                    if len(target_row.emails) < 3 and value not in target_row.emails:
                        await kind.model.filter(id=target).update(emails=[*target_row.emails, value])
                        rows.append(RecordKey(org_id=org_id, kind='email', value=value, contact_id=target))
                else:
                    await kind.model.filter(id=target).update(vat_number=value)
                    await RecordKey.filter(company_id=target, kind='vat').delete()
                    rows.append(RecordKey(org_id=org_id, kind='vat', value=value, company_id=target))
            await RecordKey.bulk_create(rows, batch_size=2000)
        print(f'{len(rows):,} {kind.name}s given the {key_kind} of another one')


async def merge_and_undo(member: Membership, kind, keep_id: int, other_id: int, repeat: int = 7):
    """Median total and db ms of a merge and of its undo (each undo puts the pair back for the next run)."""
    merges, undos = [], []
    for _ in range(repeat):
        for times, action in ((merges, None), (undos, None)):
            clock = DriverClock()
            async with clock.measuring():
                start = time.perf_counter()
                if times is merges:
                    result = await merging.merge(kind, member, keep_id, other_id)
                else:
                    await merging.undo_merge(member, result.log.id)
                times.append(((time.perf_counter() - start) * 1000, clock.seconds * 1000, clock.queries))
    return [tuple(statistics.median(t[i] for t in runs) for i in range(3)) for runs in (merges, undos)]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--database-url', default=DEFAULT_URL)
    parser.add_argument('--contacts', type=int, default=100_000)
    parser.add_argument('--companies', type=int, default=20_000)
    parser.add_argument('--duplicate-share', type=float, default=0.02)
    args = parser.parse_args()
    async with database(args.database_url):
        if not await Contact.exists():
            start = time.perf_counter()
            await generate(args.contacts, args.companies, 50, 0.1, 7)
            member = await Membership.filter(role='member').order_by('id').first()
            await add_duplicates(member.org_id, args.duplicate_share)
            dialect = connections.get('default').capabilities.dialect
            # PostgreSQL: VACUUM sets the visibility map, as autovacuum would on a live database after a bulk
            # load, so the scan's GROUP BY reads the (org_id, kind, value) index alone
            await connections.get('default').execute_script('VACUUM ANALYZE' if dialect == 'postgres' else 'ANALYZE')
            print(f'generated in {time.perf_counter() - start:.1f} s\n')
        member = await Membership.filter(role='member').select_related('org').order_by('id').first()
        total = await Contact.filter(org_id=member.org_id).count()
        companies = await Company.filter(org_id=member.org_id).count()

        first = await detection.scan(member, 'contact', limit=20)
        key_group = next(p for p in first.items if any(r.key == 'email' for r in p.reasons))
        keep_id, other_id = key_group.members[0].id, key_group.members[1].id
        company_page = await detection.scan(member, 'company', limit=20)
        company_group = next(g for g in company_page.items if len(g.members) >= 2)
        cases = [
            ('scan contacts, page 1 of 20 pairs', lambda: detection.scan(member, 'contact', limit=20)),
            ('scan contacts, last page', lambda: detection.scan(member, 'contact', limit=20,
                                                                  offset=max(0, first.total - 20))),
            ('scan companies, page 1', lambda: detection.scan(member, 'company', limit=20)),
            ('merge preview (2 contacts)', lambda: merging.preview(CONTACT, member, keep_id, other_id)),
        ]
        rows = []
        for name, call in cases:
            total_ms, db_ms, queries = await timed(call)
            rows.append([name, total_ms, db_ms, queries])
        for kind, pair in ((CONTACT, (keep_id, other_id)),
                           (COMPANY, (company_group.members[0].id, company_group.members[1].id))):
            (m_total, m_db, m_q), (u_total, u_db, u_q) = await merge_and_undo(member, kind, *pair)
            # merge and undo run in one transaction, whose statements the driver clock does not see: total only
            rows.append([f'merge 2 {"contacts" if kind is CONTACT else "companies"}', m_total, '-', '-'])
            rows.append(['undo that merge', u_total, '-', '-'])
        print(f'{total:,} contacts and {companies:,} companies; {first.total:,} groups of likely duplicate contacts, '
              f'{company_page.total:,} of companies; viewer: a member (user {member.user_id}); database: '
              f'{connections.get("default").capabilities.dialect}; medians\n')
        print_table(['case', 'total ms', 'db ms', 'queries'], rows)


if __name__ == '__main__':
    asyncio.run(main())
