"""The contacts and companies lists (NiceGUI's simulated user): search, filters and pages in the database, the best
hits first while searching."""
from __future__ import annotations

from nicegui.testing import User

from models.records import service as records
from models.records.tables import CONTACT
from tests.drivers import choose, element, log_in


async def test_the_list_searches_filters_and_pages_in_the_database(user: User, acme):
    for i in range(60):
        await records.create_record(CONTACT, acme.owner.membership, {'last_name': f'Person {i:02d}',
                                                                     'type': 'Client' if i % 2 else 'Lead'})
    await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Hidden', 'visibility': 'private'})
    await log_in(user, acme.owner, path='/contacts')
    await user.should_see(content='60 contacts', marker='list-total')
    table = element(user, 'list-table')
    assert len(table.rows) == 50 and table.rows[0]['name'] == 'Person 00'
    choose(user, 'filter-type', 'Client')
    await user.should_see(content='30 contacts', marker='list-total')
    user.find(marker='list-search').type('person 43')
    await user.should_see(content='1 contact', marker='list-total')
    assert [row['name'] for row in element(user, 'list-table').rows] == ['Person 43']
    user.find(marker='list-search').clear().type('hidden')
    await user.should_see(content='0 contacts', marker='list-total')


async def test_a_list_shows_the_best_hits_first_while_searching(user: User, acme):
    org = acme.owner.membership
    await records.create_record(CONTACT, org, {'first_name': 'André', 'last_name': 'Müller'})
    await records.create_record(CONTACT, org, {'last_name': 'Müllerina Segreta', 'visibility': 'private'})
    for last in ('Barossi', 'Rossi', 'Rosati'):
        await records.create_record(CONTACT, org, {'last_name': last})
    await log_in(user, acme.member, path='/contacts')
    table = next(iter(user.find(marker='list-table').elements))
    user.find(marker='list-search').type('ros')
    await user.should_see('3 contacts')
    assert [row['name'] for row in table.rows] == ['Rosati', 'Rossi', 'Barossi']
    user.find(marker='list-search').clear()
    await user.should_see('4 contacts')  # without a query, by name again
    assert [row['name'] for row in table.rows] == ['Barossi', 'André Müller', 'Rosati', 'Rossi']
