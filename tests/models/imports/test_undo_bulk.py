"""An import's undo keeps what the database's delete triggers keep for any deletion, when it keeps it itself for all
its contacts at once (SQLite, migration 0037_bulk_deletion): CardDAV tells a phone of every contact gone, the counts
of shared values equal a recount (with a value another record still holds, over and under the kept-ids limit), and
the flag that makes the triggers skip is cleared, so the next deletion is counted again by them."""
from __future__ import annotations

import importlib

from tortoise import connections

from models.carddav import books
from models.duplicates.tables import DuplicateKey
from models.imports.undo import undo_import
from models.imports.writing import import_file
from models.records import service as records
from models.records.tables import CONTACT, Contact
from tests.helpers import on_postgres
from tests.models.duplicates.test_ready_groups import counted, holding, kept_counts, kept_holders
from tests.models.records.test_counts import check_counts

IDS_MAX = importlib.import_module('models.migrations.0033_duplicate_holders').IDS_MAX


def _file(rows: int, shared_from: int) -> bytes:
    """`rows` contacts, each with its own email, the rows from `shared_from` on with one shared phone too."""
    lines = ['First name,Last name,Email,Phone'] + [
        f'Name{n},Surname{n},person{n}@example.com,{"+39 02 5555 0000" if n >= shared_from else ""}'
        for n in range(rows)]
    return '\n'.join(lines).encode()


async def test_undo_tells_carddav_of_every_contact_and_keeps_the_counts(acme):
    owner, member = acme.owner.membership, acme.member.membership
    before = await records.create_record(CONTACT, owner, {'first_name': 'Ada', 'last_name': 'Prima',
                                                          'emails': ['ada@example.com'],
                                                          'phones': ['+39 02 5555 0000']})
    rows = IDS_MAX + 10  # the shared phone held by more than IDS_MAX records, then by one again
    batch = await import_file(owner, kind='contact', data=_file(rows, shared_from=5), filename='n.csv')
    assert batch.created == rows
    imported = await Contact.filter(org_id=owner.org_id).exclude(id=before.id).values_list('id', flat=True)
    token = await books.sync_token(member)

    await undo_import(owner, batch.id)

    assert await Contact.filter(org_id=owner.org_id).values_list('id', flat=True) == [before.id]
    assert sorted(await books.removed_since(member, token)) == sorted(f'contact-{i}.vcf' for i in imported)
    assert await books.sync_token(member) > token
    assert await kept_counts(owner.org_id) == await counted(owner.org_id)
    assert await kept_holders(owner.org_id) == await holding(owner.org_id)
    await check_counts(acme)
    shared = await DuplicateKey.get(org_id=owner.org_id, kind='phone')
    assert (shared.holders, shared.ids) == (1, f',{before.id},')
    if not on_postgres():
        rows = await connections.get('default').execute_query_dict('SELECT count(*) AS n FROM bulk_deletion')
        assert rows[0]['n'] == 0

    # the triggers count the next deletion themselves again
    await Contact.filter(id=before.id).delete()
    assert not await DuplicateKey.filter(org_id=owner.org_id).exists()
    await check_counts(acme)
