"""The kiosk in a real browser (Chromium): a portrait and a landscape wall screen, and framing by another site."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from nicegui.testing import Screen
from selenium.common.exceptions import NoSuchElementException, NoSuchFrameException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.ui.browser import sign_up_with_org

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
