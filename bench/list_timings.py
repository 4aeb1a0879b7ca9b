"""Timings of the contacts list as a member sees it, through the ORM and as hand-written SQL on the same database.

    .venv/bin/python bench/generate.py            # once: 100,000 contacts, 20,000 companies, 50 members
    .venv/bin/python bench/list_timings.py [--database-url URL [--database-url URL2]]

"db ms" is the time spent in the database driver; "total ms" adds the ORM's own work around it. Given two databases
(say 100,000 and 1,000,000 contacts: `generate.py --contacts 1000000 --companies 200000`), each is measured in turn
and the figures are printed side by side.
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
from models.records.service import list_page, list_records, list_rows  # noqa: E402
from models.records.tables import CONTACT, Contact  # noqa: E402

VISIBLE = ('org_id = {org} AND (visibility = \'public\' OR created_by_id = {user} OR id IN '
           '(SELECT contact_id FROM mentions WHERE user_id = {user} AND contact_id IS NOT NULL))')
COLUMNS = ', '.join(f'"{f}"' for f in Contact._meta.db_fields)


def raw(sql: str):
    async def run():
        await connections.get('default').execute_query(sql)
    return run


HEADERS = ['case', 'ORM total ms', 'ORM db ms', 'queries', 'raw SQL ms', 'ORM / raw']


async def measure(url: str) -> tuple[str, list[list[object]]]:
    """The database's size label and one row of HEADERS per case; prints what was measured."""
    async with database(url):
        member = await bench_member(at_least=5000)  # page 100 and the rows around it
        total = await Contact.filter(org_id=member.org_id).count()
        where = VISIBLE.format(org=member.org_id, user=member.user_id)
        like = "AND search_text LIKE '%ros%'"
        before = await list_records(CONTACT, member, sort='updated', descending=True, offset=4949, limit=1)
        cursor, edge = before.next_cursor, before.items[0]  # keyset: the page after the 4,950th row
        last_offset = (before.total - 1) // 50 * 50
        cases = [
            ('first page, rows + total', lambda: list_records(CONTACT, member),
             [f'SELECT {COLUMNS} FROM contacts WHERE {where} ORDER BY sort_name, id LIMIT 50',
              f'SELECT COUNT(*) FROM contacts WHERE {where}']),
            ('page 100 by last update', lambda: list_records(CONTACT, member, sort='updated', descending=True,
                                                             offset=4950),
             [f'SELECT {COLUMNS} FROM contacts WHERE {where} ORDER BY updated_at DESC, id DESC LIMIT 50 OFFSET 4950',
              f'SELECT COUNT(*) FROM contacts WHERE {where}']),
            ('page 100 by last update, by cursor', lambda: list_records(CONTACT, member, sort='updated',
                                                                          descending=True, cursor=cursor),
             [f'SELECT {COLUMNS} FROM contacts WHERE {where} AND (updated_at, id) < (\'{edge.updated_at}\', '
              f'{edge.id}) ORDER BY updated_at DESC, id DESC LIMIT 50',
              f'SELECT COUNT(*) FROM contacts WHERE {where}']),
            # what the browser's list reads at a page turn: the rows only (its total is counted once per search)
            ('rows of page 100 by offset (the browser before)', lambda: list_page(
                CONTACT, member, sort='updated', descending=True, offset=4950),
             [f'SELECT {COLUMNS} FROM contacts WHERE {where} ORDER BY updated_at DESC, id DESC LIMIT 50 OFFSET 4950']),
            ('rows of page 100 by cursor (the browser now)', lambda: list_rows(
                CONTACT, member, sort='updated', descending=True, cursor=cursor),
             [f'SELECT {COLUMNS} FROM contacts WHERE {where} AND (updated_at, id) < (\'{edge.updated_at}\', '
              f'{edge.id}) ORDER BY updated_at DESC, id DESC LIMIT 50']),
            ('rows of the last page by offset (before)', lambda: list_page(
                CONTACT, member, sort='updated', descending=True, offset=last_offset),
             [f'SELECT {COLUMNS} FROM contacts WHERE {where} ORDER BY updated_at DESC, id DESC LIMIT 50 '
              f'OFFSET {last_offset}']),
            ('rows of the last page, read backwards (now)', lambda: list_rows(
                CONTACT, member, sort='updated', descending=True, last=True),
             [f'SELECT {COLUMNS} FROM contacts WHERE {where} ORDER BY updated_at, id LIMIT 50']),
            ('filter type=Client', lambda: list_records(CONTACT, member, type='Client'),
             [f"SELECT {COLUMNS} FROM contacts WHERE {where} AND type = 'Client' ORDER BY sort_name, id LIMIT 50",
              f"SELECT COUNT(*) FROM contacts WHERE {where} AND type = 'Client'"]),
            ('search "ros"', lambda: list_records(CONTACT, member, q='ros'),
             [f'SELECT {COLUMNS} FROM contacts WHERE {where} {like} ORDER BY sort_name, id LIMIT 50',
              f'SELECT COUNT(*) FROM contacts WHERE {where} {like}']),
        ]
        rows = []
        for name, orm_call, sqls in cases:
            orm_total, orm_db, queries = await timed(orm_call)

            async def raw_both(sqls=sqls):
                for sql in sqls:
                    await raw(sql)()
            raw_total, _, _ = await timed(raw_both)
            rows.append([name, orm_total, orm_db, queries, raw_total, orm_total / raw_total])
        print(f'{scale(total)}: {total:,} contacts in the organization; viewer: a member (user {member.user_id}); '
              f'database: {connections.get("default").capabilities.dialect}; medians of 15 runs')
        return scale(total), rows


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_database_urls(parser, help='a database bench/generate.py filled; give two to print them side by side')
    args = parser.parse_args()
    tables = [await measure(url) for url in database_urls(args)]
    print()
    print_table(*side_by_side(HEADERS, tables))


if __name__ == '__main__':
    asyncio.run(main())
