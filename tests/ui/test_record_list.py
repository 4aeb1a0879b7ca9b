"""The contacts and companies lists (NiceGUI's simulated user): search, filters (the company picker too) and pages in
the database, the best hits first while searching; and in a real browser, sorting by last update starts newest."""
from __future__ import annotations

import httpx
from nicegui.testing import Screen, User
from selenium.webdriver.support.ui import WebDriverWait

from models.records import service as records
from models.records.tables import COMPANY, CONTACT
from tests.drivers import browser_log_in, choose, element, item_texts, log_in
from tests.ui.browser import sign_up_with_org


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


async def test_the_company_filter_narrows_the_list_alone_and_with_the_type(user: User, acme):
    owner = acme.owner.membership
    rossi = await records.create_record(COMPANY, owner, {'name': 'Rossi Impianti'})
    verdi = await records.create_record(COMPANY, owner, {'name': 'Verdi Logistica'})
    for last, company, type_ in (('Abate', rossi, 'Client'), ('Bassi', rossi, 'Lead'), ('Conti', verdi, 'Client'),
                                 ('Dini', None, 'Client')):
        await records.create_record(CONTACT, owner, {'last_name': last, 'type': type_,
                                                     'company_id': company.id if company else None})
    await log_in(user, acme.member, path='/contacts')
    await user.should_see(content='4 contacts', marker='list-total')
    user.find(marker='filter-company-search').type('rossi')
    await user.should_see(marker='filter-company-option')
    assert item_texts(user, 'filter-company-option') == ['Rossi Impianti']
    user.find(marker='filter-company-option').click()
    await user.should_see(content='Rossi Impianti', marker='filter-company-chosen')
    await user.should_see(content='2 contacts', marker='list-total')
    assert [row['name'] for row in element(user, 'list-table').rows] == ['Abate', 'Bassi']
    choose(user, 'filter-type', 'Client')
    await user.should_see(content='1 contact', marker='list-total')
    assert [row['name'] for row in element(user, 'list-table').rows] == ['Abate']
    user.find(marker='filter-company-clear').click()
    await user.should_see(content='3 contacts', marker='list-total')
    assert [row['name'] for row in element(user, 'list-table').rows] == ['Abate', 'Conti', 'Dini']


# ------------------------------------------------------------------ in a real browser

def test_a_first_click_on_last_update_shows_the_newest_first(screen: Screen):
    screen.open('/login')
    headers, org_id = sign_up_with_org(screen, 'ada@example.com', 'lovelace1', 'Ada Lovelace', 'Engines')
    base = f'{screen.url}/api/v1/orgs/{org_id}'
    made = [httpx.post(f'{base}/contacts', json={'last_name': name}, headers=headers).json()
            for name in ('Abate', 'Bassi', 'Conti')]
    httpx.patch(f'{base}/contacts/{made[0]["id"]}', json={'version': 1, 'description': 'called back'}, headers=headers) \
        .raise_for_status()  # Abate is now the one changed last
    browser_log_in(screen, 'ada@example.com', 'lovelace1')
    screen.open('/contacts')
    screen.should_contain('3 contacts')

    def names() -> list[str]:  # read in one go: the rows are redrawn while a sort loads
        return screen.selenium.execute_script(
            "return [...document.querySelectorAll('.q-table tbody tr td:first-child a')].map(a => a.textContent.trim())")

    WebDriverWait(screen.selenium, 5).until(lambda _: names() == ['Abate', 'Bassi', 'Conti'])  # by name
    screen.click('Last update')
    WebDriverWait(screen.selenium, 5).until(lambda _: names() == ['Abate', 'Conti', 'Bassi'])
    screen.click('Last update')  # the second click: the oldest first
    WebDriverWait(screen.selenium, 5).until(lambda _: names() == ['Bassi', 'Conti', 'Abate'])
