"""A real browser uploads an Outlook export on the import page, runs it with the progress bar, and the list's
Export CSV link downloads with the browser's session."""
from __future__ import annotations

import httpx
from selenium.webdriver.common.by import By

from tests.drivers import browser_log_in
from tests.helpers import DATA
from tests.ui.browser import sign_up_with_org


def test_a_real_browser_imports_and_exports(screen):
    screen.open('/')
    screen.should_contain('Log in to your account')
    headers, org = sign_up_with_org(screen, 'ada@example.com', 'lovelace1', 'Ada Lovelace', 'Engines')
    browser_log_in(screen, 'ada@example.com', 'lovelace1')

    screen.open('/import')
    screen.should_contain('CSV or vCard file')
    screen.selenium.find_element(By.CSS_SELECTOR, '.q-uploader input[type=file]') \
        .send_keys(str(DATA / 'outlook_contacts.csv'))
    screen.should_contain('4 rows, comma-separated, read as utf-8-sig')
    screen.should_contain('Business Phone')
    screen.click('Run import')
    screen.should_contain('2 created, 0 updated, 2 skipped')
    screen.should_contain('same email luca.verdi@verdi.example as row 2')

    listed = httpx.get(f'{screen.url}/api/v1/orgs/{org}/contacts', headers=headers).json()
    assert sorted(c['last_name'] for c in listed['items']) == ['Martin', 'Verdi']

    screen.open('/contacts')
    screen.should_contain('2 contacts')
    cookies = {c['name']: c['value'] for c in screen.selenium.get_cookies()}
    exported = httpx.get(f'{screen.url}/exports/{org}/contacts.csv?q=verdi', cookies=cookies)
    assert exported.status_code == 200 and 'Verdi' in exported.text and 'Martin' not in exported.text
    assert httpx.get(f'{screen.url}/exports/{org}/contacts.csv').status_code in (303, 307)  # no session: log in
