"""The session cookie: a new one at log-in (no session fixation), dead after log-out, Secure behind https,
and the log-in and sign-up pages under the same limits as the API."""
from __future__ import annotations

import httpx
import pytest
from nicegui import core
from nicegui.testing import User

from models.accounts import CLIENT_ATTEMPTS_ALLOWED
from tests.drivers import log_in
from tests.helpers import make_user

COOKIE = 'session'  # starlette's SessionMiddleware: NiceGUI's browser id, and our session key


async def status_with_cookie(path: str, cookie: str) -> httpx.Response:
    """GET `path` from another browser that holds only this cookie."""
    transport = httpx.ASGITransport(app=core.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url='http://test') as other:
        return await other.get(path, headers={'Cookie': f'{COOKIE}={cookie}'})


def logged_in(response: httpx.Response) -> bool:
    if response.status_code == 303 and response.headers['location'].startswith('/login'):
        return False
    assert response.status_code == 200, response.status_code
    return True


async def test_a_cookie_from_before_log_in_is_not_logged_in_afterwards(user: User):
    await make_user(email='fixed@example.com')
    await user.open('/login')
    planted = user.http_client.cookies.get(COOKIE)
    assert planted  # e.g. set into the victim's browser by someone who kept a copy

    await log_in(user, 'fixed@example.com')
    await user.should_see(content='Dashboard', marker='page-title')

    fresh = user.http_client.cookies.get(COOKIE)
    assert fresh != planted
    assert logged_in(await status_with_cookie('/', fresh))
    assert not logged_in(await status_with_cookie('/', planted))
    assert not logged_in(await status_with_cookie('/settings', planted))


async def test_the_login_ticket_works_once_and_only_in_its_own_browser(user: User):
    await make_user(email='ticket@example.com')
    await user.open('/login')
    before = user.http_client.cookies.get(COOKIE)
    await log_in(user, 'ticket@example.com')
    await user.should_see(content='Dashboard', marker='page-title')
    completion = next(path for path in user.back_history if path.startswith('/login/complete'))

    again = await status_with_cookie(completion, before)  # the same browser, the ticket used already
    assert again.status_code == 303 and again.headers['location'].startswith('/login')
    reissued = again.cookies.get(COOKIE)
    assert reissued is None or not logged_in(await status_with_cookie('/', reissued))
    stranger = httpx.ASGITransport(app=core.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=stranger, base_url='http://test') as other:
        assert (await other.get(completion)).headers['location'].startswith('/login')
        assert not logged_in(await other.get('/'))


async def test_log_out_ends_the_session_for_every_copy_of_the_cookie(user: User):
    await make_user(email='leaving@example.com')
    await log_in(user, 'leaving@example.com')
    await user.should_see(content='Dashboard', marker='page-title')
    copy = user.http_client.cookies.get(COOKIE)
    assert logged_in(await status_with_cookie('/', copy))

    user.find(marker='user-menu').click()
    user.find(marker='menu-logout').click()
    await user.should_see(marker='login-email')
    assert not logged_in(await status_with_cookie('/', copy))
    assert not logged_in(await status_with_cookie('/', user.http_client.cookies.get(COOKIE)))


def cookie_flags(response: httpx.Response) -> set[str]:
    header = response.headers['set-cookie']
    assert header.startswith(f'{COOKIE}=')
    return {part.strip().split('=')[0].lower() for part in header.split(';')[1:]}


@pytest.fixture
def https_public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('RUBRICA_PUBLIC_URL', 'https://crm.example.com')


async def test_the_session_cookie_is_secure_when_rubrica_is_reached_by_https(https_public_url, client):
    flags = cookie_flags(await client.get('/login'))
    assert {'secure', 'httponly'} <= flags


async def test_the_session_cookie_is_not_secure_on_plain_http(client):
    flags = cookie_flags(await client.get('/login'))
    assert 'httponly' in flags and 'secure' not in flags


async def test_the_login_page_keeps_the_per_address_limit(user: User, client):
    """The page passes the browser's address: after twenty attempts from it (here through the API), even the right
    password is refused on the page, with a message that says why."""
    await make_user(email='page@example.com')
    for _ in range(CLIENT_ATTEMPTS_ALLOWED):  # sign-ups of a taken email: cheap, and they count
        taken = await client.post('/api/v1/users', json={'email': 'page@example.com', 'password': 'long enough',
                                                         'name': 'Probe'})
        assert taken.status_code == 409
    await log_in(user, 'page@example.com', succeeds=False)
    await user.should_see(content='Too many log-in and sign-up attempts from your network', marker='login-error')
    await user.should_not_see(marker='page-title')

    await user.open('/signup')
    user.find(marker='signup-name').type('Newcomer')
    user.find(marker='signup-email').type('newcomer@example.com')
    user.find(marker='signup-password').type('long enough')
    user.find(marker='signup-submit').click()
    await user.should_see('Too many log-in and sign-up attempts from your network')
