"""Generate a realistic organization for the benchmarks: 100,000 contacts, 20,000 companies, 50 members,
a share of private records with mentions. Data goes through the same derivations as a real save.

    .venv/bin/python bench/generate.py [--contacts 100000] [--companies 20000] [--members 50]
                                        [--database-url sqlite://bench/out/bench.sqlite3]
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stdnum import luhn  # noqa: E402
from tortoise import connections  # noqa: E402
from tortoise.transactions import in_transaction  # noqa: E402

from bench.common import DEFAULT_URL, database  # noqa: E402
from models.accounts import service as accounts  # noqa: E402
from models.accounts.tables import User  # noqa: E402
from models.orgs import service as orgs  # noqa: E402
from models.orgs.tables import Membership  # noqa: E402
from models.records.service import derive_columns, lookup_keys  # noqa: E402
from models.records.tables import COMPANY, CONTACT, Company, Contact, Mention, RecordKey  # noqa: E402
from models.validation import phone_number  # noqa: E402

FIRST = ['Marco', 'Giulia', 'Luca', 'Francesca', 'André', 'Zoë', 'Jürgen', 'Chloé', 'Søren', 'Íñigo', 'Anna',
         'Paolo', 'Elena', 'Matteo', 'Sara', 'François', 'Hélène', 'Björn', 'Łukasz', 'Niccolò', 'Chiara', 'Davide',
         'Martina', 'Giorgio', 'Lucía', 'José', 'Ana', 'Pietro', 'Laura', 'Federico']
LAST = ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco',
        'Müller', 'Schmidt', 'Dubois', 'Lefèvre', 'García', 'Martínez', 'Nowak', 'Kowalski', 'Bruno', 'Gallo',
        'Conti', 'De Luca', 'Mancini', 'Costa', 'Giordano', 'Rizzo', 'Lombardi', 'Moretti', 'Barbieri', 'Fontana']
WORDS = ['Impianti', 'Logistica', 'Tecnologie', 'Energia', 'Farmaceutica', 'Costruzioni', 'Alimentari',
         'Consulting', 'Digital', 'Meccanica', 'Servizi', 'Trasporti', 'Elettronica', 'Tessile', 'Vini']
CITIES = [('Milano', 'MI', '20121'), ('Roma', 'RM', '00184'), ('Torino', 'TO', '10121'), ('Napoli', 'NA', '80133'),
          ('Bologna', 'BO', '40121'), ('Firenze', 'FI', '50122'), ('Genova', 'GE', '16121')]
SUFFIX = ['Srl', 'Spa', 'Snc', 'Sas']


def partita_iva(n: int) -> str:
    base = f'{n % 10_000_000:07d}' + f'{(n % 100) + 1:03d}'
    return base + luhn.calc_check_digit(base)


def mobile(n: int) -> str:
    return f'+39 3{20 + n % 80:02d} {n % 10_000_000:07d}'


def address(rng: random.Random) -> dict:
    city, province, postal = rng.choice(CITIES)
    return {'street': f'Via {rng.choice(LAST)} {rng.randint(1, 200)}', 'city': city, 'postal_code': postal,
            'province': province, 'country': 'IT'}


async def generate(contacts: int, companies: int, members: int, private_share: float, seed: int) -> None:
    rng = random.Random(seed)
    password_hash = await accounts.hash_password('bench password')
    owner = await User.create(email='owner@bench.example', name='Bench Owner', password_hash=password_hash)
    org = await orgs.create_organization(user=owner, name='Bench Srl')
    people = [owner]
    for i in range(members - 1):
        person = await User.create(email=f'member{i}@bench.example', name=f'{rng.choice(FIRST)} {rng.choice(LAST)}',
                                   password_hash=password_hash)
        await Membership.create(org_id=org.org_id, user_id=person.id, role='member')
        people.append(person)
    lists = await orgs.option_lists(org.org_id)

    def common(i: int) -> dict:
        private = rng.random() < private_share
        creator = rng.choice(people)
        mentioned = rng.sample(people, 2) if private else []
        description = ' '.join(f'@[{p.name}](user:{p.id})' for p in mentioned) + ' Notes from the last meeting.'
        return {'org_id': org.org_id, 'visibility': 'private' if private else 'public', 'created_by_id': creator.id,
                'updated_by_id': creator.id, 'description': description,
                'phones': [phone_number('phones', mobile(i * 7 + 1), region='IT')],
                'addresses': [address(rng)]}, mentioned

    async def insert(kind, rows: list) -> None:
        async with in_transaction():
            await kind.model.bulk_create([r for r, _ in rows], batch_size=1000)
        first_id = (await kind.model.filter(org_id=org.org_id).order_by('-id').first()).id - len(rows) + 1
        keys, mentions = [], []
        for offset, (record, mentioned) in enumerate(rows):
            record.id = first_id + offset
            keys += lookup_keys(kind, record)
            mentions += [Mention(user_id=p.id, **{f'{kind.name}_id': record.id}) for p in mentioned]
        async with in_transaction():
            await RecordKey.bulk_create(keys, batch_size=2000)
            await Mention.bulk_create(mentions, batch_size=2000)

    async def write(kind, plural: str, count: int, first: int, make) -> None:
        """`count` records of a kind, the n-th made by `make(n, fields)` from the fields every record has (those of
        the record numbered `first + n` of all)."""
        start = time.perf_counter()
        batch: list = []
        for n in range(count):
            values, mentioned = common(first + n)
            record = make(n, values)
            derive_columns(kind, record)
            batch.append((record, mentioned))
            if len(batch) == 5000:
                await insert(kind, batch)
                batch = []
        if batch:
            await insert(kind, batch)
        print(f'{count:,} {plural} in {time.perf_counter() - start:.1f} s')

    def company(n: int, values: dict) -> Company:
        name = f'{rng.choice(LAST)} {rng.choice(WORDS)} {rng.choice(SUFFIX)}'
        return Company(name=name, type=rng.choice(lists['company_types']), sector=rng.choice(lists['sectors']),
                       emails=[f'info{n}@{name.split()[0].lower()}.example'], vat_number=partita_iva(n), **values)

    await write(COMPANY, 'companies', companies, 0, company)
    company_ids = await Company.filter(org_id=org.org_id).values_list('id', flat=True)

    def contact(n: int, values: dict) -> Contact:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        return Contact(first_name=first, last_name=last, type=rng.choice(lists['contact_types']),
                       role=rng.choice(lists['contact_roles']),
                       company_id=rng.choice(company_ids) if rng.random() < 0.8 else None,
                       emails=[f'{first.lower()}.{last.lower().replace(" ", "")}{n}@example.com'], **values)

    await write(CONTACT, 'contacts', contacts, companies, contact)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--contacts', type=int, default=100_000)
    parser.add_argument('--companies', type=int, default=20_000)
    parser.add_argument('--members', type=int, default=50)
    parser.add_argument('--private-share', type=float, default=0.1)
    parser.add_argument('--seed', type=int, default=7)
    parser.add_argument('--database-url', default=DEFAULT_URL)
    args = parser.parse_args()
    if args.database_url == DEFAULT_URL:
        for suffix in ('', '-wal', '-shm'):
            Path(DEFAULT_URL.removeprefix('sqlite://') + suffix).unlink(missing_ok=True)
    async with database(args.database_url):
        await generate(args.contacts, args.companies, args.members, args.private_share, args.seed)
        await connections.get('default').execute_script('ANALYZE')  # fresh statistics for the query planner


if __name__ == '__main__':
    asyncio.run(main())
