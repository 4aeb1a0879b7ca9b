"""The header's search box and the /search page (NiceGUI's simulated user): both kinds as you type, links to the
cards, Enter for every result, pages, and never a record the visitor may not see. In a real browser (Chromium): the
`/` shortcut focuses the box, except while typing in another field."""
from __future__ import annotations

import httpx
import pytest
from nicegui import ui
from nicegui.testing import Screen, User
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from models.records import service as records
from models.records.tables import COMPANY, CONTACT
from tests.drivers import browser_log_in, log_in
from tests.ui.browser import sign_up_with_org


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


async def test_on_a_phone_the_search_button_opens_the_box_over_the_header(user: User, acme, sample):
    await log_in(user, acme.member, path='/contacts')
    holder = next(iter(user.find(marker='global-search-holder').elements))
    assert 'max-sm:hidden' in holder.classes  # below 600 px: folded, the header keeps one row
    user.find(marker='global-search-open').click()
    assert 'max-sm:hidden' not in holder.classes and 'max-sm:absolute' in holder.classes
    user.find(marker='global-search').type('muller')
    await user.should_see(marker='global-search-contact-link')
    user.find(marker='global-search-fold').click()
    assert 'max-sm:hidden' in holder.classes and 'max-sm:absolute' not in holder.classes


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


# ------------------------------------------------------------------ in a real browser: the / shortcut

def _box(screen: Screen):
    return screen.selenium.find_element(By.CSS_SELECTOR, '.rubrica-global-search input')


def _focused_is_box(screen: Screen) -> bool:
    return screen.selenium.execute_script(
        "return document.activeElement === document.querySelector('.rubrica-global-search input')")


def test_slash_focuses_the_search_box_and_enter_opens_every_result(screen: Screen):
    screen.open('/login')  # starts the server
    headers, org_id = sign_up_with_org(screen, 'ada@example.com', 'password1', 'Ada Lovelace', 'Engines')
    base = f'{screen.url}/api/v1/orgs/{org_id}'
    httpx.post(f'{base}/contacts', json={'first_name': 'Zoë', 'last_name': 'Müller'},
               headers=headers).raise_for_status()
    httpx.post(f'{base}/companies', json={'name': 'Müller Analytical Engines'}, headers=headers).raise_for_status()
    screen.selenium.set_window_size(1440, 900)  # a desktop: the header shows the box (a phone folds it into a button)
    browser_log_in(screen, 'ada@example.com', 'password1')
    screen.open('/contacts')
    screen.should_contain('1 contact')

    # typing "/" in another field types a slash there, and leaves the box alone
    list_search = screen.selenium.find_element(By.CSS_SELECTOR, '[placeholder^="Search contacts"]')
    list_search.click()
    list_search.send_keys('a/b')
    assert list_search.get_attribute('value') == 'a/b'
    assert not _focused_is_box(screen)

    screen.selenium.find_element(By.TAG_NAME, 'body').click()
    screen.selenium.execute_script('document.activeElement.blur()')
    ActionChains(screen.selenium).send_keys('/').perform()
    screen.wait_for(lambda: _focused_is_box(screen))
    assert _box(screen).get_attribute('value') == ''  # the slash itself was not typed into it

    ActionChains(screen.selenium).send_keys('muller').perform()
    screen.should_contain('Zoë Müller')
    screen.should_contain('Müller Analytical Engines')
    ActionChains(screen.selenium).send_keys(Keys.ENTER).perform()
    screen.wait_for(lambda: screen.selenium.title == 'Search · Rubrica')
    screen.should_contain('Contacts (1)')
    screen.should_contain('Companies (1)')


def test_arrow_keys_and_enter_open_the_highlighted_result(screen: Screen):
    """Two letters find first names; arrow down walks the drop-down, Enter opens the result it is on."""
    screen.open('/login')  # starts the server
    headers, org_id = sign_up_with_org(screen, 'ada@example.com', 'password1', 'Ada Lovelace', 'Engines')
    base = f'{screen.url}/api/v1/orgs/{org_id}'
    ids = {}
    for first, last in (('Marco', 'Verdi'), ('Matteo', 'Bianchi'), ('Giulia', 'Amato')):
        created = httpx.post(f'{base}/contacts', json={'first_name': first, 'last_name': last}, headers=headers)
        ids[first] = created.raise_for_status().json()['id']
    screen.selenium.set_window_size(1440, 900)  # a desktop: the header shows the box
    browser_log_in(screen, 'ada@example.com', 'password1')
    screen.open('/contacts')
    box = _box(screen)
    box.click()
    box.send_keys('ma')
    def results() -> list:
        return screen.selenium.find_elements(By.CSS_SELECTOR, '.q-menu .nicegui-column.px-3')
    # by relevance, then by name: Bianchi Matteo, then Verdi Marco (Giulia Amato has no name word starting "ma")
    screen.wait_for(lambda: [row.text for row in results()] == ['Matteo Bianchi', 'Marco Verdi'])
    box.send_keys(Keys.ARROW_DOWN)
    box.send_keys(Keys.ARROW_DOWN)
    screen.wait_for(lambda: 'bg-blue-1' in results()[1].get_attribute('class'))
    box.send_keys(Keys.ENTER)
    screen.wait_for(lambda: screen.selenium.current_url.endswith(f'/contacts/{ids["Marco"]}'))


async def test_the_search_page_speaks_italian_to_an_italian_user(user: User, acme, sample):
    acme.owner.user.language = 'it'
    await acme.owner.user.save(update_fields=['language'])
    await log_in(user, acme.owner, path='/search?q=impianti')
    await user.should_see(marker='search-page-input')
    await user.should_see('Aziende (1)')
    await user.should_see('Contatti (1)')  # André, by his company's name
    await user.should_not_see('Companies (1)')
    await user.open('/search?q=nessuno')
    await user.should_see('Nessun contatto corrisponde.', marker='search-contact-none')
    await user.should_see('Nessuna azienda corrisponde.', marker='search-company-none')


async def test_the_header_box_speaks_italian_to_an_italian_user(user: User, acme, sample):
    acme.member.user.language = 'it'
    await acme.member.user.save(update_fields=['language'])
    await log_in(user, acme.member, path='/contacts')
    assert next(iter(user.find(marker='global-search').elements)).props['placeholder'] == 'Cerca  ( / )'
    user.find(marker='global-search').type('muller')
    await user.should_see(marker='global-search-contact-link')
    await user.should_see('Contatti (1)')
    await user.should_see('Aziende (1)')
    await user.should_see('Tutti i risultati (Invio)', marker='global-search-all')
    await user.should_not_see('All results (Enter)')
    user.find(marker='global-search').clear().type('zzzz')
    await user.should_see('Nessun risultato', marker='global-search-nothing')
