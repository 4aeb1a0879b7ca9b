"""The kiosk page and its links: public records only (also through its search), 404 for an unknown or revoked
link, and the framing headers: every page refuses to be framed, the kiosk allows exactly its link's origins."""
from __future__ import annotations

import asyncio

import pytest
from nicegui import ElementFilter, ui
from nicegui.testing import User

from models import kiosk
from models.records import COMPANY, CONTACT, create_record
from tests.drivers import log_in

DENY_FRAMING = "frame-ancestors 'none'"


@pytest.fixture
async def directory(acme) -> dict:
    """Acme's public and private records, the kiosk's to show or to hide."""
    org, as_member = acme.owner.membership, acme.member.membership
    company = await create_record(COMPANY, org, {'name': 'Open Spa', 'type': 'Client'})
    public = await create_record(CONTACT, as_member, {'first_name': 'Paola', 'last_name': 'Pubblica',
                                                      'emails': ['paola@open.example'],
                                                      'phones': ['+39 347 123 4567'], 'company_id': company.id})
    private = await create_record(CONTACT, org, {'first_name': 'Pietro', 'last_name': 'Privato',
                                                 'emails': ['pietro@hidden.example'], 'visibility': 'private',
                                                 'company_id': company.id})
    await create_record(COMPANY, as_member, {'name': 'Hidden Holding', 'visibility': 'private'})
    return {'company': company, 'public': public, 'private': private}


def _result_names(user: User) -> list[str]:
    with user.client:
        return sorted(label.text for label in ElementFilter(marker='kiosk-result-name', local_scope=False))


async def _card_is(user: User, name: str) -> None:
    for _ in range(50):
        with user.client:
            if [label.text for label in ElementFilter(marker='kiosk-card-name', local_scope=False)] == [name]:
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f'the card of {name} did not open')


async def _results_are(user: User, names: list[str]) -> None:
    """Wait for the search handlers (they run in the background) to show exactly these results."""
    for _ in range(50):
        if _result_names(user) == names:
            return
        await asyncio.sleep(0.05)
    assert _result_names(user) == names


# ------------------------------------------------------------------ framing

async def test_a_normal_page_refuses_to_be_framed(client):
    for path in ('/login', '/signup', '/', '/kiosk'):
        response = await client.get(path)
        assert response.headers['content-security-policy'] == DENY_FRAMING, path
        assert response.headers['x-frame-options'] == 'DENY', path


async def test_the_kiosk_allows_exactly_the_origins_of_its_link(client, acme, directory):
    _, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Intranet',
                                           frame_origins='https://intranet.example.com http://localhost:8080')
    response = await client.get(f'/kiosk/{raw}')
    assert response.status_code == 200
    assert response.headers['content-security-policy'] == \
        'frame-ancestors https://intranet.example.com http://localhost:8080'
    assert 'x-frame-options' not in response.headers
    assert response.headers['x-content-type-options'] == 'nosniff'
    # the widening is for that one response: the next page refuses framing again
    after = await client.get('/login')
    assert after.headers['content-security-policy'] == DENY_FRAMING and after.headers['x-frame-options'] == 'DENY'


async def test_a_kiosk_without_origins_refuses_framing(client, acme, directory):
    _, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Wall screen')
    response = await client.get(f'/kiosk/{raw}')
    assert response.status_code == 200
    assert response.headers['content-security-policy'] == DENY_FRAMING
    assert response.headers['x-frame-options'] == 'DENY'


async def test_a_revoked_or_unknown_link_is_404_and_refuses_framing(client, acme, directory):
    link, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Intranet',
                                              frame_origins=['https://intranet.example.com'])
    assert (await client.get(f'/kiosk/{raw}')).status_code == 200
    await kiosk.revoke_kiosk_link(actor=acme.owner.membership, link_id=link.id)
    for path in (f'/kiosk/{raw}', '/kiosk/kiosk_unknown', '/kiosk'):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert 'Pubblica' not in response.text
        assert response.headers['content-security-policy'] == DENY_FRAMING, path
        assert response.headers['x-frame-options'] == 'DENY', path


# ------------------------------------------------------------------ what the kiosk shows

async def test_the_kiosk_page_holds_public_records_only(client, acme, directory):
    _, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Wall screen')
    page = (await client.get(f'/kiosk/{raw}')).text
    assert 'Paola Pubblica' in page and 'Open Spa' in page
    for hidden in ('Privato', 'pietro@hidden.example', 'Hidden Holding'):
        assert hidden not in page


async def test_kiosk_search_and_card_show_public_records_only(user: User, acme, directory):
    _, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Wall screen')
    await user.open(f'/kiosk/{raw}')
    await user.should_see('Acme', marker='kiosk-org')
    await _results_are(user, ['Open Spa', 'Paola Pubblica'])
    assert [label.text for label in user.find(marker='kiosk-total-contact').elements] == ['1']

    search = user.find(marker='kiosk-search')
    for q in ('privato', 'pietro@hidden.example', 'hidden'):
        search.clear().type(q)
        await _results_are(user, [])
        await user.should_see(marker='kiosk-nothing')
    search.clear().type('347 123')
    await _results_are(user, ['Paola Pubblica'])
    search.clear().type('open')
    await _results_are(user, ['Open Spa', 'Paola Pubblica'])  # Paola by her email at open.example

    # the company's card lists its public contacts only
    user.find(marker=f'kiosk-company-{directory["company"].id}').click()
    await _card_is(user, 'Open Spa')
    assert [b.text for b in user.find(marker='kiosk-card-person').elements] == ['Paola Pubblica']
    user.find(marker='kiosk-card-person').click()
    await _card_is(user, 'Paola Pubblica')
    assert [link.text for link in user.find(marker='kiosk-card-phone').elements] == ['347 123 4567']
    assert [link.text for link in user.find(marker='kiosk-card-email').elements] == ['paola@open.example']
    await user.should_not_see(marker='kiosk-card-missing')


async def test_revoking_empties_a_screen_already_open(user: User, acme, directory):
    link, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Wall screen')
    await user.open(f'/kiosk/{raw}')
    await _results_are(user, ['Open Spa', 'Paola Pubblica'])
    await kiosk.revoke_kiosk_link(actor=acme.owner.membership, link_id=link.id)
    user.find(marker='kiosk-search').type('paola')
    await user.should_see(marker='kiosk-gone')
    await user.should_not_see(marker='kiosk-result-name')


# ------------------------------------------------------------------ Settings → Kiosk links

async def test_an_owner_creates_sees_once_and_revokes_a_kiosk_link(user: User, acme, directory):
    await log_in(user, acme.owner, path='/settings')
    await user.should_see(marker='no-kiosk-links')
    user.find(marker='kiosk-name').type('Reception')
    user.find(marker='kiosk-origins').type('https://intranet.example.com/page')
    user.find(marker='kiosk-create').click()
    await user.should_see('Please correct the highlighted fields')
    origins = user.find(marker='kiosk-origins').elements.pop()
    assert 'scheme://host[:port]' in origins.error
    await user.should_see(marker='no-kiosk-links')  # nothing saved

    user.find(marker='kiosk-origins').clear().type('https://intranet.example.com')
    user.find(marker='kiosk-create').click()
    await user.should_see(marker='kiosk-link-url')
    address = user.find(marker='kiosk-link-url').elements.pop().value
    path = address[address.index('/kiosk/'):]
    assert path.startswith('/kiosk/kiosk_')
    user.find(marker='kiosk-link-done').click()
    await user.should_see('Reception', marker='kiosk-row-name')
    await user.should_see('framed by: https://intranet.example.com')
    assert path.removeprefix('/kiosk/') not in str([label.text for label in user.find(kind=ui.label).elements])

    await user.open(path)
    await _results_are(user, ['Open Spa', 'Paola Pubblica'])

    await user.open('/settings')
    user.find(marker='kiosk-revoke').click()
    await user.should_see('Kiosk link revoked')
    await user.should_see(marker='no-kiosk-links')
    gone = await user.http_client.get(path)
    assert gone.status_code == 404 and 'This kiosk link does not exist or was revoked.' in gone.text


async def test_members_do_not_see_kiosk_links(user: User, acme, directory):
    await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Reception')
    await log_in(user, acme.member, path='/settings')
    await user.should_see(marker='member-row')
    await user.should_not_see(marker='kiosk-create')
    await user.should_not_see(marker='kiosk-row')


# ------------------------------------------------------------------ the same through the API

async def test_kiosk_links_through_the_api(client, acme, directory):
    owner, member = acme.owner.auth, acme.member.auth
    base = f'/api/v1/orgs/{acme.id}/kiosk-links'
    assert (await client.post(base, json={'name': 'Mine'}, headers=member)).status_code == 403
    refused = await client.post(base, json={'name': 'Wall', 'frame_origins': ['intranet']}, headers=owner)
    assert refused.status_code == 422 and refused.json()['detail'][0]['field'] == 'frame_origins[0]'
    created = await client.post(base, json={'name': 'Wall', 'idle_seconds': 30,
                                            'frame_origins': ['https://intranet.example.com']}, headers=owner)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body['url'].endswith(f'/kiosk/{body["token"]}') and body['idle_seconds'] == 30
    listed = (await client.get(base, headers=owner)).json()
    assert [link['name'] for link in listed] == ['Wall'] and 'token' not in listed[0]
    assert (await client.get(f'/kiosk/{body["token"]}')).status_code == 200
    assert (await client.delete(f'{base}/{body["id"]}', headers=owner)).status_code == 204
    assert (await client.get(f'/kiosk/{body["token"]}')).status_code == 404
    assert (await client.delete(f'{base}/{body["id"]}', headers=owner)).status_code == 404


async def test_show_more_pages_through_the_public_records(user: User, acme, directory):
    for i in range(30):
        await create_record(CONTACT, acme.member.membership, {'last_name': f'Zed{i:02d}'})
        await create_record(CONTACT, acme.member.membership, {'last_name': f'Zprivate{i:02d}', 'visibility': 'private'})
    _, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Wall screen')
    await user.open(f'/kiosk/{raw}')
    kinds, = user.find(marker='kiosk-kind').elements
    with user.client:
        kinds.value = 'contact'  # the "People" button of the toggle
    await _results_are(user, ['Paola Pubblica'] + [f'Zed{i:02d}' for i in range(11)])
    assert [label.text for label in user.find(marker='kiosk-total-contact').elements] == ['31']
    user.find(marker='kiosk-more-contact').click()
    await _results_are(user, ['Paola Pubblica'] + [f'Zed{i:02d}' for i in range(30)])
    await user.should_not_see(marker='kiosk-more-contact')
