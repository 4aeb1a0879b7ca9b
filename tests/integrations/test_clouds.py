"""Google Drive and Dropbox with the real SDK clients against a local fake of their servers (fake_clouds.py):
connect, browse, search, attach, open, refresh an expired token, a revoked token; tokens never in clear."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from nicegui import app
from nicegui.testing import User

from models.orgs import service as orgs
from models.files.tables import Attachment, CloudAccount
from models.orgs.tables import Organization
from tests.drivers import log_in, mount_attachments_page
from tests.integrations.fake_clouds import FakeClouds
from tests.helpers import Team, on_postgres

PROVIDERS = ['google_drive', 'dropbox']
PDF = b'%PDF-1.7 quarterly figures ' + os.urandom(3000)


@pytest.fixture
def clouds(monkeypatch):
    fake = FakeClouds().start()
    for name, value in fake.settings().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv('RUBRICA_PUBLIC_URL', 'http://rubrica.test')
    monkeypatch.setenv('OAUTHLIB_INSECURE_TRANSPORT', '1')  # oauthlib's switch for plain-http test servers
    fake.add_drive_file('folder-1', 'Clients', mime='application/vnd.google-apps.folder')
    fake.add_drive_file('drive-pdf', 'Quarterly report.pdf', PDF, parent='folder-1')
    fake.add_drive_file('drive-doc', 'Meeting notes', mime='application/vnd.google-apps.document')
    fake.add_drive_file('drive-top', 'Top level.txt', b'top', mime='text/plain')
    fake.add_dropbox_entry('id:folder1', '/Clients', folder=True)
    fake.add_dropbox_entry('id:pdf1', '/Clients/Quarterly report.pdf', PDF)
    fake.add_dropbox_entry('id:top1', '/Top level.txt', b'top')
    yield fake
    fake.stop()


@pytest.fixture
async def premium(clouds, user: User, make_org) -> Team:
    """Acme on the premium plan, its owner Olga logged in in the simulated browser."""
    acme = await make_org('Acme', tokens=True)
    await orgs.set_plan(org_id=acme.id, plan='premium')
    await log_in(user, acme.owner)
    return acme


@pytest.fixture
async def rossi(premium, user: User) -> dict:
    """A contact of the premium organization, to attach files to."""
    response = await user.http_client.post(f'{premium.base}/contacts', json={'last_name': 'Rossi'},
                                           headers=premium.owner.auth)
    return response.json()


async def connect(user: User, clouds: FakeClouds, provider: str) -> None:
    """The OAuth dance as the browser does it: our connect route, the provider's consent, our callback."""
    started = await user.http_client.get(f'/cloud/{provider}/connect')
    assert started.status_code == 303, started.text
    consent = started.headers['location']
    assert consent.startswith(clouds.base)
    query = parse_qs(urlsplit(consent).query)
    assert query['redirect_uri'] == [f'http://rubrica.test/cloud/{provider}/callback']
    assert query['code_challenge_method'] == ['S256']  # PKCE
    if provider == 'dropbox':
        assert query['token_access_type'] == ['offline']
    else:
        assert query['access_type'] == ['offline']
    back = httpx.get(consent)  # the provider's page; our fake consents at once
    assert back.status_code == 302
    callback = urlsplit(back.headers['location'])
    assert callback.netloc == 'rubrica.test'
    await user.open(f'{callback.path}?{callback.query}')  # the callback returns to Settings
    await user.should_see(marker=f'cloud-{provider}-status', retries=50)


def account_row(provider: str):
    return CloudAccount.get(provider=provider)


# ------------------------------------------------------------------ connect

@pytest.mark.parametrize('provider', PROVIDERS)
async def test_connect_and_disconnect_in_settings(clouds, premium, user: User, provider):
    await user.open('/settings')
    await user.should_see(marker=f'cloud-{provider}-connect', retries=50)
    await connect(user, clouds, provider)
    await user.should_see(marker='cloud-message')
    await user.should_see('is connected', marker='cloud-message')
    await user.should_see(marker=['cloud-connected', f'cloud-{provider}-status'])
    account = await account_row(provider)
    assert account.status == 'connected' and account.expires_at > datetime.now(timezone.utc)
    assert f'{provider.split("_")[0]} token authorization_code' in clouds.calls

    user.find(marker=f'cloud-{provider}-disconnect').click()
    await user.should_see(marker=f'cloud-{provider}-connect', retries=50)
    assert not await CloudAccount.filter(provider=provider).exists()


async def test_a_forged_callback_connects_nothing(clouds, premium, user: User):
    started = await user.http_client.get('/cloud/dropbox/connect')
    back = httpx.get(started.headers['location'])
    code = parse_qs(urlsplit(back.headers['location']).query)['code'][0]
    await user.open(f'/cloud/dropbox/callback?code={code}&state=not-the-state')
    await user.should_see('does not match', marker='cloud-message', retries=50)
    assert not await CloudAccount.filter(provider='dropbox').exists()


async def test_free_organizations_cannot_connect_or_link(clouds, user: User, make_org):
    free = await make_org('Freebies', owner='Fred', tokens=True)
    await log_in(user, free.owner)
    await user.open('/settings')
    await user.should_see(marker='cloud-not-premium', retries=50)
    refused = await user.http_client.get('/cloud/google_drive/connect')
    assert refused.status_code == 303 and refused.headers['location'] == '/settings?section=cloud'
    contact = (await user.http_client.post(f'{free.base}/contacts', json={'last_name': 'X'},
                                           headers=free.owner.auth)).json()
    linked = await user.http_client.post(f'{free.base}/contacts/{contact["id"]}/attachments',
                                         json={'source': 'google_drive', 'file_id': 'drive-pdf'},
                                         headers=free.owner.auth)
    assert linked.status_code == 403


async def test_linking_needs_a_connected_account(clouds, premium, rossi, user: User):
    response = await link(user, premium, rossi, 'dropbox', 'id:pdf1')
    assert response.status_code == 403 and 'Connect your Dropbox' in response.json()['detail']


# ------------------------------------------------------------------ browse, search, attach, open

class Held(NamedTuple):
    """What a fake provider holds (see the `clouds` fixture)."""
    top: list[tuple[str, str, bool]]  # the top folder: id, name, is a folder
    folder: str  # "Clients"
    pdf: str  # the PDF in it, which a search for "quarterly" finds
    search_call: str  # how the fake logs that search


HELD = {
    'google_drive': Held([('folder-1', 'Clients', True), ('drive-doc', 'Meeting notes', False),
                          ('drive-top', 'Top level.txt', False)], 'folder-1', 'drive-pdf',
                         "drive list name contains 'quarterly'"),
    'dropbox': Held([('id:folder1', 'Clients', True), ('id:top1', 'Top level.txt', False)], 'id:folder1', 'id:pdf1',
                    'dropbox search_v2'),
}


async def link(user: User, premium: Team, rossi: dict, provider: str, file_id: str) -> httpx.Response:
    """The owner links a file of the provider to Rossi through the API."""
    return await user.http_client.post(f'{premium.base}/contacts/{rossi["id"]}/attachments',
                                       json={'source': provider, 'file_id': file_id}, headers=premium.owner.auth)


async def open_attachment(user: User, premium: Team, attachment: dict) -> httpx.Response:
    return await user.http_client.get(f'{premium.base}/attachments/{attachment["id"]}/content',
                                      headers=premium.owner.auth)


@pytest.mark.parametrize('provider', PROVIDERS)
async def test_browse_search_and_link_a_file(clouds, premium, rossi, user: User, provider):
    from models.files import cloud
    from models.access import membership

    top, folder, pdf, search_call = HELD[provider]
    await connect(user, clouds, provider)
    where = {'actor': await membership(premium.owner.user, premium.id), 'provider': provider,
             'integrations': app.state.integrations}
    assert [(e.id, e.name, e.is_folder) for e in await cloud.browse(folder_id=None, **where)] == top
    inside = await cloud.browse(folder_id=folder, **where)
    assert [(e.id, e.name, e.size) for e in inside] == [(pdf, 'Quarterly report.pdf', len(PDF))]
    assert [e.id for e in await cloud.search(query='quarterly', **where)] == [pdf]
    assert any(call.startswith(search_call) for call in clouds.calls)

    linked = await link(user, premium, rossi, provider, pdf)
    assert linked.status_code == 201, linked.text
    body = linked.json()
    assert (body['source'], body['filename'], body['size'], body['content_type']) == \
        (provider, 'Quarterly report.pdf', len(PDF), 'application/pdf')
    assert (await Organization.get(id=premium.id)).storage_used == 0  # a linked file does not count against the quota
    listed = await user.http_client.get(f'{premium.base}/contacts/{rossi["id"]}/attachments',
                                        headers=premium.owner.auth)
    assert [a['id'] for a in listed.json()] == [body['id']]


async def test_google_drive_files_open_through_rubrica(clouds, premium, rossi, user: User):
    await connect(user, clouds, 'google_drive')
    pdf = (await link(user, premium, rossi, 'google_drive', 'drive-pdf')).json()
    assert pdf['web_link'] == f'{clouds.base}/drive-view/drive-pdf'
    # the bytes are streamed through with the linking account, safely
    opened = await open_attachment(user, premium, pdf)
    assert opened.status_code == 200 and opened.content == PDF
    assert opened.headers['content-disposition'].startswith('attachment;')
    assert 'drive media drive-pdf' in clouds.calls

    # a file larger than one chunk arrives whole, a chunk (a ranged request) at a time
    big = os.urandom(2 * 1024 * 1024 + 12345)
    clouds.add_drive_file('drive-big', 'Archive.zip', big, mime='application/zip')
    streamed = await open_attachment(user, premium, (await link(user, premium, rossi, 'google_drive',
                                                                'drive-big')).json())
    assert streamed.status_code == 200 and streamed.content == big
    assert streamed.headers['content-type'] == 'application/zip'
    assert clouds.calls.count('drive media drive-big') == 3

    # a Google document opens in Google's editor
    redirected = await open_attachment(user, premium, (await link(user, premium, rossi, 'google_drive',
                                                                  'drive-doc')).json())
    assert redirected.status_code == 303
    assert redirected.headers['location'] == f'{clouds.base}/drive-view/drive-doc'

    missing = await link(user, premium, rossi, 'google_drive', 'no-such-file')
    assert missing.status_code == 422 and missing.json()['detail'][0]['field'] == 'file_id'


async def test_dropbox_files_open_at_a_temporary_link(clouds, premium, rossi, user: User):
    await connect(user, clouds, 'dropbox')
    opened = await open_attachment(user, premium, (await link(user, premium, rossi, 'dropbox', 'id:pdf1')).json())
    assert opened.status_code == 303  # to a fresh temporary link from Dropbox
    assert opened.headers['location'] == f'{clouds.base}/dropbox-content/id:pdf1'
    assert httpx.get(opened.headers['location']).content == PDF


# ------------------------------------------------------------------ expiry and revocation

@pytest.mark.parametrize('provider', PROVIDERS)
async def test_an_expired_access_token_is_refreshed_and_kept(clouds, premium, user: User, provider):
    from models.files import cloud
    from models.access import membership

    await connect(user, clouds, provider)
    account = await account_row(provider)
    first_sealed = account.tokens
    # the access token has expired: at the provider, and by the clock we keep
    (clouds.google if provider == 'google_drive' else clouds.dropbox).expire_access_tokens()
    await CloudAccount.filter(id=account.id).update(expires_at=datetime.now(timezone.utc) - timedelta(minutes=5))
    services = app.state.integrations
    sealed = cloud.unseal(services.secret, first_sealed)
    sealed.expires_at = datetime.now(timezone.utc) - timedelta(minutes=5)
    await CloudAccount.filter(id=account.id).update(tokens=cloud.seal(services.secret, sealed))

    actor = await membership(premium.owner.user, premium.id)
    entries = await cloud.browse(actor=actor, provider=provider, folder_id=None, integrations=services)
    assert entries  # the call worked with a new access token
    assert f'{provider.split("_")[0]} token refresh_token' in clouds.calls
    refreshed = await account_row(provider)
    assert refreshed.status == 'connected'
    assert refreshed.expires_at > datetime.now(timezone.utc)
    new_tokens = cloud.unseal(services.secret, refreshed.tokens)
    assert new_tokens.access_token != sealed.access_token
    assert new_tokens.refresh_token == sealed.refresh_token


@pytest.mark.parametrize('provider', PROVIDERS)
async def test_a_revoked_token_asks_the_user_to_reconnect(clouds, premium, rossi, user: User, provider):
    await connect(user, clouds, provider)
    (clouds.google if provider == 'google_drive' else clouds.dropbox).revoke_everything()
    response = await link(user, premium, rossi, provider, HELD[provider].pdf)
    assert response.status_code == 403
    assert 'reconnect' in response.json()['detail']
    assert (await account_row(provider)).status == 'revoked'

    await user.open('/settings')
    await user.should_see(marker=['cloud-revoked', f'cloud-{provider}-status'], retries=50)
    await user.should_see('Reconnect', marker=f'cloud-{provider}-connect')
    await connect(user, clouds, provider)  # reconnecting works again
    assert (await account_row(provider)).status == 'connected'


async def test_files_linked_by_a_disconnected_account_open_at_the_provider(clouds, premium, rossi, user: User):
    await connect(user, clouds, 'google_drive')
    linked = (await link(user, premium, rossi, 'google_drive', 'drive-pdf')).json()
    await CloudAccount.filter(provider='google_drive').delete()
    opened = await open_attachment(user, premium, linked)
    assert opened.status_code == 303 and opened.headers['location'] == f'{clouds.base}/drive-view/drive-pdf'


# ------------------------------------------------------------------ tokens at rest

async def test_no_token_can_be_read_in_clear_from_the_database(clouds, premium, user: User, rubrica_env: Path):
    for provider in PROVIDERS:
        await connect(user, clouds, provider)
    issued = set(clouds.google.access) | clouds.google.refresh | set(clouds.dropbox.access) | clouds.dropbox.refresh
    assert len(issued) == 4
    if on_postgres():
        import asyncpg
        connection = await asyncpg.connect(os.environ['RUBRICA_DATABASE_URL'])
        try:
            rows = await connection.fetch('SELECT * FROM cloud_accounts')
        finally:
            await connection.close()
        stored = repr([dict(r) for r in rows]).encode()
    else:
        from tortoise import connections
        await connections.get('default').execute_script('PRAGMA wal_checkpoint(FULL)')
        stored = b''.join(p.read_bytes() for p in rubrica_env.glob('rubrica.sqlite3*'))
    assert b'cloud_accounts' in stored or on_postgres()
    for token in issued:
        assert token.encode() not in stored
        assert token[3:15].encode() not in stored  # not even a part of one
    # the ciphertext is there, and it is Fernet's
    account = await account_row('dropbox')
    assert account.tokens.startswith('gAAAAA') and account.tokens.encode() in stored


# ------------------------------------------------------------------ the picker on the card's Attachments tab

async def test_the_picker_browses_searches_and_attaches(clouds, premium, rossi, user: User):
    mount_attachments_page()
    page = f'/test-attachments/contact/{rossi["id"]}'
    await user.open(page)
    await user.should_see(marker='no-attachments', retries=50)
    await user.should_not_see(marker='picker-google_drive')  # nothing connected yet

    await connect(user, clouds, 'google_drive')
    await user.open(page)
    await user.should_see(marker='no-attachments', retries=50)
    user.find(marker='picker-google_drive').click()
    await user.should_see(marker='picker-folder-folder-1', retries=50)
    await user.should_see('Top level.txt')
    user.find(marker='picker-folder-folder-1').click()
    await user.should_see(marker='picker-attach-drive-pdf', retries=50)
    await user.should_not_see('Top level.txt')
    user.find(marker='picker-crumb-0').click()  # back to the top
    await user.should_see('Top level.txt', retries=50)
    user.find(marker='picker-query').type('quarterly')
    user.find(marker='picker-search').click()
    await user.should_see('Files matching “quarterly”', retries=50)
    await user.should_not_see('Top level.txt')
    user.find(marker='picker-attach-drive-pdf').click()
    await user.should_see(marker='attachment-row', retries=50)
    await user.should_not_see(marker='picker-list')  # the picker closed
    attachment = await Attachment.get(source='google_drive')
    await user.should_see('Google Drive', marker=f'attachment-details-{attachment.id}')
    assert (attachment.storage_key, attachment.size) == ('drive-pdf', len(PDF))
    assert (await Organization.get(id=premium.id)).storage_used == 0

    # when Google stops accepting the account, the tab says so instead of offering the picker
    clouds.google.revoke_everything()
    user.find(marker='picker-google_drive').click()
    await user.should_see(marker='picker-error', retries=50)
    await user.should_see('reconnect', marker='picker-error')
    await user.open(page)
    await user.should_see(marker='picker-google_drive-reconnect', retries=50)


async def test_an_italian_reader_connects_in_italian(clouds, premium, user: User):
    premium.owner.user.language = 'it'
    await premium.owner.user.save(update_fields=['language'])
    await user.open('/settings')
    await user.should_see('Account cloud', retries=50)
    await user.should_see('Non collegato', marker='cloud-dropbox-status')
    await connect(user, clouds, 'dropbox')
    await user.should_see('Dropbox è collegato', marker='cloud-message')  # said by the callback, shown by Settings
    await user.should_see('Collegato dal', marker='cloud-dropbox-status')
    user.find(marker='cloud-dropbox-disconnect').click()
    await user.should_see('Scollegato')
