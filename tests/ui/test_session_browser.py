"""Session fixation with a real browser and a real server: the cookie the browser held before logging in is not
logged in afterwards (the log-in gives the browser a new one)."""
from __future__ import annotations

import httpx

from tests.drivers import browser_log_in
from tests.server import free_port, running_server


def logged_in(url: str, cookie: str) -> bool:
    response = httpx.get(f'{url}/', headers={'Cookie': f'session={cookie}'})
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


def test_a_cookie_from_before_log_in_stays_logged_out(browser):
    port = free_port()
    with running_server(port) as url:
        httpx.post(f'{url}/api/v1/users', json={'email': 'real@example.com', 'password': 'real12345',
                                                'name': 'Real'}).raise_for_status()
        browser.get(f'{url}/login')
        planted = browser.get_cookie('session')['value']
        browser_log_in(browser, 'real@example.com', 'real12345')  # in the form already open

        fresh = browser.get_cookie('session')['value']
        assert fresh != planted
        assert logged_in(url, fresh)
        assert not logged_in(url, planted)
