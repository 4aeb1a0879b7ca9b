"""More than one process (issue 19, done-when 1): two real server processes on one PostgreSQL database and one
Redis, behind nginx with the deploy guide's own configuration (docs/deploy/nginx-rubrica.conf), and a real browser.

A session started on one process works on the other (the session lives in the database, NiceGUI's browser storage
in Redis); a record change and a notification made through one process's API reach a page open on the other
(Redis pub/sub) long before the pages' 30 s poll; nginx keeps a browser on one process, page and websocket alike;
the log-in throttle counts the attempts of both processes.

It runs in CI's PostgreSQL pass (marker `scale_out`, kept there although it drives a browser) and needs Redis.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from models.accounts.service import LOGIN_FAILURES_ALLOWED
from tests.conftest import ON_POSTGRES
from tests.drivers import api_log_in, browser_log_in
from tests.server import free_port, running_proxy, running_server

pytestmark = [pytest.mark.scale_out,
              pytest.mark.skipif(not ON_POSTGRES, reason='two processes on one PostgreSQL database (CI: its pass)')]

LIVE_SECONDS = 10  # a live event must arrive within this: well before the pages' 30 s poll
UPSTREAM_HEADER = 'X-Test-Upstream'  # added by this test to the proxy's answers: which process served a request


@pytest.fixture
def nginx() -> str:
    found = shutil.which('nginx') or ('/usr/sbin/nginx' if Path('/usr/sbin/nginx').exists() else None)
    if found is None:
        if os.environ.get('CI') == 'true':
            pytest.fail('nginx is not installed (.ci/run installs nginx-light)')
        pytest.skip('no nginx (apt-get install nginx-light)')
    return found


def sign_up(url: str, email: str, name: str) -> dict[str, str]:
    httpx.post(f'{url}/api/v1/users', json={'email': email, 'password': 'password1', 'name': name}) \
        .raise_for_status()
    return api_log_in(url, email, 'password1')


def post(url: str, path: str, headers: dict, body: dict) -> dict:
    response = httpx.post(f'{url}/api/v1{path}', json=body, headers=headers)
    response.raise_for_status()
    return response.json()


def seen(driver, css: str, text: str, seconds: float = LIVE_SECONDS) -> float:
    """Wait until an element matching `css` shows `text`; returns how long it took."""
    began = time.monotonic()
    WebDriverWait(driver, seconds, poll_frequency=0.1).until(
        lambda d: any(text in element.text for element in d.find_elements(By.CSS_SELECTOR, css)
                      if element.is_displayed()))
    return time.monotonic() - began


def test_two_processes_behind_nginx_share_sessions_live_events_and_throttles(with_redis, rubrica_env, browser,
                                                                            nginx, tmp_path):
    ports = [free_port(), free_port()]
    secret = 'the-same-secret-for-both-processes-0123456789'  # as in the deploy guide: one RUBRICA_SECRET
    with running_server(ports[0], RUBRICA_SECRET=secret) as first, \
            running_server(ports[1], RUBRICA_SECRET=secret) as second, \
            running_proxy(free_port(), ports, tmp_path / 'nginx',
                          extra=f'add_header {UPSTREAM_HEADER} $upstream_addr always;') as nginx_front:
        proxy = nginx_front.url
        servers = {f'127.0.0.1:{port}': server.url for port, server in zip(ports, (first, second))}
        olga = sign_up(first.url, 'olga@example.com', 'Olga Owner')
        org = post(first.url, '/orgs', olga, {'name': 'Acme'})['id']
        mario = sign_up(second.url, 'mario@example.com', 'Mario Member')
        post(first.url, f'/orgs/{org}/members', olga, {'email': 'mario@example.com', 'role': 'member'})
        contact = post(second.url, f'/orgs/{org}/contacts', olga, {'last_name': 'Neri'})

        # nginx: a browser without its route cookie gets one; with it, every request reaches the same process
        fresh = httpx.get(f'{proxy}/login')
        assert fresh.status_code == 200 and 'rubrica_route' in fresh.cookies
        with httpx.Client(base_url=proxy, cookies=fresh.cookies) as pinned:
            assert len({pinned.get('/login').headers[UPSTREAM_HEADER] for _ in range(6)}) == 1

        # a session started on the process nginx chose (the log-in page and its websocket through the proxy)...
        browser_log_in(browser, 'olga@example.com', 'password1', url=proxy)
        cookies = {cookie['name']: cookie['value'] for cookie in browser.get_cookies()}
        started_on = httpx.get(f'{proxy}/login', cookies=cookies).headers[UPSTREAM_HEADER]
        other = next(url for address, url in servers.items() if address != started_on)
        # ...is logged in on the other one: its pages and its browser storage (the active organization, in Redis)
        page = httpx.get(f'{other}/contacts/{contact["id"]}', cookies=cookies)
        assert page.status_code == 200 and 'Acme' in page.text
        browser.get(f'{other}/contacts/{contact["id"]}')  # the same browser, on the other process directly
        seen(browser, '.q-page', 'Neri')

        # a record change made through the first process's API reaches the card open on the other
        changed = httpx.patch(f'{servers[started_on]}/api/v1/orgs/{org}/contacts/{contact["id"]}', headers=mario,
                              json={'first_name': 'Mario', 'version': contact['version']})
        changed.raise_for_status()
        took = seen(browser, '.rubrica-record-changed', 'Mario Member changed this contact')
        print(f'record change seen on the other process after {took:.2f} s')

        # a notification made through the first process (Mario adds Olga to his organization) rings her bell there
        beta = post(servers[started_on], '/orgs', mario, {'name': 'Beta'})['id']
        post(servers[started_on], f'/orgs/{beta}/members', mario, {'email': 'olga@example.com', 'role': 'member'})
        took = seen(browser, '.rubrica-bell-count', '1')
        print(f'notification seen on the other process after {took:.2f} s')

        # and the other way round, through the proxy: a card nginx serves, a change through the other process
        browser.get(f'{proxy}/contacts/{contact["id"]}')
        seen(browser, '.q-page', 'Mario')
        serving = httpx.get(f'{proxy}/login', cookies=cookies).headers[UPSTREAM_HEADER]
        across = next(url for address, url in servers.items() if address != serving)
        version = httpx.get(f'{across}/api/v1/orgs/{org}/contacts/{contact["id"]}', headers=mario).json()['version']
        httpx.patch(f'{across}/api/v1/orgs/{org}/contacts/{contact["id"]}', headers=mario,
                    json={'last_name': 'Neri-Bianchi', 'version': version}).raise_for_status()
        seen(browser, '.rubrica-record-changed', 'Mario Member changed this contact')

        # (a job queued through one process, run by a separate `python main.py worker` and followed from the other
        # process: tests/test_jobs_processes.py, which also kills that worker half-way)

        # the log-in throttle counts the wrong passwords given to either process
        for attempt in range(LOGIN_FAILURES_ALLOWED):
            url = (first.url, second.url)[attempt % 2]
            wrong = httpx.post(f'{url}/api/v1/tokens', json={'email': 'olga@example.com', 'password': 'wrong'})
            assert wrong.status_code == 401, wrong.text
        for url in (first.url, second.url):
            refused = httpx.post(f'{url}/api/v1/tokens', json={'email': 'olga@example.com', 'password': 'wrong'})
            assert refused.status_code == 429, refused.text
