"""An open page re-checks its visitor's membership and role at every action: a member removed or demoted while a
page is open sees nothing more on it, and can change nothing through it."""
from __future__ import annotations

import pytest
from nicegui.testing import User

from models.orgs import service as orgs
from models.records import service as records
from models.records.tables import CONTACT, Contact
from models.work import service as work
from models.work.tables import PROJECT
from tests.helpers import add_member, log_in, make_org, make_user


@pytest.fixture
async def team():
    owner = await make_user(name='Olga Owner', email='olga@example.com')
    mario = await make_user(name='Mario Rossi', email='mario@example.com')
    org = await make_org(owner, 'Acme')
    await add_member(org, mario, 'member')
    await records.create_record(CONTACT, org, {'last_name': 'Before'})
    return {'owner': owner, 'mario': mario, 'org': org}


def rows(user: User) -> list[str]:
    found = user.find(marker='list-table').elements
    assert len(found) == 1
    return [row['name'] for row in next(iter(found)).rows]


@pytest.mark.parametrize('change, message, after', [
    ('removed', 'You are no longer a member of Acme', 'Create or join an organization first.'),
    ('demoted', 'Your role in Acme is now guest', 'Guests do not see contacts.'),
])
async def test_an_open_contacts_page_stops_showing_records(user: User, team, change, message, after):
    await log_in(user, 'mario@example.com', path='/contacts')
    await user.should_see(content='1 contact', marker='list-total')
    assert rows(user) == ['Before']

    if change == 'removed':
        await orgs.remove_member(actor=team['org'], user_id=team['mario'].id)
    else:
        await orgs.change_role(actor=team['org'], user_id=team['mario'].id, role='guest')
    await records.create_record(CONTACT, team['org'], {'first_name': 'Zed', 'last_name': 'After'})

    user.find(marker='list-search').type('after')  # the open page searches again
    await user.should_see(message)
    await user.should_see(content=after, marker='no-access')  # the page was rebuilt for who Mario is now
    await user.should_not_see(marker='list-table')
    await user.should_not_see('Zed After')


async def test_a_removed_member_cannot_save_from_an_open_form(user: User, team):
    await log_in(user, 'mario@example.com', path='/contacts/new')
    user.find(marker='field-last_name').type('Sneaky')
    await orgs.remove_member(actor=team['org'], user_id=team['mario'].id)
    user.find(marker='record-save').click()
    await user.should_see('You are no longer a member of Acme')
    assert not await Contact.filter(last_name='Sneaky').exists()


async def test_an_open_projects_page_of_a_removed_member_stops_listing(user: User, team):
    await work.create_item(PROJECT, team['org'], {'name': 'Launch'})
    await log_in(user, 'mario@example.com', path='/projects')
    await user.should_see(marker='project-row')
    await orgs.remove_member(actor=team['org'], user_id=team['mario'].id)
    await work.create_item(PROJECT, team['org'], {'name': 'Secret plan'})

    user.find(marker='projects-search').type('plan')
    await user.should_see('You are no longer a member of Acme')
    await user.should_see(marker='no-access')
    await user.should_not_see('Secret plan')
