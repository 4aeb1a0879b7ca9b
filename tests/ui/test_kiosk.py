"""The kiosk page and its links: public records only (also through its search), 404 for an unknown or revoked
link, and the framing headers: every page refuses to be framed, the kiosk allows exactly its link's origins.
In a real browser (Chromium): a portrait and a landscape wall screen, and framing by another site."""
from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from nicegui import ElementFilter, ui
from nicegui.testing import Screen, User
from selenium.common.exceptions import NoSuchElementException, NoSuchFrameException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from models.kiosk import service as kiosk
from models.records.service import create_record
from models.records.tables import COMPANY, CONTACT
from tests.drivers import log_in
from tests.ui.browser import sign_up_with_org


DENY_FRAMING = "frame-ancestors 'none'"


@pytest.fixture
async def directory(acme) -> dict:
    """Acme's public and private records, the kiosk's to show or to hide."""
    org, as_member = acme.owner.membership, acme.member.membership
    company = await create_record(COMPANY, org, {'name': 'Open Spa', 'type': 'Client'})
    public = await create_record(CONTACT, as_member, {'first_name': 'Paola', 'last_name': 'Pubblica',
                                                      'emails': ['paola@open.example'],
                                                      'phones': ['+39 347 123 4567'], 'company_id': company.id})
    private = await create_record(CONTACT, org, {'first_name': 'Pietro', 'last_name': 'Privato',
                                                 'emails': ['pietro@hidden.example'], 'visibility': 'private',
                                                 'company_id': company.id})
    await create_record(COMPANY, as_member, {'name': 'Hidden Holding', 'visibility': 'private'})
    return {'company': company, 'public': public, 'private': private}


def _result_names(user: User) -> list[str]:
    with user.client:
        return sorted(label.text for label in ElementFilter(marker='kiosk-result-name', local_scope=False))


async def _card_is(user: User, name: str) -> None:
    for _ in range(50):
        with user.client:
            if [label.text for label in ElementFilter(marker='kiosk-card-name', local_scope=False)] == [name]:
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f'the card of {name} did not open')


async def _results_are(user: User, names: list[str]) -> None:
    """Wait for the search handlers (they run in the background) to show exactly these results."""
    for _ in range(50):
        if _result_names(user) == names:
            return
        await asyncio.sleep(0.05)
    assert _result_names(user) == names


# ------------------------------------------------------------------ framing

async def test_a_normal_page_refuses_to_be_framed(client):
    for path in ('/login', '/signup', '/', '/kiosk'):
        response = await client.get(path)
        assert response.headers['content-security-policy'] == DENY_FRAMING, path
        assert response.headers['x-frame-options'] == 'DENY', path


async def test_the_kiosk_allows_exactly_the_origins_of_its_link(client, acme, directory):
    _, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Intranet',
                                           frame_origins='https://intranet.example.com http://localhost:8080')
    response = await client.get(f'/kiosk/{raw}')
    assert response.status_code == 200
    assert response.headers['content-security-policy'] == \
        'frame-ancestors https://intranet.example.com http://localhost:8080'
    assert 'x-frame-options' not in response.headers
    assert response.headers['x-content-type-options'] == 'nosniff'
    # the widening is for that one response: the next page refuses framing again
    after = await client.get('/login')
    assert after.headers['content-security-policy'] == DENY_FRAMING and after.headers['x-frame-options'] == 'DENY'


async def test_a_kiosk_without_origins_refuses_framing(client, acme, directory):
    _, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Wall screen')
    response = await client.get(f'/kiosk/{raw}')
    assert response.status_code == 200
    assert response.headers['content-security-policy'] == DENY_FRAMING
    assert response.headers['x-frame-options'] == 'DENY'


async def test_a_revoked_or_unknown_link_is_404_and_refuses_framing(client, acme, directory):
    link, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Intranet',
                                              frame_origins=['https://intranet.example.com'])
    assert (await client.get(f'/kiosk/{raw}')).status_code == 200
    await kiosk.revoke_kiosk_link(actor=acme.owner.membership, link_id=link.id)
    for path in (f'/kiosk/{raw}', '/kiosk/kiosk_unknown', '/kiosk'):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert 'Pubblica' not in response.text
        assert response.headers['content-security-policy'] == DENY_FRAMING, path
        assert response.headers['x-frame-options'] == 'DENY', path


# ------------------------------------------------------------------ what the kiosk shows

async def test_the_kiosk_page_holds_public_records_only(client, acme, directory):
    _, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Wall screen')
    page = (await client.get(f'/kiosk/{raw}')).text
    assert 'Paola Pubblica' in page and 'Open Spa' in page
    for hidden in ('Privato', 'pietro@hidden.example', 'Hidden Holding'):
        assert hidden not in page


async def test_kiosk_search_and_card_show_public_records_only(user: User, acme, directory):
    _, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Wall screen')
    await user.open(f'/kiosk/{raw}')
    await user.should_see('Acme', marker='kiosk-org')
    await _results_are(user, ['Open Spa', 'Paola Pubblica'])
    assert [label.text for label in user.find(marker='kiosk-total-contact').elements] == ['1']

    search = user.find(marker='kiosk-search')
    for q in ('privato', 'pietro@hidden.example', 'hidden'):
        search.clear().type(q)
        await _results_are(user, [])
        await user.should_see(marker='kiosk-nothing')
    search.clear().type('347 123')
    await _results_are(user, ['Paola Pubblica'])
    search.clear().type('open')
    await _results_are(user, ['Open Spa', 'Paola Pubblica'])  # Paola by her email at open.example

    # the company's card lists its public contacts only
    user.find(marker=f'kiosk-company-{directory["company"].id}').click()
    await _card_is(user, 'Open Spa')
    assert [b.text for b in user.find(marker='kiosk-card-person').elements] == ['Paola Pubblica']
    user.find(marker='kiosk-card-person').click()
    await _card_is(user, 'Paola Pubblica')
    assert [link.text for link in user.find(marker='kiosk-card-phone').elements] == ['347 123 4567']
    assert [link.text for link in user.find(marker='kiosk-card-email').elements] == ['paola@open.example']
    await user.should_not_see(marker='kiosk-card-missing')


async def test_revoking_empties_a_screen_already_open(user: User, acme, directory):
    link, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Wall screen')
    await user.open(f'/kiosk/{raw}')
    await _results_are(user, ['Open Spa', 'Paola Pubblica'])
    await kiosk.revoke_kiosk_link(actor=acme.owner.membership, link_id=link.id)
    user.find(marker='kiosk-search').type('paola')
    await user.should_see(marker='kiosk-gone')
    await user.should_not_see(marker='kiosk-result-name')


# ------------------------------------------------------------------ Settings → Kiosk links

async def test_an_owner_creates_sees_once_and_revokes_a_kiosk_link(user: User, acme, directory):
    await log_in(user, acme.owner, path='/settings')
    await user.should_see(marker='no-kiosk-links')
    user.find(marker='kiosk-name').type('Reception')
    user.find(marker='kiosk-origins').type('https://intranet.example.com/page')
    user.find(marker='kiosk-create').click()
    await user.should_see('Please correct the highlighted fields')
    origins = user.find(marker='kiosk-origins').elements.pop()
    assert 'scheme://host[:port]' in origins.error
    await user.should_see(marker='no-kiosk-links')  # nothing saved

    user.find(marker='kiosk-origins').clear().type('https://intranet.example.com')
    user.find(marker='kiosk-create').click()
    await user.should_see(marker='kiosk-link-url')
    address = user.find(marker='kiosk-link-url').elements.pop().value
    path = address[address.index('/kiosk/'):]
    assert path.startswith('/kiosk/kiosk_')
    user.find(marker='kiosk-link-url-done').click()
    await user.should_see('Reception', marker='kiosk-row-name')
    await user.should_see('framed by: https://intranet.example.com')
    assert path.removeprefix('/kiosk/') not in str([label.text for label in user.find(kind=ui.label).elements])

    await user.open(path)
    await _results_are(user, ['Open Spa', 'Paola Pubblica'])

    await user.open('/settings')
    user.find(marker='kiosk-revoke').click()
    await user.should_see('Kiosk link revoked')
    await user.should_see(marker='no-kiosk-links')
    gone = await user.http_client.get(path)
    assert gone.status_code == 404 and 'This kiosk link does not exist or was revoked.' in gone.text


async def test_members_do_not_see_kiosk_links(user: User, acme, directory):
    await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Reception')
    await log_in(user, acme.member, path='/settings')
    await user.should_see(marker='member-row')
    await user.should_not_see(marker='kiosk-create')
    await user.should_not_see(marker='kiosk-row')


async def test_a_link_shows_and_finds_only_the_fields_chosen_in_settings(user: User, acme):
    """Issue 14: the kiosk showed everything a record has (a personal Gmail, a mobile, the "Lead" type)."""
    company = await create_record(COMPANY, acme.owner.membership, {'name': 'Officine Spa'})
    marco = await create_record(CONTACT, acme.owner.membership, {
        'first_name': 'Marco', 'last_name': 'Bruni', 'type': 'Lead', 'role': 'Technician', 'company_id': company.id,
        'emails': ['marco@officine.example', 'marco.bruni@gmail.com'], 'phones': ['02 1234 5678', '347 765 4321']})
    await log_in(user, acme.owner, path='/settings')
    user.find(marker='kiosk-name').type('Reception')
    user.find(marker='kiosk-create').click()  # the default fields
    await user.should_see(marker='kiosk-link-url')
    address = user.find(marker='kiosk-link-url').elements.pop().value
    path = address[address.index('/kiosk/'):]
    user.find(marker='kiosk-link-url-done').click()
    await user.should_see('shows: name, company, role, sector, work email (the first), work phone (the first)')

    await user.open(path)
    await _results_are(user, ['Marco Bruni', 'Officine Spa'])
    await user.should_not_see('Lead')
    search = user.find(marker='kiosk-search')
    for hidden in ('gmail', '347 765'):
        search.clear().type(hidden)
        await _results_are(user, [])
    search.clear().type('technician')
    await _results_are(user, ['Marco Bruni'])
    user.find(marker=f'kiosk-contact-{marco.id}').click()
    await _card_is(user, 'Marco Bruni')
    assert [link.text for link in user.find(marker='kiosk-card-email').elements] == ['marco@officine.example']
    assert [link.text for link in user.find(marker='kiosk-card-phone').elements] == ['02 1234 5678']

    # the owner changes the fields later; the screen follows
    await user.open('/settings')
    user.find(marker='kiosk-edit-fields').click()
    await user.should_see(marker='kiosk-edit-fields-select')
    user.find(marker='kiosk-edit-fields-select').elements.pop().value = ['phones']
    user.find(marker='kiosk-edit-fields-save').click()
    await user.should_see('shows: name, every phone')
    await user.open(path)
    user.find(marker='kiosk-search').type('347 765')
    await _results_are(user, ['Marco Bruni'])
    user.find(marker=f'kiosk-contact-{marco.id}').click()
    await _card_is(user, 'Marco Bruni')
    assert sorted(link.text for link in user.find(marker='kiosk-card-phone').elements) == [
        '02 1234 5678', '347 765 4321']
    await user.should_not_see(marker='kiosk-card-email')
    await user.should_not_see(marker='kiosk-card-company')


async def test_the_kiosk_speaks_the_language_of_its_link(user: User, acme, directory):
    _, french = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Accueil', language='fr')
    user.http_client.headers['Accept-Language'] = 'it-IT'  # the link's language wins over the browser's
    await user.open(f'/kiosk/{french}')
    await _results_are(user, ['Open Spa', 'Paola Pubblica'])
    await user.should_see('Annuaire')
    await user.should_see('Personnes')
    await user.should_not_see('Directory')
    await user.should_not_see('Rubrica')
    user.find(marker='kiosk-search').type('nessuno')
    await _results_are(user, [])
    await user.should_see('Aucun résultat.', marker='kiosk-nothing')
    await user.should_not_see('Nothing found.')


@pytest.mark.parametrize(('header', 'said'), [('it-IT,it;q=0.9', 'Rubrica'), ('fr-FR', 'Annuaire'),
                                               (None, 'Directory')])
async def test_a_link_without_a_language_follows_the_browser(user: User, acme, directory, header, said):
    _, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Hall')
    if header:
        user.http_client.headers['Accept-Language'] = header
    await user.open(f'/kiosk/{raw}')
    await _results_are(user, ['Open Spa', 'Paola Pubblica'])
    await user.should_see(said)
    if header:
        await user.should_not_see('Directory')


async def test_an_unknown_link_says_so_in_the_browsers_language(client):
    page = await client.get('/kiosk/kiosk_unknown', headers={'Accept-Language': 'it'})
    assert page.status_code == 404 and 'Questo link kiosk non esiste o è stato revocato.' in page.text
    assert 'does not exist' not in page.text


async def test_an_italian_owner_makes_a_french_link_and_changes_it_to_italian(user: User, acme, directory):
    acme.owner.user.language = 'it'
    await acme.owner.user.save(update_fields=['language'])
    await log_in(user, acme.owner, path='/settings')
    await user.should_see('Ancora nessun link kiosk.', marker='no-kiosk-links')
    await user.should_see('Crea link kiosk', marker='kiosk-create')
    await user.should_not_see('Create kiosk link')
    user.find(marker='kiosk-create').click()  # no name
    await user.should_see('Correggi i campi evidenziati')
    user.find(marker='kiosk-name').type('Accueil')
    user.find(marker='kiosk-language').elements.pop().value = 'fr'
    user.find(marker='kiosk-create').click()
    await user.should_see(marker='kiosk-link-url')
    address = user.find(marker='kiosk-link-url').elements.pop().value
    user.find(marker='kiosk-link-url-done').click()
    await user.should_see('lingua: Français')
    await user.should_see('mostra: nome, azienda, ruolo, settore, email di lavoro (la prima), telefono di lavoro '
                          '(il primo)')

    await user.open(address[address.index('/kiosk/'):])
    await user.should_see('Annuaire')
    await user.open('/settings')
    user.find(marker='kiosk-edit-fields').click()
    await user.should_see(marker='kiosk-edit-language')
    user.find(marker='kiosk-edit-language').elements.pop().value = 'it'
    user.find(marker='kiosk-edit-fields-save').click()
    await user.should_see('lingua: Italiano')
    assert [link.language for link in await kiosk.list_kiosk_links(acme.owner.membership)] == ['it']


# ------------------------------------------------------------------ the same through the API

async def test_kiosk_links_through_the_api(client, acme, directory):
    owner, member = acme.owner.auth, acme.member.auth
    base = f'/api/v1/orgs/{acme.id}/kiosk-links'
    assert (await client.post(base, json={'name': 'Mine'}, headers=member)).status_code == 403
    refused = await client.post(base, json={'name': 'Wall', 'frame_origins': ['intranet']}, headers=owner)
    assert refused.status_code == 422 and refused.json()['detail'][0]['field'] == 'frame_origins[0]'
    created = await client.post(base, json={'name': 'Wall', 'idle_seconds': 30,
                                            'frame_origins': ['https://intranet.example.com']}, headers=owner)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body['url'].endswith(f'/kiosk/{body["token"]}') and body['idle_seconds'] == 30
    listed = (await client.get(base, headers=owner)).json()
    assert [link['name'] for link in listed] == ['Wall'] and 'token' not in listed[0]
    assert (await client.get(f'/kiosk/{body["token"]}')).status_code == 200
    assert body['shown_fields'] == ['company', 'role', 'sector', 'work_email', 'work_phone']
    changed = await client.patch(f'{base}/{body["id"]}', json={'shown_fields': ['emails', 'company']},
                                 headers=owner)
    assert changed.status_code == 200 and changed.json()['shown_fields'] == ['company', 'emails']
    bad = await client.patch(f'{base}/{body["id"]}', json={'shown_fields': ['vat_number']}, headers=owner)
    assert bad.status_code == 422 and bad.json()['detail'][0]['field'] == 'shown_fields'
    assert (await client.patch(f'{base}/{body["id"]}', json={'shown_fields': []}, headers=member)).status_code == 403
    chosen = await client.post(base, json={'name': 'Names only', 'shown_fields': []}, headers=owner)
    assert chosen.status_code == 201 and chosen.json()['shown_fields'] == []
    assert (await client.delete(f'{base}/{body["id"]}', headers=owner)).status_code == 204
    assert (await client.get(f'/kiosk/{body["token"]}')).status_code == 404
    assert (await client.delete(f'{base}/{body["id"]}', headers=owner)).status_code == 404


async def test_show_more_pages_through_the_public_records(user: User, acme, directory):
    for i in range(30):
        await create_record(CONTACT, acme.member.membership, {'last_name': f'Zed{i:02d}'})
        await create_record(CONTACT, acme.member.membership, {'last_name': f'Zprivate{i:02d}', 'visibility': 'private'})
    _, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Wall screen')
    await user.open(f'/kiosk/{raw}')
    kinds, = user.find(marker='kiosk-kind').elements
    with user.client:
        kinds.value = 'contact'  # the "People" button of the toggle
    await _results_are(user, ['Paola Pubblica'] + [f'Zed{i:02d}' for i in range(11)])
    assert [label.text for label in user.find(marker='kiosk-total-contact').elements] == ['31']
    user.find(marker='kiosk-more-contact').click()
    await _results_are(user, ['Paola Pubblica'] + [f'Zed{i:02d}' for i in range(30)])
    await user.should_not_see(marker='kiosk-more-contact')


# ------------------------------------------------------------------ in a real browser: a wall screen

IDLE_SECONDS = 8  # short, so the test sees the reset; long enough that no step of a test takes that long


@pytest.fixture(autouse=True)
def no_implicit_wait(request: pytest.FixtureRequest):
    """Conditions are polled explicitly here; an implicit wait would make every "nothing there" check last 4 s."""
    if 'screen' not in request.fixturenames:
        yield
        return
    driver = request.getfixturevalue('nicegui_driver')
    driver.implicitly_wait(0)
    yield
    driver.implicitly_wait(4)


def _directory(screen: Screen, **link: object) -> dict:
    """An organization with public and private records, and a kiosk link for it, made through the API."""
    screen.open('/login')  # starts the server
    auth, org = sign_up_with_org(screen, 'owner@example.com', 'owner pass', 'Owner', 'Navy Labs')
    api = f'{screen.url}/api/v1/orgs/{org}'
    company = httpx.post(f'{api}/companies', json={'name': 'Open Spa', 'type': 'Client'}, headers=auth).json()
    for body in ({'first_name': 'Paola', 'last_name': 'Pubblica', 'emails': ['paola@open.example'],
                  'phones': ['+39 347 123 4567'], 'company_id': company['id'], 'type': 'Client'},
                 {'first_name': 'Grace', 'last_name': 'Hopper', 'emails': ['grace@navy.example']},
                 {'first_name': 'Pietro', 'last_name': 'Privato', 'visibility': 'private',
                  'phones': ['+39 333 765 4321']}):
        assert httpx.post(f'{api}/contacts', json=body, headers=auth).status_code == 201
    created = httpx.post(f'{api}/kiosk-links', json={'name': 'Wall', 'idle_seconds': IDLE_SECONDS, **link},
                         headers=auth)
    assert created.status_code == 201, created.text
    return created.json()


def _tiles(screen: Screen) -> list[str]:
    return _tiles_in(screen.selenium)


def _wait(screen: Screen, condition, timeout: float = 10) -> None:
    WebDriverWait(screen.selenium, timeout, poll_frequency=0.1,
                  ignored_exceptions=[StaleElementReferenceException, NoSuchElementException, NoSuchFrameException]) \
        .until(lambda _: condition())


@pytest.mark.parametrize('width, height', [(1080, 1920), (1920, 1080)], ids=['portrait', 'landscape'])
def test_search_open_a_card_and_go_back_to_start_when_idle(screen: Screen, width: int, height: int):
    link = _directory(screen)
    driver = screen.selenium
    driver.set_window_size(width, height)
    screen.open(link['url'].removeprefix(screen.url))
    screen.should_contain('Navy Labs')
    _wait(screen, lambda: _tiles(screen) == ['Grace Hopper', 'Open Spa', 'Paola Pubblica'])
    screen.should_not_contain('Privato')

    # made for fingers: a large search field and large results, nothing wider than the screen
    search = driver.find_element(By.CSS_SELECTOR, '.kiosk-search input')
    assert search.size['height'] >= 56
    assert all(tile.size['height'] >= 72 for tile in driver.find_elements(By.CSS_SELECTOR, '.kiosk-tile'))
    assert driver.execute_script('return document.documentElement.scrollWidth <= window.innerWidth')

    search.send_keys('privato')
    _wait(screen, lambda: _tiles(screen) == [])
    screen.should_contain('Nothing found.')
    search.send_keys(Keys.CONTROL, 'a')
    search.send_keys(Keys.BACKSPACE)
    _wait(screen, lambda: len(_tiles(screen)) == 3)
    search.send_keys('347 123')
    _wait(screen, lambda: _tiles(screen) == ['Paola Pubblica'])

    driver.find_element(By.CSS_SELECTOR, '.kiosk-tile').click()
    _wait(screen, lambda: [e.text for e in driver.find_elements(By.CSS_SELECTOR, '.kiosk-card-name')
                           if e.is_displayed()] == ['Paola Pubblica'])
    phone = driver.find_element(By.XPATH, '//a[normalize-space()="347 123 4567"]')
    assert phone.get_attribute('href') == 'tel:+393471234567'
    email = driver.find_element(By.XPATH, '//a[normalize-space()="paola@open.example"]')
    assert email.get_attribute('href') == 'mailto:paola@open.example'
    card = driver.find_element(By.CSS_SELECTOR, '.kiosk-card')
    assert card.size['width'] <= width

    # the company button opens the company's card, with its public contacts
    driver.find_element(By.XPATH, '//button[.//*[normalize-space()="Open Spa"]]').click()
    _wait(screen, lambda: [e.text for e in driver.find_elements(By.CSS_SELECTOR, '.kiosk-card-name')
                           if e.is_displayed()] == ['Open Spa'])

    # nobody touches the screen: it goes back to the start on its own
    _wait(screen, lambda: not driver.find_elements(By.CSS_SELECTOR, '.kiosk-card')
          and _tiles(screen) == ['Grace Hopper', 'Open Spa', 'Paola Pubblica']
          and driver.find_element(By.CSS_SELECTOR, '.kiosk-search input').get_attribute('value') == '',
          timeout=IDLE_SECONDS + 10)


def test_back_closes_the_card_and_keeps_the_search(screen: Screen):
    link = _directory(screen)
    driver = screen.selenium
    driver.set_window_size(1080, 1920)
    screen.open(link['url'].removeprefix(screen.url))
    search = driver.find_element(By.CSS_SELECTOR, '.kiosk-search input')
    search.send_keys('hopper')
    _wait(screen, lambda: _tiles(screen) == ['Grace Hopper'])
    driver.find_element(By.CSS_SELECTOR, '.kiosk-tile').click()
    screen.should_contain('grace@navy.example')
    driver.find_element(By.XPATH, '//button[.//*[normalize-space()="Back"]]').click()
    _wait(screen, lambda: not driver.find_elements(By.CSS_SELECTOR, '.kiosk-card'))
    assert _tiles(screen) == ['Grace Hopper']


# ------------------------------------------------------------------ framing by another site

class _Host:
    """An intranet page of another origin (127.0.0.1 is another site than localhost) that frames the kiosk."""

    def __init__(self) -> None:
        self.target = 'about:blank'
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                page = f'<!doctype html><title>Intranet</title><h1>Intranet</h1>' \
                       f'<iframe id="kiosk" src="{host.target}" width="1000" height="800"></iframe>'
                self.send_response(200)
                self.send_header('Content-Type', 'text/html; charset=utf-8')
                self.end_headers()
                self.wfile.write(page.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.origin = f'http://127.0.0.1:{self.server.server_port}'
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def host():
    page = _Host()
    yield page
    page.close()


def _in_frame(screen: Screen, read):
    driver = screen.selenium
    driver.switch_to.frame(driver.find_element(By.ID, 'kiosk'))
    try:
        return read(driver)
    finally:
        driver.switch_to.default_content()


def test_an_allowed_origin_frames_the_kiosk_and_uses_it(screen: Screen, host: _Host):
    link = _directory(screen, frame_origins=[host.origin])
    host.target = link['url']
    driver = screen.selenium
    driver.set_window_size(1200, 1000)
    driver.get(host.origin)
    _wait(screen, lambda: _in_frame(screen, lambda d: 'Navy Labs' in d.find_element(By.TAG_NAME, 'body').text))

    def search(d) -> None:
        d.find_element(By.CSS_SELECTOR, '.kiosk-search input').send_keys('hopper')
    _in_frame(screen, search)
    _wait(screen, lambda: _in_frame(screen, lambda d: _tiles_in(d) == ['Grace Hopper']))


def test_a_kiosk_without_that_origin_cannot_be_framed(screen: Screen, host: _Host):
    screen.allowed_js_errors.append('frame-ancestors')  # Chromium reports the refusal on the console
    link = _directory(screen, frame_origins=['https://intranet.example.com'])
    host.target = link['url']
    screen.selenium.get(host.origin)  # returns once the frame has loaded, or been refused
    screen.should_contain('Intranet')
    assert 'Navy Labs' not in _in_frame(screen, lambda d: d.find_element(By.TAG_NAME, 'body').text)
    # the same link opened on its own works
    screen.open(link['url'].removeprefix(screen.url))
    screen.should_contain('Navy Labs')


def _tiles_in(driver) -> list[str]:
    return sorted(tile.find_element(By.CSS_SELECTOR, '.text-h6').text
                  for tile in driver.find_elements(By.CSS_SELECTOR, '.kiosk-tile') if tile.is_displayed())
