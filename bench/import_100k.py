"""Import a 100,000-row CSV into a fresh organization, then undo it; print the times.

    .venv/bin/python bench/import_100k.py [--rows 100000] [--database-url URL]

The file looks like an Italian spreadsheet: names with accents, one email and one phone per row, an address,
a company named on one row in five (2,000 distinct companies), a partita IVA on some rows, and one row in
a thousand broken (a bad email) so the report has skipped rows. The file is read, parsed, validated with
the app's validators, matched and written exactly as an upload from the page is. The organization and its
user are deleted afterwards, so the script can be run repeatedly.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tortoise import connections  # noqa: E402

from bench.common import DEFAULT_URL, database, print_table  # noqa: E402
from models.accounts.tables import User  # noqa: E402
from models.imports import writing  # noqa: E402
from models.imports.undo import undo_import  # noqa: E402
from models.orgs import service as orgs  # noqa: E402
from models.orgs.tables import Organization  # noqa: E402
from models.records.tables import Company, Contact  # noqa: E402

FIRST = ['André', 'Chiara', 'Giuseppe', 'Maria', 'Niccolò', 'Hélène', 'Luca', 'Sofia', 'Jürgen', 'Zoé', 'Marco',
         'Giulia', 'François', 'Elena', 'Paolo']
LAST = ['Rossi', 'Müller', 'Bianchi', 'Esposito', 'Bellè', 'Lefèvre', 'Verdi', 'Romano', 'Colombo', 'Ricci',
        'Gallo', 'Conti', 'De Luca', 'Mancini', 'Costa']
CITIES = [('Milano', '20121', 'MI'), ('Roma', '00184', 'RM'), ('Napoli', '80134', 'NA'), ('Torino', '10121', 'TO'),
          ('Città di Castello', '06012', 'PG')]
IVA = ['01234560017', '12345670157', '09876540585']  # valid check digits


def make_csv(rows: int) -> bytes:
    rng = random.Random(7)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=';')
    writer.writerow(['Nome', 'Cognome', 'Email', 'Telefono', 'Ragione sociale', 'Partita IVA', 'Indirizzo', 'Città',
                     'CAP', 'Provincia', 'Note'])
    for n in range(rows):
        city, cap, province = CITIES[n % len(CITIES)]
        email = f'persona{n}@example.com' if n % 1000 != 999 else f'persona{n} at example.com'
        writer.writerow([rng.choice(FIRST), rng.choice(LAST), email, f'02 {1000 + n // 10000:04d} {n % 10000:04d}',
                         f'Azienda {n // 5 % 2000}' if n % 5 == 0 else '', IVA[n % 3] if n % 97 == 0 else '',
                         f'Via Roma {n % 300 + 1}', city, cap, province, 'importato' if n % 10 == 0 else ''])
    return out.getvalue().encode('cp1252')


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--rows', type=int, default=100_000)
    parser.add_argument('--database-url', default=DEFAULT_URL)
    args = parser.parse_args()
    data = make_csv(args.rows)
    async with database(args.database_url):
        user = await User.create(email=f'bench-import-{time.time_ns()}@example.com', name='Bench importer',
                                 password_hash='-')
        owner = await orgs.create_organization(user=user, name='Bench import')
        try:
            updates: list[tuple[float, int]] = []
            start = time.perf_counter()
            batch = await writing.import_file(
                owner, kind='contact', data=data, filename='bench.csv',
                progress=lambda step, done, total: updates.append((time.perf_counter(), done)))
            seconds = time.perf_counter() - start
            contacts = await Contact.filter(org_id=owner.org_id).count()
            companies = await Company.filter(org_id=owner.org_id).count()
            gaps = [b[0] - a[0] for a, b in zip(updates, updates[1:])]
            start = time.perf_counter()
            await undo_import(owner, batch.id)
            undo_seconds = time.perf_counter() - start
            left = await Contact.filter(org_id=owner.org_id).count()
            print(f'database: {connections.get("default").capabilities.dialect}; file: {len(data) / 1e6:.1f} MB\n')
            print_table(['rows', 'created', 'skipped', 'contacts', 'companies', 'import s', 'rows/s',
                         'progress updates', 'longest gap s', 'undo s', 'left after undo'],
                        [[args.rows, batch.created, batch.skipped, contacts, companies, seconds,
                          f'{args.rows / seconds:,.0f}', len(updates), max(gaps, default=0.0), undo_seconds, left]])
        finally:
            await Organization.filter(id=owner.org_id).delete()
            await user.delete()


if __name__ == '__main__':
    asyncio.run(main())
