"""Copy 10,000 contacts (with their companies) into another organization, as an owner does from the list.

    .venv/bin/python bench/generate.py          # once
    .venv/bin/python bench/copy_timings.py [--count 10000] [--database-url URL]

The target organization is deleted again afterwards, so the script can be run repeatedly.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tortoise import connections  # noqa: E402

from bench.common import DEFAULT_URL, database, print_table  # noqa: E402
from models.accounts.tables import User  # noqa: E402
from models.orgs import service as orgs  # noqa: E402
from models.orgs.tables import Membership, Organization  # noqa: E402
from models.records import copy as copying  # noqa: E402
from models.records.tables import Company, Contact  # noqa: E402


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--count', type=int, default=10_000)
    parser.add_argument('--database-url', default=DEFAULT_URL)
    args = parser.parse_args()
    async with database(args.database_url):
        owner = await Membership.filter(role='owner').select_related('org').order_by('id').first()
        user = await User.get(id=owner.user_id)
        target = await orgs.create_organization(user=user, name='Bench copy target')
        try:
            ids = await Contact.filter(org_id=owner.org_id, visibility='public').order_by('id') \
                .limit(args.count).values_list('id', flat=True)
            start = time.perf_counter()
            report = await copying.copy_records(actor=owner, target_org_id=target.org_id, contact_ids=ids)
            seconds = time.perf_counter() - start
            companies = await Company.filter(org_id=target.org_id).count()
            print(f'database: {connections.get("default").capabilities.dialect}\n')
            print_table(['contacts asked', 'copied', 'companies copied', 'skipped', 'seconds', 'contacts/s'],
                        [[len(ids), len(report.contacts), companies, len(report.skipped), seconds,
                          f'{len(report.contacts) / seconds:,.0f}']])
        finally:
            await Organization.filter(id=target.org_id).delete()


if __name__ == '__main__':
    asyncio.run(main())
