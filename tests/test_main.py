"""`python main.py` as an operator runs it: port setting, login page, a restart that keeps everything, and the
admin command line."""
from __future__ import annotations

import subprocess
import sys

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from models.accounts import service as accounts
from models.accounts.tables import User
from models.orgs.tables import Organization
from tests.server import ROOT, free_port, running_server, server_env
from tests.drivers import api_log_in, browser_log_in


def test_the_server_serves_the_login_page_on_rubrica_port():
    port = free_port()
    with running_server(port) as (url, _):
        response = httpx.get(f'{url}/', follow_redirects=True)
        assert response.status_code == 200
        assert str(response.url) == f'{url}/login?next=%2F'
        assert 'Log in' in response.text


def _wait_for_text(driver, text: str) -> None:
    WebDriverWait(driver, 10).until(lambda d: text in d.find_element(By.TAG_NAME, 'body').text)


def test_a_restart_keeps_accounts_organizations_and_sessions(browser):
    port = free_port()
    with running_server(port) as (url, _):
        httpx.post(f'{url}/api/v1/users', json={'email': 'kept@example.com', 'password': 'kept12345',
                                                'name': 'Kept'}).raise_for_status()
        auth = api_log_in(url, 'kept@example.com', 'kept12345')
        httpx.post(f'{url}/api/v1/orgs', json={'name': 'Persistent'}, headers=auth).raise_for_status()
        browser_log_in(browser, 'kept@example.com', 'kept12345', url=url)
        _wait_for_text(browser, 'Welcome, Kept')

    with running_server(port) as (url, _):
        browser.get(f'{url}/')
        _wait_for_text(browser, 'Persistent · your role: owner')
        assert browser.current_url.rstrip('/') == url
        me = httpx.get(f'{url}/api/v1/me', headers=auth)
        assert me.status_code == 200 and me.json()['organizations'][0]['name'] == 'Persistent'


def _admin(*args: str, stdin: str = '', **settings: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, 'main.py', 'admin', *args], cwd=ROOT, env=server_env(**settings),
                          input=stdin, capture_output=True, text=True, timeout=60)


async def test_admin_plan_sets_plan_and_quota(db, make_org):
    acme = await make_org('Acme')
    await db.close()  # the command opens the database itself

    result = _admin('plan', str(acme.id), 'premium')
    assert result.returncode == 0, result.stderr
    assert 'premium' in result.stdout and '10240 MiB' in result.stdout
    result = _admin('plan', str(acme.id), 'premium', '--quota-mb', '500')
    assert result.returncode == 0 and '500 MiB' in result.stdout

    await db.open()
    stored = await Organization.get(id=acme.id)
    assert (stored.plan, stored.storage_quota) == ('premium', 500 * 1024 * 1024)
    await db.close()
    result = _admin('plan', str(acme.id), 'free')
    assert result.returncode == 0 and '100 MiB' in result.stdout
    await db.open()


def test_admin_plan_refuses_an_unknown_organization():
    result = _admin('plan', '4242', 'premium')
    assert result.returncode != 0
    assert 'organization 4242 not found' in result.stderr
    assert _admin('plan', '1', 'gold').returncode != 0


async def test_admin_create_user_gives_an_invite_only_install_its_first_account(db):
    await db.close()  # the command opens the database itself
    # with mail configured too: the operator vouches for the address, no confirmation link is needed
    result = _admin('create-user', 'Root@Example.com', '--name', 'Rita Root', stdin='a long password\n',
                    RUBRICA_SIGNUP='invite', RUBRICA_SMTP_URL='smtp://127.0.0.1:9', RUBRICA_MAIL_FROM='r@example.com')
    assert result.returncode == 0, result.stderr
    await db.open()
    created = await User.get(email='root@example.com')
    assert f'user {created.id} (root@example.com) created' in result.stdout
    assert 'a long password' not in result.stdout + result.stderr
    assert created.name == 'Rita Root' and created.email_verified_at is not None
    assert (await accounts.authenticate(email='root@example.com', password='a long password', client=None)).id == \
        created.id
    await db.close()

    refused = {
        'already exists': _admin('create-user', 'root@example.com', '--name', 'Again', stdin='a long password\n'),
        'email': _admin('create-user', 'not an address', '--name', 'Bad', stdin='a long password\n'),
        'Password: must be at least 8 characters': _admin('create-user', 'short@example.com', '--name', 'Short',
                                                          stdin='short\n'),
    }
    for message, result in refused.items():
        assert result.returncode != 0 and message in result.stderr, (message, result.stderr)
    await db.open()
    assert await User.all().count() == 1
