"""The contacts and companies lists (NiceGUI's simulated user): search, filters (the company picker too) and pages in
the database, the best hits first while searching; and in a real browser, sorting by last update starts newest."""
from __future__ import annotations

import asyncio

import httpx
from nicegui import ui
from nicegui.testing import Screen, User
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from models.records import service as records
from models.records.tables import COMPANY, CONTACT, Company, Contact
from tests.drivers import browser_log_in, choose, element, follow_history, item_texts, log_in
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


# ------------------------------------------------------------------ the list's state in the address

async def total_is(user: User, text: str) -> None:
    """Wait until the list's total reads exactly `text` (should_see would take '15 contacts' for '5 contacts')."""
    for _ in range(50):
        try:
            if element(user, 'list-total').text == text:
                return
        except AssertionError:  # the page is not there yet
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f'the total never read {text!r}')


async def test_a_list_opens_in_the_state_its_address_gives(user: User, acme):
    for i in range(60):
        await records.create_record(CONTACT, acme.owner.membership, {'last_name': f'Person {i:02d}',
                                                                     'type': 'Client' if i % 2 else 'Lead'})
    await log_in(user, acme.owner, path='/contacts')
    await user.open('/contacts?q=person&type=Client&sort=name&order=desc&page=2&per_page=25')
    await total_is(user, '30 contacts')
    table = element(user, 'list-table')
    assert table.pagination['page'] == 2 and table.pagination['rowsPerPage'] == 25
    assert (table.pagination['sortBy'], table.pagination['descending']) == ('name', True)
    # Clients are the odd numbers, 59 down to 1: the second page of 25 starts at the 26th, Person 09
    assert [row['name'] for row in table.rows] == ['Person 09', 'Person 07', 'Person 05', 'Person 03', 'Person 01']
    assert element(user, 'filter-type').value == 'Client'
    assert element(user, 'list-search').value == 'person'


async def test_what_is_not_a_valid_state_in_the_address_is_left_out(user: User, acme, monkeypatch):
    await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Rossi', 'type': 'Client'})
    secret = await records.create_record(COMPANY, acme.owner.membership, {'name': 'Secret', 'visibility': 'private'})
    follow_history(user, monkeypatch)
    await log_in(user, acme.member, path='/contacts')
    await user.open(f'/contacts?type=Astronaut&role=&sort=DROP+TABLE&order=sideways&page=abc&per_page=7'
                    f'&company_id={secret.id}&unknown=1')
    await total_is(user, '1 contact')
    table = element(user, 'list-table')
    assert [row['name'] for row in table.rows] == ['Rossi']
    assert table.pagination['rowsPerPage'] == 50
    assert element(user, 'filter-type').value is None
    assert user.back_history[-1] == '/contacts'  # the address now says what the list shows
    await user.open('/contacts?page=5')  # past the last page: the last page there is
    await total_is(user, '1 contact')
    assert user.back_history[-1] == '/contacts'
    for address in ('/contacts?page=99999999999999999999', '/contacts?page=-1&per_page=0',
                    '/contacts?company_id=%00', '/companies?sector=Nope&sort=company'):
        await user.open(address)
        await user.should_see(marker='list-total')
    assert user.back_history[-1] == '/companies'


async def test_changing_the_list_changes_its_address_and_the_address_brings_it_back(user: User, acme, monkeypatch):
    for i in range(30):
        await records.create_record(CONTACT, acme.owner.membership, {'last_name': f'Person {i:02d}',
                                                                     'type': 'Client' if i % 2 else 'Lead'})
    follow_history(user, monkeypatch)
    await log_in(user, acme.owner, path='/contacts')
    await total_is(user, '30 contacts')
    choose(user, 'filter-type', 'Lead')
    await total_is(user, '15 contacts')
    assert user.back_history[-1] == '/contacts?type=Lead'
    user.find(marker='list-search').type('person 1')
    await total_is(user, '5 contacts')
    assert user.back_history[-1] == '/contacts?q=person+1&type=Lead'
    pushed = len(user.back_history)
    user.find(marker='list-search').clear().type('person')
    await total_is(user, '15 contacts')
    assert user.back_history[-1] == '/contacts?q=person&type=Lead' and len(user.back_history) == pushed  # replaced
    user.find(marker='list-table').trigger('request', {'pagination': {'page': 1, 'rowsPerPage': 25,
                                                                      'sortBy': 'updated', 'descending': True}})
    address = '/contacts?q=person&type=Lead&sort=updated&order=desc&per_page=25'
    for _ in range(50):
        if user.back_history[-1] == address:
            break
        await asyncio.sleep(0.1)
    assert user.back_history[-1] == address and len(user.back_history) == pushed + 1
    await total_is(user, '15 contacts')
    newest_first = [row['name'] for row in element(user, 'list-table').rows]
    assert newest_first[0] == 'Person 28'

    await user.open(address)  # a reload, or the link shared
    await total_is(user, '15 contacts')
    table = element(user, 'list-table')
    assert (table.pagination['rowsPerPage'], table.pagination['sortBy'], table.pagination['descending']) == \
        (25, 'updated', True)
    assert [row['name'] for row in table.rows] == newest_first
    assert element(user, 'filter-type').value == 'Lead'


# ------------------------------------------------------------------ pages by cursor

async def rows_become(user: User, expected: list[str]) -> None:
    """Wait until the table's rows are these names, in this order."""
    for _ in range(50):
        if [row['name'] for row in element(user, 'list-table').rows] == expected:
            return
        await asyncio.sleep(0.1)
    assert [row['name'] for row in element(user, 'list-table').rows] == expected


async def offset_pages(kind, actor, per_page: int, **query) -> list[list[str]]:
    """The list's pages as an offset reads them: what a walk by cursor must show."""
    pages, offset = [], 0
    while items := await records.list_page(kind, actor, limit=per_page, offset=offset, **query):
        pages.append([record.display_name for record in items])
        offset += per_page
    return pages


async def crowd(acme, count: int = 130) -> None:
    for i in range(count):  # names that tie ('Person 3' many times) and a private one, to the member only
        await records.create_record(CONTACT, acme.member.membership if i == 7 else acme.owner.membership,
                                    {'last_name': f'Person {i % 40:02d}', 'first_name': f'N{i:03d}',
                                     'type': 'Client' if i % 3 else 'Lead',
                                     **({'visibility': 'private'} if i == 7 else {})})


async def test_pages_walk_forward_and_back_by_cursor_as_the_offset_list(user: User, acme, monkeypatch):
    await crowd(acme)
    follow_history(user, monkeypatch)
    member = acme.member.membership
    await log_in(user, acme.member, path='/contacts')
    await user.open('/contacts?sort=updated&order=desc&per_page=25')
    await total_is(user, '130 contacts')
    pages = await offset_pages(CONTACT, member, 25, sort='updated', descending=True)
    assert len(pages) == 6 and len(pages[-1]) == 5
    await rows_become(user, pages[0])
    assert element(user, 'list-previous').enabled is False and element(user, 'list-first').enabled is False
    for number, page in enumerate(pages[1:], start=2):
        user.find(marker='list-next').click()
        await rows_become(user, page)
        first = (number - 1) * 25 + 1
        assert element(user, 'list-range').text == f'{first}–{first + len(page) - 1} of 130'
        assert f'page={number}&' in user.back_history[-1] and '&cursor=' in user.back_history[-1]
    assert element(user, 'list-next').enabled is False and element(user, 'list-last').enabled is False
    for number in range(len(pages) - 1, 0, -1):
        user.find(marker='list-previous').click()
        await rows_become(user, pages[number - 1])
    assert user.back_history[-1] == '/contacts?sort=updated&order=desc&per_page=25'  # the first page, plainly
    assert element(user, 'list-range').text == '1–25 of 130'

    user.find(marker='list-last').click()  # the end, read backwards: the same rows as the last offset page
    await rows_become(user, pages[-1])
    assert element(user, 'list-range').text == '126–130 of 130'
    assert element(user, 'list-table').pagination['page'] == 6
    user.find(marker='list-previous').click()
    await rows_become(user, pages[-2])
    await user.open(user.back_history[-1])  # a reload shows the same page, by its cursor
    await rows_become(user, pages[-2])
    assert element(user, 'list-range').text == '101–125 of 130'
    user.find(marker='list-first').click()
    await rows_become(user, pages[0])

    # a sort or a search starts from the first page again
    user.find(marker='list-next').click()
    await rows_become(user, pages[1])
    user.find(marker='list-table').trigger('request', {'pagination': {'page': 2, 'rowsPerPage': 25, 'sortBy': 'name',
                                                                      'descending': False}})
    by_name = await offset_pages(CONTACT, member, 25, sort='name')
    await rows_become(user, by_name[0])
    assert user.back_history[-1] == '/contacts?sort=name&per_page=25'
    user.find(marker='list-next').click()
    await rows_become(user, by_name[1])
    user.find(marker='list-search').type('person 3')
    await total_is(user, '30 contacts')
    assert element(user, 'list-range').text == '1–25 of 30'
    assert 'cursor=' not in user.back_history[-1]


async def test_a_next_page_is_read_by_cursor_not_by_offset(user: User, acme):
    """The page after a deep one seeks its first row through the index: no OFFSET in the query that reads it."""
    from tests.models.records.test_plans import Recorder

    await crowd(acme, 80)
    await log_in(user, acme.owner, path='/contacts')
    await user.open('/contacts?per_page=25&page=2')  # an old link: this page by offset
    await total_is(user, '79 contacts')
    pages = await offset_pages(CONTACT, acme.owner.membership, 25)
    await rows_become(user, pages[1])
    with Recorder() as recorder:
        user.find(marker='list-next').click()
        await rows_become(user, pages[2])
        user.find(marker='list-previous').click()
        await rows_become(user, pages[1])
        user.find(marker='list-last').click()
        await rows_become(user, pages[3])
    read = [sql for sql, _ in recorder.queries if 'FROM "contacts"' in sql and 'LIMIT' in sql.upper()]
    assert len(read) >= 3
    assert not [sql for sql in read if 'OFFSET' in sql.upper()], read


async def test_a_cursor_of_another_list_in_the_address_shows_the_first_page(user: User, acme, monkeypatch):
    await crowd(acme, 60)
    follow_history(user, monkeypatch)
    await log_in(user, acme.owner, path='/contacts')
    user.find(marker='list-next').click()
    await total_is(user, '59 contacts')
    for _ in range(50):
        if 'cursor=' in user.back_history[-1]:
            break
        await asyncio.sleep(0.1)
    cursor = user.back_history[-1].split('cursor=')[1]
    await user.open(f'/contacts?sort=updated&page=2&cursor={cursor}')  # made for the list by name
    await total_is(user, '59 contacts')
    await rows_become(user, (await offset_pages(CONTACT, acme.owner.membership, 50, sort='updated'))[0])
    assert user.back_history[-1] == '/contacts?sort=updated'


def test_a_reader_pages_with_the_pager_buttons_and_back(screen: Screen):
    """In a real browser: Next, Previous and Last below the table, each a new address Back returns to."""
    screen.open('/login')
    headers, org_id = sign_up_with_org(screen, 'ada@example.com', 'password1', 'Ada Lovelace', 'Engines')
    for i in range(30):
        httpx.post(f'{screen.url}/api/v1/orgs/{org_id}/contacts', json={'last_name': f'Person {i:02d}'},
                   headers=headers).raise_for_status()
    browser_log_in(screen, 'ada@example.com', 'password1')
    screen.open('/contacts?per_page=25')
    first = [f'Person {i:02d}' for i in range(25)]
    screen.wait_for(lambda: _names(screen) == first)

    def press(label: str) -> None:
        screen.selenium.find_element(By.CSS_SELECTOR, f'[aria-label="{label}"]').click()
    press('Next page')
    screen.wait_for(lambda: _names(screen) == [f'Person {i:02d}' for i in range(25, 30)])
    screen.should_contain('26–30 of 30')
    assert 'page=2' in screen.selenium.current_url and 'cursor=' in screen.selenium.current_url
    press('Previous page')
    screen.wait_for(lambda: _names(screen) == first)
    press('Last page')
    screen.wait_for(lambda: _names(screen) == [f'Person {i:02d}' for i in range(25, 30)])
    screen.selenium.back()  # the first page again, as it was
    screen.wait_for(lambda: _names(screen) == first)
    screen.should_contain('1–25 of 30')


# ------------------------------------------------------------------ the selection and its bulk actions

def select(user: User, *names: str) -> None:
    table = element(user, 'list-table')
    chosen = [row for row in table.rows if row['name'] in names]
    user.find(marker='list-table').trigger('selection', {'added': True, 'rows': chosen,
                                                         'keys': [row['id'] for row in chosen]})


async def test_a_member_of_one_organization_selects_rows_and_changes_or_deletes_them(user: User, acme):
    mario = acme.member.membership
    for name in ('Uno', 'Due', 'Tre'):
        await records.create_record(CONTACT, mario, {'last_name': name, 'type': 'Lead'})
    await log_in(user, acme.member, path='/contacts')
    await total_is(user, '3 contacts')
    await user.should_not_see(marker='bulk-bar')
    select(user, 'Uno', 'Tre')
    await user.should_see(content='2 contacts selected', marker='bulk-count')
    await user.should_not_see(marker='list-copy')  # no other organization to copy into

    user.find(marker='bulk-change').click()
    await user.should_see(marker='bulk-change-type')
    choose(user, 'bulk-change-type', 'Client')
    user.find(marker='bulk-change-apply').click()
    await user.should_see('Changed 2 contacts.')
    assert await Contact.filter(org_id=mario.org_id, type='Client').order_by('last_name') \
        .values_list('last_name', flat=True) == ['Tre', 'Uno']
    await user.should_not_see(marker='bulk-bar')  # done: the selection is cleared

    select(user, 'Uno', 'Due')
    user.find(marker='bulk-delete').click()
    await user.should_see(content='Delete 2 contacts?', marker='bulk-delete-question')
    user.find(marker='bulk-delete-cancel').click()
    assert await Contact.filter(org_id=mario.org_id).count() == 3
    user.find(marker='bulk-delete').click()
    user.find(marker='bulk-delete-confirm').click()
    await user.should_see('Deleted 2 contacts.')
    await total_is(user, '1 contact')
    assert await Contact.filter(org_id=mario.org_id, deleted_at__isnull=True).values_list('last_name', flat=True) \
        == ['Tre']  # the two others are in the trash


async def test_a_bulk_visibility_change_says_how_many_were_skipped(user: User, acme):
    await records.create_record(COMPANY, acme.member.membership, {'name': 'Mine'})
    await records.create_record(COMPANY, acme.owner.membership, {'name': 'Olgas'})
    await log_in(user, acme.member, path='/companies')
    await total_is(user, '2 companies')
    select(user, 'Mine', 'Olgas')
    user.find(marker='bulk-visibility').click()
    user.find(marker='bulk-visibility-apply').click()
    await user.should_see('Changed the visibility of 1 company. Skipped 1: only the person who created it may '
                          'change its visibility.')
    assert await Company.filter(name='Mine', visibility='private').exists()
    assert await Company.filter(name='Olgas', visibility='public').exists()
    await user.should_not_see(marker='bulk-export-vcf')  # companies have no vCard


async def test_the_selection_exports_only_the_selected_rows(user: User, acme):
    for name in ('Uno', 'Due'):
        await records.create_record(CONTACT, acme.member.membership, {'last_name': name})
    await log_in(user, acme.member, path='/contacts')
    await total_is(user, '2 contacts')
    select(user, 'Due')
    user.find(marker='bulk-export-csv').click()
    exported = (await user.download.next(timeout=5)).content.decode('utf-8-sig')
    assert 'Due' in exported and 'Uno' not in exported


async def test_copy_and_find_duplicates_have_different_icons(user: User, acme, target):
    await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Rossi'})
    await log_in(user, acme.owner, path='/contacts')
    await total_is(user, '1 contact')
    select(user, 'Rossi')
    await user.should_see(marker='list-copy')  # Olga owns a second organization
    duplicates_icon, = [e.props['name'] for e in element(user, 'list-duplicates').descendants()
                        if isinstance(e, ui.icon)]  # an entry of the Import / export menu
    assert duplicates_icon != element(user, 'list-copy').props['icon']


# ------------------------------------------------------------------ in a real browser: Back

def _names(screen: Screen) -> list[str]:
    """The names in the table's rows, read in one go (the rows are redrawn while a sort loads)."""
    return screen.selenium.execute_script(
        "return [...document.querySelectorAll('.q-table tbody tr td a.rubrica-name')].map(a => a.textContent.trim())")


def test_back_shows_the_list_as_it_was(screen: Screen):
    screen.open('/login')  # starts the server
    headers, org_id = sign_up_with_org(screen, 'ada@example.com', 'password1', 'Ada Lovelace', 'Engines')
    for last in ('Carla', 'Alba', 'Bruno'):  # by name: Alba, Bruno, Carla; by last update: another order
        httpx.post(f'{screen.url}/api/v1/orgs/{org_id}/contacts', json={'last_name': last},
                   headers=headers).raise_for_status()
    browser_log_in(screen, 'ada@example.com', 'password1')
    screen.open('/contacts')
    screen.wait_for(lambda: _names(screen) == ['Alba', 'Bruno', 'Carla'])

    screen.click('Last update')  # sorts: a new address in the history
    screen.wait_for(lambda: 'sort=updated' in screen.selenium.current_url)
    screen.wait_for(lambda: _names(screen) != ['Alba', 'Bruno', 'Carla'])
    by_update = _names(screen)
    screen.click(by_update[0])  # the card
    screen.wait_for(lambda: screen.selenium.title == 'Contact · Rubrica')

    screen.selenium.back()  # the list as it was left
    screen.wait_for(lambda: 'sort=updated' in screen.selenium.current_url)
    screen.wait_for(lambda: _names(screen) == by_update)
    screen.selenium.back()  # and before the sort
    screen.wait_for(lambda: screen.selenium.current_url.endswith('/contacts'))
    screen.wait_for(lambda: _names(screen) == ['Alba', 'Bruno', 'Carla'])


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

    WebDriverWait(screen.selenium, 5).until(lambda _: _names(screen) == ['Abate', 'Bassi', 'Conti'])  # by name
    screen.click('Last update')
    WebDriverWait(screen.selenium, 5).until(lambda _: _names(screen) == ['Abate', 'Conti', 'Bassi'])
    screen.click('Last update')  # the second click: the oldest first
    WebDriverWait(screen.selenium, 5).until(lambda _: _names(screen) == ['Bassi', 'Conti', 'Abate'])


# ------------------------------------------------------------------ an empty list, the menu, and a phone's cards

async def test_an_empty_organization_list_says_how_to_start(user: User, make_org):
    empty = await make_org('Empty', members=['Milo Member'])
    await log_in(user, empty.member, path='/contacts')
    await user.should_see(content='No contacts yet', marker='list-empty-title')
    assert 'hidden' in element(user, 'list-table').classes  # not Quasar's "No data available"
    await user.should_not_see(marker='list-clear-filters')
    await user.should_see(content='Import a file', marker='list-empty-import')
    user.find(marker='list-empty-new').click()
    await user.should_see(content='New contact', marker='page-title')
    await user.open('/companies')
    await user.should_see(content='No companies yet', marker='list-empty-title')
    await user.should_see(content='Add the first company', marker='list-empty-new')
    user.find(marker='list-empty-import').click()
    await user.should_see(marker='import-upload')


async def test_a_search_that_matches_nothing_offers_to_clear_the_filters(user: User, acme, monkeypatch):
    for last, type_ in (('Abate', 'Client'), ('Bassi', 'Client')):
        await records.create_record(CONTACT, acme.owner.membership, {'last_name': last, 'type': type_})
    follow_history(user, monkeypatch)
    await log_in(user, acme.member, path='/contacts')
    await user.open('/contacts?sort=name&order=desc')
    await total_is(user, '2 contacts')
    await user.should_not_see(marker='list-empty')
    choose(user, 'filter-type', 'Lead')
    await user.should_see(content='No contact matches these filters', marker='list-empty-title')
    assert 'hidden' in element(user, 'list-table').classes
    await user.should_not_see(marker='list-empty-new')  # the list is not empty: this search is
    user.find(marker='list-clear-filters').click()
    await total_is(user, '2 contacts')
    assert user.back_history[-1] == '/contacts?sort=name&order=desc'  # the sort stays
    assert element(user, 'filter-type').value is None
    assert [row['name'] for row in element(user, 'list-table').rows] == ['Bassi', 'Abate']
    assert 'hidden' not in element(user, 'list-table').classes
    await user.should_not_see(marker='list-empty')


async def test_the_menu_exports_the_list_with_each_separator_and_the_selection_too(user: User, acme):
    for name in ('Uno', 'Due'):
        await records.create_record(CONTACT, acme.member.membership, {'last_name': name})
    await log_in(user, acme.member, path='/contacts')
    await total_is(user, '2 contacts')
    for entry, header in (('list-export-csv', 'First name,Last name,'),  # an English reader: commas first
                          ('list-export-csv-semicolon', 'First name;Last'),
                          ('list-export-csv-tab', 'First name\tLast name\t')):
        user.find(marker=entry).click()
        text = (await user.download.next(timeout=5)).content.decode('utf-8-sig')
        assert text.startswith(header) and 'Uno' in text and 'Due' in text
    select(user, 'Due')
    user.find(marker='bulk-export-csv-tab').click()
    text = (await user.download.next(timeout=5)).content.decode('utf-8-sig')
    assert text.startswith('First name\tLast name\t') and 'Due' in text and 'Uno' not in text


def export_entries(user: User) -> list[str]:
    """The texts of the CSV entries of the list's "Import / export" menu, in order."""
    menu = element(user, 'list-more-menu')
    texts = [' '.join(section.text for section in entry.default_slot.children if getattr(section, 'text', ''))
             for entry in menu.descendants() if isinstance(entry, ui.menu_item)]
    return [text for text in texts if 'CSV' in text]


async def test_an_english_reader_gets_commas_first_even_in_an_italian_organization(user: User, make_org):
    """The reader opens the file in their own spreadsheet: English Excel splits cells by commas. The other
    separators stay in the menu."""
    italian = await make_org('Officina', owner='Emma English', country='IT')
    await log_in(user, italian.owner, path='/contacts')
    assert export_entries(user) == ['Export CSV for Excel (comma)', 'Export CSV (semicolon)', 'Export CSV (tab)']
    assert 'list-export-csv-comma' in element(user, 'list-export-csv')._markers


async def test_a_french_reader_gets_semicolons_first_even_in_an_american_organization(user: User, make_org):
    american = await make_org('Diner', owner='Fanny French', country='US')
    american.owner.user.language = 'fr'
    await american.owner.user.save(update_fields=['language'])
    await records.create_record(CONTACT, american.owner.membership, {'last_name': 'Dupont'})
    await log_in(user, american.owner, path='/contacts')
    assert export_entries(user) == ['Exporter en CSV pour Excel (point-virgule)', 'Exporter en CSV (virgule)',
                                    'Exporter en CSV (tabulation)']
    assert 'list-export-csv-semicolon' in element(user, 'list-export-csv')._markers
    user.find(marker='list-export-csv').click()
    text = (await user.download.next(timeout=5)).content.decode('utf-8-sig')
    assert text.startswith('Prénom;Nom;') and 'Dupont' in text


async def test_a_guest_sees_no_list_and_no_menu(user: User, acme):
    await log_in(user, acme.guest, path='/contacts')
    await user.should_see(marker='no-access')
    for marker in ('list-more', 'list-empty', 'list-table'):
        await user.should_not_see(marker=marker)


async def test_each_row_has_what_a_phone_card_shows(user: User, acme):
    company = await records.create_record(COMPANY, acme.owner.membership, {'name': 'Rossi Impianti'})
    await records.create_record(CONTACT, acme.owner.membership, {
        'first_name': 'Ada', 'last_name': 'Rossi', 'company_id': company.id, 'type': 'Client',
        'role': 'Sales Manager', 'emails': ['ada@rossi.example'], 'phones': ['02 1234 5678']})
    await log_in(user, acme.member, path='/contacts')
    await total_is(user, '1 contact')
    table = element(user, 'list-table')
    row, = table.rows
    assert (row['phone'], row['tel'], row['email']) == ('02 1234 5678', '+390212345678', 'ada@rossi.example')
    assert row['detail'] == 'Rossi Impianti · Client · Sales Manager'
    assert table.props[':grid'] == 'Quasar.Screen.lt.sm' and 'item' in table.slots  # a card per row on a phone
    filters = element(user, 'list-filters')
    assert 'max-sm:hidden' in filters.classes  # folded on a phone until asked for
    user.find(marker='list-filters-toggle').click()
    assert 'max-sm:hidden' not in filters.classes
    user.find(marker='list-filters-toggle').click()
    assert 'max-sm:hidden' in filters.classes


def test_on_a_phone_each_record_is_a_card_to_tap_and_select(screen: Screen):
    screen.open('/login')
    headers, org_id = sign_up_with_org(screen, 'ada@example.com', 'lovelace1', 'Ada Lovelace', 'Engines')
    for last, phone in (('Abate', '+39 02 1234 5678'), ('Bassi', '+39 347 123 4567')):
        httpx.post(f'{screen.url}/api/v1/orgs/{org_id}/contacts', headers=headers, json={
            'last_name': last, 'phones': [phone], 'emails': [f'{last.lower()}@example.com']}).raise_for_status()
    screen.selenium.set_window_size(390, 844)
    browser_log_in(screen, 'ada@example.com', 'lovelace1')
    screen.open('/contacts')
    screen.should_contain('2 contacts')
    cards = screen.selenium.find_elements(By.CSS_SELECTOR, '.rubrica-record-card')
    assert len(cards) == 2
    assert [a.get_attribute('href') for a in cards[0].find_elements(By.CSS_SELECTOR, 'a')][1:] == \
        ['tel:+390212345678', 'mailto:abate@example.com']
    cards[1].find_element(By.CSS_SELECTOR, '.q-checkbox').click()
    screen.should_contain('1 contact selected')
    screen.selenium.set_window_size(1440, 900)  # wider: the same list as a table, the selection kept
    screen.wait_for(lambda: not screen.selenium.find_elements(By.CSS_SELECTOR, '.rubrica-record-card'))
    assert _names(screen) == ['Abate', 'Bassi']
    screen.should_contain('1 contact selected')


# ------------------------------------------------------------------ in the reader's language

async def test_an_italian_user_reads_the_list_its_menu_and_its_bulk_actions_in_italian(user: User, acme):
    for name in ('Uno', 'Due'):
        await records.create_record(CONTACT, acme.owner.membership, {'last_name': name, 'type': 'Client'})
    acme.owner.user.language = 'it'
    await acme.owner.user.save(update_fields=['language'])
    await log_in(user, acme.owner, path='/contacts')
    await total_is(user, '2 contatti')
    await user.should_see('Contatti', marker='page-title')
    assert user.client.title == 'Contatti · Rubrica'
    assert [column['label'] for column in element(user, 'list-table').props['columns']] == [
        'Nome', 'Azienda', 'Tipo', 'Ruolo', 'Email', 'Telefono', 'Ultima modifica']
    assert element(user, 'list-search').props['placeholder'].startswith('Cerca contatti: nome')
    assert element(user, 'filter-type').props['label'] == 'Tipo'
    await user.should_see('Nuovo contatto')
    await user.should_see('Importa / esporta')
    assert export_entries(user) == ['Esporta CSV per Excel (punto e virgola)', 'Esporta CSV (virgola)',
                                    'Esporta CSV (tabulazione)']
    for english in ('New contact', 'Import / export', 'Last update', '2 contacts'):
        await user.should_not_see(english)
    select(user, 'Due')
    await user.should_see('1 contatto selezionato', marker='bulk-count')
    user.find(marker='bulk-delete').click()
    await user.should_see('Eliminare 1 contatto?', marker='bulk-delete-question')
    user.find(marker='bulk-delete-confirm').click()
    await user.should_see('Eliminati: 1 contatto.')
    await total_is(user, '1 contatto')
    user.find(marker='list-search').type('nessuno')
    await user.should_see('Nessun contatto corrisponde a questi filtri', marker='list-empty-title')
    await user.should_see('Azzera i filtri', marker='list-clear-filters')


async def test_a_french_user_reads_an_empty_company_list_in_french(user: User, acme):
    acme.member.user.language = 'fr'
    await acme.member.user.save(update_fields=['language'])
    await log_in(user, acme.member, path='/companies')
    await total_is(user, '0 entreprise')
    await user.should_see('Aucune entreprise pour l’instant', marker='list-empty-title')
    await user.should_see('Ajouter la première entreprise', marker='list-empty-new')
    assert element(user, 'list-search').props['placeholder'].startswith('Rechercher des entreprises')
    await user.should_not_see('No companies yet')


def test_a_bounded_total_is_shown_with_a_plus():
    """A search's total past the bound (records.counts.BOUND) reads '10,000+ contacts', in the reader's language."""
    from ui.record_list import count as count_text
    assert count_text(CONTACT, 10_000, exact=False) == '10,000+ contacts'
    assert count_text(COMPANY, 10_000) == '10,000 companies'
