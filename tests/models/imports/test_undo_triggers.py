"""What an import's undo costs the database on PostgreSQL: deleting records takes their values out of duplicate_keys
(migration 0033_duplicate_holders) by deleting the rows left with no holder, without first rewriting them to zero;
only the values another record still holds are updated."""
from __future__ import annotations

import json

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from models.duplicates.tables import DuplicateKey
from models.imports.undo import undo_import
from models.imports.writing import import_file
from models.records import service as records
from models.records.tables import CONTACT, Contact
from tests.helpers import on_postgres
from tests.models.imports.test_bulk import numbered_file


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


def _nodes(plan: dict):
    yield plan
    for child in plan.get('Plans', []):
        yield from _nodes(child)


async def test_undo_finds_the_created_records_by_primary_key_with_statistics_from_before_the_import(acme,
                                                                                                   monkeypatch):
    """PostgreSQL's statistics, taken before the import, put one row in its report and one contact in the
    organization: a deletion choosing the records through the report read the report once per record (a
    100,000-row undo ran for minutes). The deletion undo sends finds each created record by primary key."""
    if not on_postgres():
        pytest.skip("PostgreSQL's planner")
    client = connections.get('default')
    await client.execute_script('ANALYZE import_rows; ANALYZE contacts')
    owner = acme.owner.membership
    batch = await import_file(owner, kind='contact', data=numbered_file(300), filename='300.csv')
    sent: list[tuple[str, list]] = []
    for cls in {type(client), *type(client).__subclasses__()}:
        if 'execute_query' in vars(cls):
            original = vars(cls)['execute_query']

            async def recorded(self, query, values=None, _original=original):
                if query.startswith('DELETE FROM "contacts"'):
                    sent.append((query, values))
                return await _original(self, query, values)
            monkeypatch.setattr(cls, 'execute_query', recorded)
    await undo_import(owner, batch.id)
    assert not await Contact.filter(org_id=owner.org_id).exists()
    monkeypatch.undo()
    assert len(sent) == 1
    query, values = sent[0]
    rows = await client.execute_query_dict(f'EXPLAIN (FORMAT JSON) {query}', values)
    plan = rows[0]['QUERY PLAN']
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes = [node for node in _nodes(plan[0]['Plan']) if node['Node Type'] != 'ModifyTable']
    # an Index Scan of the key, or a Bitmap Heap Scan of contacts over a Bitmap Index Scan of it (the planner's
    # choice by the number of ids): either way by primary key, and no other table read
    tables = {node['Relation Name'] for node in nodes if node.get('Relation Name')}
    indexes = {node['Index Name'] for node in nodes if node.get('Index Name')}
    assert tables == {'contacts'} and indexes == {'contacts_pkey'}, nodes
    assert not [node for node in nodes if node['Node Type'] == 'Seq Scan'], nodes
