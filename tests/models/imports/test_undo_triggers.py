"""What an import's undo costs the database on PostgreSQL: deleting records takes their values out of duplicate_keys
(migration 0033_duplicate_holders) by deleting the rows left with no holder, without first rewriting them to zero;
only the values another record still holds are updated."""
from __future__ import annotations

import pytest
from tortoise.transactions import in_transaction

from models.duplicates.tables import DuplicateKey
from models.records import service as records
from models.records.tables import CONTACT, Contact
from tests.helpers import on_postgres


async def _changes(connection) -> tuple[int, int]:
    """The rows of duplicate_keys this transaction has updated and deleted so far."""
    rows = await connection.execute_query_dict(
        "SELECT n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables WHERE relname = 'duplicate_keys'")
    return rows[0]['n_tup_upd'], rows[0]['n_tup_del']


async def test_deleting_records_deletes_their_values_without_rewriting_them(acme):
    if not on_postgres():  # known once the session has set up its database
        pytest.skip("PostgreSQL's statement triggers")
    owner = acme.owner.membership
    ada = await records.create_record(CONTACT, owner, {'first_name': 'Ada', 'last_name': 'Uno',
                                                       'emails': ['ada@example.com'], 'phones': ['+39 02 1111 1111']})
    bea = await records.create_record(CONTACT, owner, {'first_name': 'Bea', 'last_name': 'Due',
                                                       'emails': ['shared@example.com']})
    cy = await records.create_record(CONTACT, owner, {'first_name': 'Cy', 'last_name': 'Tre',
                                                      'emails': ['shared@example.com']})
    async with in_transaction() as connection:
        updated, deleted = await _changes(connection)
        await Contact.filter(id__in=[ada.id, bea.id]).delete()
        now_updated, now_deleted = await _changes(connection)
    # Ada's email, phone and name, Bea's name: gone; the shared address, held by Cy still: one row updated
    assert (now_updated - updated, now_deleted - deleted) == (1, 4)
    held = {(k.kind, k.value): k.holders for k in await DuplicateKey.filter(org_id=owner.org_id, record='contact')}
    assert held == {('email', 'shared@example.com'): 1, ('name', cy.sort_name): 1}
