"""Timing of a contact's Connections tab with many linked projects, tasks and tickets.

    .venv/bin/python bench/connections_tab.py [--items 500] [--runs 20] [--database-url URL]

Without --database-url (or RUBRICA_DATABASE_URL) it uses a fresh SQLite file in a temporary directory; with a
PostgreSQL URL it adds one organization to that database and deletes it at the end.
Rows: the data the tab shows (models/connections.record_connections), then the whole panel as the card builds it
(ui/connections.connections_panel, NiceGUI elements included, in a client no browser is connected to): as it
opens (the first rows of each kind) and with every row drawn (as after clicking each "Show all").
"ms" columns are medians and 95th percentiles over the runs, after one warm-up; "queries" is per build.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import print_table, runs, scratch_database  # noqa: E402
from models.accounts.tables import User  # noqa: E402
from models.orgs.service import create_organization  # noqa: E402
from models.orgs.tables import Organization  # noqa: E402
from models.records.service import create_record  # noqa: E402
from models.records.tables import CONTACT  # noqa: E402
from models.work.connections import record_connections  # noqa: E402
from models.work.tables import WORK_KINDS, Connection  # noqa: E402


async def measure(action, repeat: int) -> tuple[float, float, int]:
    """Median and 95th percentile ms, and queries, of a run of an async action (after one warm-up run)."""
    times, _, queries = await runs(action, repeat)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], queries


async def make_contact_with_work(items: int):
    user = await User.create(email=f'bench-{time.time_ns()}@example.com', name='Bench', password_hash='-')
    owner = await create_organization(user=user, name='Bench')
    contact = await create_record(CONTACT, owner, {'last_name': 'Busy'})
    share = {'project': items - 2 * (items // 3), 'task': items // 3, 'ticket': items // 3}
    for name, kind in WORK_KINDS.items():
        await kind.model.bulk_create([kind.model(org_id=owner.org_id, status=kind.statuses[n % 3], sort_title=f'{n}',
                                                 **{kind.title_field: f'{kind.label} {n}'})
                                      for n in range(share[name])])
        ids = await kind.model.filter(org_id=owner.org_id).values_list('id', flat=True)
        await Connection.bulk_create([Connection(org_id=owner.org_id, contact_id=contact.id, **{f'{name}_id': i})
                                      for i in ids])
    return user, owner, contact


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--items', type=int, default=500)
    parser.add_argument('--runs', type=int, default=20)
    parser.add_argument('--database-url', default=os.environ.get('RUBRICA_DATABASE_URL', ''))
    args = parser.parse_args()
    async with scratch_database(args.database_url) as url:
        await run(args, url)


async def run(args, url: str) -> None:
    from nicegui import Client
    from nicegui.page import page

    from ui import connections as ui_connections
    from ui.connections import connections_panel
    from ui.session import PageContext

    user, owner, contact = await make_contact_with_work(args.items)
    try:
        assert await Connection.filter(contact_id=contact.id).count() == args.items
        ctx = PageContext(user=user, memberships=[owner], membership=owner)
        client = Client(page('/bench'))

        async def data() -> None:
            await record_connections(owner, CONTACT, contact.id)

        async def panel() -> None:
            with client, client.content:
                await connections_panel(ctx, CONTACT, contact)
            client.content.clear()

        rows = [('data: record_connections', *await measure(data, args.runs)),
                (f'panel, first {ui_connections.PREVIEW} rows of each kind', *await measure(panel, args.runs))]
        ui_connections.PREVIEW = args.items  # as after clicking every "Show all"
        rows.append((f'panel, all {args.items} rows drawn', *await measure(panel, args.runs)))
    finally:
        await Organization.filter(id=owner.org_id).delete()
        await user.delete()

    backend = url.split(':', 1)[0]
    print(f'Connections tab of a contact with {args.items} linked items ({backend}, {args.runs} runs)')
    print_table(['build', 'median ms', 'p95 ms', 'queries'],
                [[name, f'{median:.1f}', f'{p95:.1f}', queries] for name, median, p95, queries in rows])


if __name__ == '__main__':
    asyncio.run(main())
