"""The session: a new cookie at log-in (no session fixation, also with a real browser and server), dead after
log-out, Secure behind https; the log-in and sign-up pages under the same limits as the API; and an open page
re-checks its visitor's membership and role at every action (a member removed or demoted while a page is open sees
nothing more on it, and can change nothing through it)."""
from __future__ import annotations

import httpx
import pytest
from nicegui import core
from nicegui.testing import User

from models.orgs import service as orgs
from models.records import service as records
from models.work import service as work
from models.accounts.service import CLIENT_ATTEMPTS_ALLOWED
from models.records.tables import CONTACT, Contact
from models.work.tables import PROJECT
from tests.server import free_port, running_server
from tests.drivers import browser_log_in, log_in
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


# ------------------------------------------------------------------ an open page re-checks membership and role

@pytest.fixture
async def before(acme) -> None:
    """A contact Mario sees on the list before anything changes."""
    await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Before'})


def rows(user: User) -> list[str]:
    found = user.find(marker='list-table').elements
    assert len(found) == 1
    return [row['name'] for row in next(iter(found)).rows]


@pytest.mark.parametrize('change, message, after', [
    ('removed', 'You are no longer a member of Acme', 'Create or join an organization first.'),
    ('demoted', 'Your role in Acme is now guest', 'Guests do not see contacts.'),
])
async def test_an_open_contacts_page_stops_showing_records(user: User, acme, before, change, message, after):
    await log_in(user, acme.member, path='/contacts')
    await user.should_see(content='1 contact', marker='list-total')
    assert rows(user) == ['Before']

    if change == 'removed':
        await orgs.remove_member(actor=acme.owner.membership, user_id=acme.member.id)
    else:
        await orgs.change_role(actor=acme.owner.membership, user_id=acme.member.id, role='guest')
    await records.create_record(CONTACT, acme.owner.membership, {'first_name': 'Zed', 'last_name': 'After'})

    user.find(marker='list-search').type('after')  # the open page searches again
    await user.should_see(message)
    await user.should_see(content=after, marker='no-access')  # the page was rebuilt for who Mario is now
    await user.should_not_see(marker='list-table')
    await user.should_not_see('Zed After')


async def test_a_removed_member_cannot_save_from_an_open_form(user: User, acme, before):
    await log_in(user, acme.member, path='/contacts/new')
    user.find(marker='field-last_name').type('Sneaky')
    await orgs.remove_member(actor=acme.owner.membership, user_id=acme.member.id)
    user.find(marker='record-save').click()
    await user.should_see('You are no longer a member of Acme')
    assert not await Contact.filter(last_name='Sneaky').exists()


async def test_an_open_projects_page_of_a_removed_member_stops_listing(user: User, acme, before):
    await work.create_item(PROJECT, acme.owner.membership, {'name': 'Launch'})
    await log_in(user, acme.member, path='/projects')
    await user.should_see(marker='project-row')
    await orgs.remove_member(actor=acme.owner.membership, user_id=acme.member.id)
    await work.create_item(PROJECT, acme.owner.membership, {'name': 'Secret plan'})

    user.find(marker='projects-search').type('plan')
    await user.should_see('You are no longer a member of Acme')
    await user.should_see(marker='no-access')
    await user.should_not_see('Secret plan')


# ------------------------------------------------------------------ in a real browser, with a real server

def logged_in_at(url: str, cookie: str) -> bool:
    """Whether this cookie is logged in on the server at `url`."""
    response = httpx.get(f'{url}/', headers={'Cookie': f'{COOKIE}={cookie}'})
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


def test_a_cookie_from_before_log_in_stays_logged_out(browser):
    port = free_port()
    with running_server(port) as (url, _):
        httpx.post(f'{url}/api/v1/users', json={'email': 'real@example.com', 'password': 'real12345',
                                                'name': 'Real'}).raise_for_status()
        browser.get(f'{url}/login')
        planted = browser.get_cookie('session')['value']
        browser_log_in(browser, 'real@example.com', 'real12345')  # in the form already open

        fresh = browser.get_cookie('session')['value']
        assert fresh != planted
        assert logged_in_at(url, fresh)
        assert not logged_in_at(url, planted)


async def test_an_italian_member_is_told_of_the_new_role_in_italian(user: User, acme, before):
    acme.member.user.language = 'it'
    await acme.member.user.save(update_fields=['language'])
    await log_in(user, acme.member, path='/contacts')
    await user.should_see(marker='list-table')
    await orgs.change_role(actor=acme.owner.membership, user_id=acme.member.id, role='guest')
    user.find(marker='list-search').type('after')
    await user.should_see('Il tuo ruolo in Acme ora è ospite')
