"""Hostile text in names and descriptions shows as plain text in a real browser, never as markup."""
from __future__ import annotations

import httpx
from nicegui.testing import Screen

from tests.drivers import browser_log_in
from tests.ui.browser import sign_up_with_org

HOSTILE = '<img src=x onerror=alert(1)>'
PROBE = '<img src=y onerror="window.pwned=1"><script>window.pwned=2</script>'


def _no_injected_markup(screen: Screen) -> None:
    """No element was made from user text, and none of its script ran (an alert would also fail the next call)."""
    # asked in JavaScript: an empty find_elements would wait out Selenium's implicit wait
    assert screen.selenium.execute_script('return document.querySelectorAll(\'img[src="x"], img[src="y"], b\').length') == 0
    assert screen.selenium.execute_script('return window.pwned === undefined')


def test_hostile_names_and_descriptions_are_plain_text(screen: Screen):
    screen.open('/login')
    headers, org_id = sign_up_with_org(screen, 'xss@example.com', 'password1', 'Mallory', 'Acme')
    base = f'{screen.url}/api/v1/orgs/{org_id}'
    company = httpx.post(f'{base}/companies', json={'name': HOSTILE, 'description': HOSTILE}, headers=headers).json()
    contact = httpx.post(f'{base}/contacts', headers=headers, json={
        'first_name': HOSTILE, 'last_name': '<b>bold</b>', 'company_id': company['id'],
        'description': f'{HOSTILE} and {PROBE}'}).json()

    browser_log_in(screen, 'xss@example.com', 'password1')
    screen.open('/contacts')
    screen.should_contain(f'{HOSTILE} <b>bold</b>')
    _no_injected_markup(screen)

    screen.open(f'/contacts/{contact["id"]}')
    screen.should_contain('<script>window.pwned=2</script>')
    screen.should_contain(HOSTILE)
    _no_injected_markup(screen)

    screen.open(f'/companies/{company["id"]}')
    screen.should_contain(HOSTILE)
    _no_injected_markup(screen)
    screen.selenium.set_window_size(1280, 1000)
    screen.open(f'/contacts/{contact["id"]}')
    screen.shot('contact_card', failed=False)
