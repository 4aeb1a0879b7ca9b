"""The `/` shortcut in a real browser (Chromium): it focuses the header's search box, except while typing in another
field; typing then shows results, and Enter opens the search page."""
from __future__ import annotations

import httpx
from nicegui.testing import Screen
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.drivers import browser_log_in
from tests.ui.browser import sign_up_with_org


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
