"""Settings' "Phones and mail apps": the addresses to enter on each kind of device, and an app password made there
that CardDAV accepts."""
from __future__ import annotations

import base64

from nicegui.testing import User

from models.accounts import service as accounts
from tests.drivers import PATIENCE, element, log_in


async def test_the_phones_section_gives_the_addresses_and_an_app_password_that_logs_in(user: User, acme, target,
                                                                                         client):
    await log_in(user, acme.member, path='/settings?section=phones')
    await user.should_see(marker='dav-android-url', retries=PATIENCE)
    base = element(user, 'dav-android-url').text
    assert base.endswith('/') and element(user, 'dav-user-name').text == acme.member.email
    assert element(user, f'dav-book-{acme.id}').text == f'{base}dav/books/{acme.id}/'
    assert element(user, f'dav-book-{target.id}').text == f'{base}dav/books/{target.id}/'
    user.find(marker='dav-device').clear().type("Mario's iPhone")
    user.find(marker='dav-create-password').click()
    await user.should_see(marker='dav-app-password')
    password = element(user, 'dav-app-password').value
    assert [t.name for t in await accounts.list_api_tokens(acme.member.user)][0] == "Mario's iPhone"
    basic = base64.b64encode(f'{acme.member.email}:{password}'.encode()).decode()
    answer = await client.request('PROPFIND', f'/dav/books/{acme.id}/', headers={'Authorization': f'Basic {basic}',
                                                                                 'Depth': '0'})
    assert answer.status_code == 207


async def test_a_guest_is_told_there_is_no_address_book(user: User, acme):
    await log_in(user, acme.guest, path='/settings?section=phones')
    await user.should_see(marker='dav-no-books', retries=PATIENCE)
