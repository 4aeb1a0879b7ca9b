"""Search at 100,000 contacts as a member sees it: the time the database spends on one page of results and the
total (the two queries a list or the global search makes), through the same models/ functions the pages call.

    .venv/bin/python bench/generate.py                 # once: 100,000 contacts, 20,000 companies, 50 members
    .venv/bin/python bench/search_100k.py [--database-url URL [--database-url URL2]] [--explain]

Target: a 3-character term under 50 ms of database time. "db ms" is the time spent in the database driver (both
queries), "total ms" adds the ORM's own work; medians of 15 runs after a warm-up run. Given two databases (say
100,000 and 1,000,000 contacts), each is measured in turn and the figures are printed side by side; the sample
email, name and phone searched are those of the 4,322nd public contact of each.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tortoise import connections  # noqa: E402

from bench.common import (add_database_urls, bench_member, database, database_urls, print_table, scale,  # noqa: E402
                          side_by_side, timed)
from models.records.service import filtered, find, list_records  # noqa: E402
from models.records.tables import CONTACT, Contact  # noqa: E402
from models.validation import display_phone  # noqa: E402


async def explain(member, q: str) -> None:
    """The database's plan for the page query of a search."""
    from models.records.service import _sorted
    query = _sorted(CONTACT, member, filtered(CONTACT, member, q=q), 'relevance', False, q)[0].limit(50)
    query._choose_db_if_not_chosen()
    query._make_query()
    sql, values = query.query.get_parameterized_sql()
    client = connections.get('default')
    if client.capabilities.dialect == 'sqlite':
        rows = await client.execute_query_dict(f'EXPLAIN QUERY PLAN {sql}', values)
        plan = '\n'.join(f'  {r["detail"]}' for r in rows)
    else:
        rows = await client.execute_query_dict(f'EXPLAIN ANALYZE {sql}', values)
        plan = '\n'.join(f'  {r["QUERY PLAN"]}' for r in rows)
    print(f'\nplan for {q!r}:\n{plan}')


HEADERS = ['search', 'matches', 'total ms', 'db ms', 'queries']


async def measure(url: str, explaining: bool) -> tuple[str, list[list[object]]]:
    """The database's size label and one row of HEADERS per search; prints what was measured."""
    async with database(url):
        member = await bench_member(at_least=4322)
        total = await Contact.filter(org_id=member.org_id).count()
        sample = await Contact.filter(org_id=member.org_id, visibility='public').order_by('id').offset(4321).first()
        email = sample.emails[0]
        phone_e164 = sample.phones[0]
        phone_typed = display_phone(phone_e164, 'IT')  # as a person would type it: "347 123 4567"
        name = f'{sample.first_name} {sample.last_name}'
        cases = [
            ('3 chars "ros", relevance', 'ros', 'relevance'),
            ('3 chars "ros", by name', 'ros', 'name'),
            ('3 chars "mar", relevance', 'mar', 'relevance'),
            ('3 chars "com" (every row)', 'com', 'relevance'),
            ('2 chars "ro" (name starts)', 'ro', 'relevance'),
            ('a full name', name, 'relevance'),
            ('last name "müller"', 'müller', 'relevance'),
            ('an email', email, 'relevance'),
            ('a phone as typed', phone_typed, 'relevance'),
            ('a phone, international', phone_e164, 'relevance'),
            ('its last 4 digits', phone_e164[-4:], 'relevance'),
        ]
        rows = []
        for label, q, sort in cases:
            page = await list_records(CONTACT, member, q=q, sort=sort)
            orm_total, db_ms, queries = await timed(lambda q=q, sort=sort: list_records(CONTACT, member, q=q,
                                                                                         sort=sort))
            rows.append([label, page.total, orm_total, db_ms, queries])
        found = await find(member, 'ros')
        orm_total, db_ms, queries = await timed(lambda: find(member, 'ros'))
        rows.append(['global find "ros" (5 + 5, totals)', found.contacts.total + found.companies.total, orm_total,
                     db_ms, queries])
        print(f'{scale(total)}: {total:,} contacts in the organization; viewer: a member (user {member.user_id}); '
              f'database: {connections.get("default").capabilities.dialect}; first page of 50 and the total; '
              f'medians of 15 runs; samples: {name!r}, {email!r}, {phone_typed!r}, {phone_e164!r}')
        if explaining:
            for q in ('ros', email, phone_typed):
                await explain(member, q)
        return scale(total), rows


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_database_urls(parser, help='a database bench/generate.py filled; give two to print them side by side')
    parser.add_argument('--explain', action='store_true', help='print the query plan of a few searches')
    args = parser.parse_args()
    tables = [await measure(url, args.explain) for url in database_urls(args)]
    print()
    print_table(*side_by_side(HEADERS, tables))


if __name__ == '__main__':
    asyncio.run(main())
