"""The header's search box and the /search page (NiceGUI's simulated user): both kinds as you type, links to the
cards, Enter for every result, pages, and never a record the visitor may not see."""
from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from models import records
from models.records import COMPANY, CONTACT
from tests.drivers import log_in


@pytest.fixture
async def sample(acme) -> dict:
    """A company and its contact that "muller" finds, and a private contact of Olga's that it finds for her only."""
    org = acme.owner.membership
    company = await records.create_record(COMPANY, org, {'name': 'Müller Impianti', 'emails': ['info@mi.example']})
    andre = await records.create_record(CONTACT, org, {'first_name': 'André', 'last_name': 'Müller',
                                                       'emails': ['andre@example.com'], 'company_id': company.id})
    await records.create_record(CONTACT, org, {'last_name': 'Müllerina Segreta', 'visibility': 'private'})
    return {'company': company, 'andre': andre}


def links(user: User, marker: str) -> list[str]:
    return sorted(element.text for element in user.find(marker=marker).elements)


async def test_the_header_box_shows_both_kinds_as_you_type(user: User, acme, sample):
    await log_in(user, acme.member, path='/contacts')
    user.find(marker='global-search').type('muller')
    await user.should_see(marker='global-search-contact-link')
    assert links(user, 'global-search-contact-link') == ['André Müller']  # not the private one of Olga
    assert links(user, 'global-search-company-link') == ['Müller Impianti']
    await user.should_see('Contacts (1)')
    await user.should_see('Impianti', kind=ui.label)  # André's company on his detail line
    user.find(marker='global-search-contact-link').click()
    await user.should_see(content='André', marker='view-first_name')


async def test_nothing_found_and_a_cleared_box(user: User, acme, sample):
    await log_in(user, acme.member, path='/')
    user.find(marker='global-search').type('zzzz')
    await user.should_see(marker='global-search-nothing')
    user.find(marker='global-search').clear()
    await user.should_not_see(marker='global-search-nothing')


async def test_enter_opens_the_search_page_with_every_result(user: User, acme, sample):
    await log_in(user, acme.owner, path='/')
    user.find(marker='global-search').type('müll').trigger('keydown.enter')
    await user.should_see(marker='search-page-input')
    await user.should_see('Contacts (2)')
    assert links(user, 'search-contact-link') == ['André Müller', 'Müllerina Segreta']  # Olga created it
    await user.should_see('Companies (1)')
    assert links(user, 'search-company-link') == ['Müller Impianti']


async def test_the_search_page_pages_and_searches_again(user: User, acme, sample):
    for n in range(45):
        await records.create_record(CONTACT, acme.owner.membership, {'first_name': f'Person{n:02d}',
                                                                     'last_name': 'Verdi'})
    await log_in(user, acme.member, path='/search?q=verdi')
    await user.should_see('Contacts (45)')
    assert len(user.find(marker='search-contact-link').elements) == 20
    assert links(user, 'search-contact-link')[0] == 'Person00 Verdi'
    pager = next(iter(user.find(marker='search-contact-pager').elements))
    pager.set_value(3)
    await user.should_see('Person44 Verdi')
    assert len(user.find(marker='search-contact-link').elements) == 5
    await user.should_see(marker='search-company-none')
    user.find(marker='search-page-input').clear().type('andre@example')
    await user.should_see('Contacts (1)')
    assert links(user, 'search-contact-link') == ['André Müller']


async def test_an_empty_query_asks_for_one(user: User, acme, sample):
    await log_in(user, acme.member, path='/search')
    await user.should_see(marker='search-hint')
    await user.should_not_see(marker='search-contact-link')


async def test_guests_get_no_box_and_no_results(user: User, acme, sample):
    await log_in(user, acme.guest, path='/search?q=muller')
    await user.should_see(marker='no-access')
    await user.should_not_see(marker='global-search')
    await user.should_not_see('André Müller')


async def test_a_hostile_name_is_shown_as_text(user: User, acme, sample):
    await records.create_record(CONTACT, acme.owner.membership, {'last_name': '<img src=x onerror=alert(1)> Hacker'})
    await log_in(user, acme.member, path='/')
    user.find(marker='global-search').type('hacker')
    await user.should_see(marker='global-search-contact-link')
    assert links(user, 'global-search-contact-link') == ['<img src=x onerror=alert(1)> Hacker']


async def test_a_list_shows_the_best_hits_first_while_searching(user: User, acme, sample):
    for last in ('Barossi', 'Rossi', 'Rosati'):
        await records.create_record(CONTACT, acme.owner.membership, {'last_name': last})
    await log_in(user, acme.member, path='/contacts')
    table = next(iter(user.find(marker='list-table').elements))
    user.find(marker='list-search').type('ros')
    await user.should_see('3 contacts')
    assert [row['name'] for row in table.rows] == ['Rosati', 'Rossi', 'Barossi']
    user.find(marker='list-search').clear()
    await user.should_see('4 contacts')  # without a query, by name again
    assert [row['name'] for row in table.rows] == ['Barossi', 'André Müller', 'Rosati', 'Rossi']
