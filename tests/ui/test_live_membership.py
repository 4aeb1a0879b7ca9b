"""An open page re-checks its visitor's membership and role at every action: a member removed or demoted while a
page is open sees nothing more on it, and can change nothing through it."""
from __future__ import annotations

import pytest
from nicegui.testing import User

from models import orgs, records, work
from models.records import CONTACT, Contact
from models.work import PROJECT
from tests.drivers import log_in


@pytest.fixture
async def before(acme) -> None:
    """A contact Mario sees on the list before anything changes."""
    await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Before'})


def rows(user: User) -> list[str]:
    found = user.find(marker='list-table').elements
    assert len(found) == 1
    return [row['name'] for row in next(iter(found)).rows]


@pytest.mark.parametrize('change, message, after', [
    ('removed', 'You are no longer a member of Acme', 'Create or join an organization first.'),
    ('demoted', 'Your role in Acme is now guest', 'Guests do not see contacts.'),
])
async def test_an_open_contacts_page_stops_showing_records(user: User, acme, before, change, message, after):
    await log_in(user, acme.member, path='/contacts')
    await user.should_see(content='1 contact', marker='list-total')
    assert rows(user) == ['Before']

    if change == 'removed':
        await orgs.remove_member(actor=acme.owner.membership, user_id=acme.member.id)
    else:
        await orgs.change_role(actor=acme.owner.membership, user_id=acme.member.id, role='guest')
    await records.create_record(CONTACT, acme.owner.membership, {'first_name': 'Zed', 'last_name': 'After'})

    user.find(marker='list-search').type('after')  # the open page searches again
    await user.should_see(message)
    await user.should_see(content=after, marker='no-access')  # the page was rebuilt for who Mario is now
    await user.should_not_see(marker='list-table')
    await user.should_not_see('Zed After')


async def test_a_removed_member_cannot_save_from_an_open_form(user: User, acme, before):
    await log_in(user, acme.member, path='/contacts/new')
    user.find(marker='field-last_name').type('Sneaky')
    await orgs.remove_member(actor=acme.owner.membership, user_id=acme.member.id)
    user.find(marker='record-save').click()
    await user.should_see('You are no longer a member of Acme')
    assert not await Contact.filter(last_name='Sneaky').exists()


async def test_an_open_projects_page_of_a_removed_member_stops_listing(user: User, acme, before):
    await work.create_item(PROJECT, acme.owner.membership, {'name': 'Launch'})
    await log_in(user, acme.member, path='/projects')
    await user.should_see(marker='project-row')
    await orgs.remove_member(actor=acme.owner.membership, user_id=acme.member.id)
    await work.create_item(PROJECT, acme.owner.membership, {'name': 'Secret plan'})

    user.find(marker='projects-search').type('plan')
    await user.should_see('You are no longer a member of Acme')
    await user.should_see(marker='no-access')
    await user.should_not_see('Secret plan')
