"""The server as an operator runs it: port setting, login page, and a restart that keeps everything."""
from __future__ import annotations

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.drivers import api_log_in, browser_log_in
from tests.server import free_port, running_server


def test_the_server_serves_the_login_page_on_rubrica_port():
    port = free_port()
    with running_server(port) as url:
        response = httpx.get(f'{url}/', follow_redirects=True)
        assert response.status_code == 200
        assert str(response.url) == f'{url}/login?next=%2F'
        assert 'Log in' in response.text


def _wait_for_text(driver, text: str) -> None:
    WebDriverWait(driver, 10).until(lambda d: text in d.find_element(By.TAG_NAME, 'body').text)


def test_a_restart_keeps_accounts_organizations_and_sessions(browser):
    port = free_port()
    with running_server(port) as url:
        httpx.post(f'{url}/api/v1/users', json={'email': 'kept@example.com', 'password': 'kept12345',
                                                'name': 'Kept'}).raise_for_status()
        auth = api_log_in(url, 'kept@example.com', 'kept12345')
        httpx.post(f'{url}/api/v1/orgs', json={'name': 'Persistent'}, headers=auth).raise_for_status()
        browser_log_in(browser, 'kept@example.com', 'kept12345', url=url)
        _wait_for_text(browser, 'Welcome, Kept')

    with running_server(port) as url:
        browser.get(f'{url}/')
        _wait_for_text(browser, 'Persistent · your role: owner')
        assert browser.current_url.rstrip('/') == url
        me = httpx.get(f'{url}/api/v1/me', headers=auth)
        assert me.status_code == 200 and me.json()['organizations'][0]['name'] == 'Persistent'
