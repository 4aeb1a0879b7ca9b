"""Accounts and tokens, as docs/api.md and the OpenAPI schema describe them; names with control characters are refused."""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import httpx
import pytest

from models.accounts.service import CLIENT_ATTEMPTS_ALLOWED, LOGIN_FAILURES_ALLOWED
from tests.helpers import PASSWORD, make_user, token_for


async def test_sign_up_returns_the_account(client):
    response = await client.post('/api/v1/users', json={'email': 'Ada@Example.com', 'password': 'long enough',
                                                        'name': 'Ada Lovelace'})
    assert response.status_code == 201
    body = response.json()
    assert body == {'id': body['id'], 'email': 'ada@example.com', 'name': 'Ada Lovelace'}


async def test_sign_up_with_an_existing_email_is_a_conflict(client):
    await make_user(email='taken@example.com')
    response = await client.post('/api/v1/users', json={'email': 'TAKEN@example.com', 'password': 'long enough',
                                                        'name': 'Other'})
    assert response.status_code == 409


async def test_sign_up_names_every_bad_field(client):
    response = await client.post('/api/v1/users', json={'email': 'not an email', 'password': 'short', 'name': ' '})
    assert response.status_code == 422
    fields = {error['field'] for error in response.json()['detail']}
    assert fields == {'email', 'password', 'name'}


async def test_sign_up_refuses_unknown_and_missing_fields(client):
    response = await client.post('/api/v1/users', json={'email': 'a@example.com', 'password': 'long enough',
                                                        'name': 'A', 'is_admin': True})
    assert response.status_code == 422
    assert any('is_admin' in error['loc'] for error in response.json()['detail'])
    response = await client.post('/api/v1/users', json={'email': 'a@example.com', 'name': 'A'})
    assert response.status_code == 422
    assert any('password' in error['loc'] for error in response.json()['detail'])


@pytest.fixture
def invite_only(monkeypatch):
    monkeypatch.setenv('RUBRICA_SIGNUP', 'invite')


async def test_invite_only_sign_up(invite_only, client, make_org):
    response = await client.post('/api/v1/users', json={'email': 'stranger@example.com', 'password': 'long enough',
                                                        'name': 'Stranger'})
    assert response.status_code == 403

    team = await make_org(tokens=True)
    await client.post(f'{team.base}/members', json={'email': 'guest@example.com', 'role': 'guest'},
                      headers=team.owner.auth)
    response = await client.post('/api/v1/users', json={'email': 'guest@example.com', 'password': 'long enough',
                                                        'name': 'Invited'})
    assert response.status_code == 201


async def test_token_for_a_good_pair_and_401_for_a_bad_one(client):
    await make_user(email='tok@example.com')
    response = await client.post('/api/v1/tokens', json={'email': 'tok@example.com', 'password': PASSWORD})
    assert response.status_code == 201
    token = response.json()['token']
    me = await client.get('/api/v1/me', headers={'Authorization': f'Bearer {token}'})
    assert me.status_code == 200 and me.json()['email'] == 'tok@example.com'

    wrong = await client.post('/api/v1/tokens', json={'email': 'tok@example.com', 'password': 'wrong password'})
    assert wrong.status_code == 401
    unknown = await client.post('/api/v1/tokens', json={'email': 'nobody@example.com', 'password': PASSWORD})
    assert unknown.status_code == 401


async def test_repeated_failures_for_one_email_are_slowed_down(client):
    await make_user(email='target@example.com')
    for _ in range(5):
        response = await client.post('/api/v1/tokens', json={'email': 'target@example.com', 'password': 'guess 1234'})
        assert response.status_code == 401
    response = await client.post('/api/v1/tokens', json={'email': 'target@example.com', 'password': PASSWORD})
    assert response.status_code == 429
    assert int(response.headers['Retry-After']) > 0
    other = await make_user(email='other@example.com')
    assert (await client.post('/api/v1/tokens', json={'email': other.email, 'password': PASSWORD})).status_code == 201


@asynccontextmanager
async def from_address(host: str):
    """A client of the same app whose requests come from this address (request.client.host)."""
    from nicegui import core

    transport = httpx.ASGITransport(app=core.app, raise_app_exceptions=False, client=(host, 40000))
    async with httpx.AsyncClient(transport=transport, base_url='http://test') as http:
        yield http


def statuses(responses) -> list[int]:
    return sorted(response.status_code for response in responses)


async def test_concurrent_wrong_passwords_for_one_email_are_checked_at_most_five_times(client):
    """Thirty guesses at once, from thirty addresses (so only the per-email limit applies): a slot is taken before
    hashing, so at most five passwords are ever checked; the rest are 429 with Retry-After."""
    await make_user(email='target@example.com')

    async def guess(i: int) -> httpx.Response:
        async with from_address(f'10.0.0.{i + 1}') as http:
            return await http.post('/api/v1/tokens', json={'email': 'target@example.com', 'password': f'guess {i:04}'})

    responses = await asyncio.gather(*(guess(i) for i in range(30)))
    found = statuses(responses)
    assert set(found) <= {401, 429}, found
    checked = found.count(401)
    assert checked <= LOGIN_FAILURES_ALLOWED, found
    assert all(int(r.headers['Retry-After']) > 0 for r in responses if r.status_code == 429)

    # a refused guess took nothing: the email has exactly the rest of its five, then 429 (even for the right password)
    async with from_address('10.0.1.1') as http:
        for i in range(LOGIN_FAILURES_ALLOWED - checked):
            late = await http.post('/api/v1/tokens', json={'email': 'target@example.com', 'password': f'late {i:04}'})
            assert late.status_code == 401
        right = await http.post('/api/v1/tokens', json={'email': 'target@example.com', 'password': PASSWORD})
        assert right.status_code == 429


async def test_concurrent_attempts_from_one_address_are_checked_at_most_twenty_times(client):
    """Thirty log-ins at once from one address, each for another email: at most twenty passwords are hashed."""
    responses = await asyncio.gather(*(client.post('/api/v1/tokens', json={'email': f'nobody{i}@example.com',
                                                                           'password': 'guess 1234'})
                                       for i in range(30)))
    found = statuses(responses)
    assert set(found) <= {401, 429}, found
    assert found.count(401) <= CLIENT_ATTEMPTS_ALLOWED, found


async def test_log_ins_and_sign_ups_share_one_allowance_per_client_address(client):
    person = await make_user(email='known@example.com')
    for _ in range(CLIENT_ATTEMPTS_ALLOWED - 2):  # probing for accounts through sign-up counts too
        taken = await client.post('/api/v1/users', json={'email': person.email, 'password': 'long enough',
                                                         'name': 'Probe'})
        assert taken.status_code == 409
    wrong = await client.post('/api/v1/tokens', json={'email': 'nobody@example.com', 'password': 'guess 1234'})
    assert wrong.status_code == 401
    signed_up = await client.post('/api/v1/users', json={'email': 'new@example.com', 'password': 'long enough',
                                                         'name': 'New'})
    assert signed_up.status_code == 201  # the twentieth hash of this address in the minute

    refused = await client.post('/api/v1/users', json={'email': 'other@example.com', 'password': 'long enough',
                                                       'name': 'Other'})
    assert refused.status_code == 429 and int(refused.headers['Retry-After']) > 0
    assert 'from your network' in refused.json()['detail']
    refused = await client.post('/api/v1/tokens', json={'email': person.email, 'password': PASSWORD})
    assert refused.status_code == 429

    async with from_address('192.0.2.7') as elsewhere:  # another address has its own allowance
        assert (await elsewhere.post('/api/v1/tokens', json={'email': person.email, 'password': PASSWORD})) \
            .status_code == 201


async def test_me_lists_organizations_with_roles(client, make_org):
    team = await make_org('Acme', owner='Olga', guests=['Gus'], tokens=True)
    me = (await client.get('/api/v1/me', headers=team.guest.auth)).json()
    assert me == {'id': team.guest.id, 'email': team.guest.email, 'name': 'Gus', 'email_verified': True,
                  'organizations': [{'id': team.id, 'name': 'Acme', 'role': 'guest'}]}


async def test_missing_unknown_and_revoked_tokens_are_401(client):
    assert (await client.get('/api/v1/me')).status_code == 401
    assert (await client.get('/api/v1/me', headers={'Authorization': 'Bearer rbk_nonsense'})).status_code == 401
    assert (await client.get('/api/v1/me', headers={'Authorization': 'Basic abc'})).status_code == 401
    person = await make_user()
    headers = await token_for(person)
    tokens = (await client.get('/api/v1/tokens', headers=headers)).json()
    assert len(tokens) == 1 and 'token' not in tokens[0]
    assert (await client.delete(f'/api/v1/tokens/{tokens[0]["id"]}', headers=headers)).status_code == 204
    assert (await client.get('/api/v1/me', headers=headers)).status_code == 401


async def test_tokens_are_stored_hashed(client):
    from models.accounts.tables import ApiToken

    person = await make_user()
    response = await client.post('/api/v1/tokens', json={'email': person.email, 'password': PASSWORD})
    raw = response.json()['token']
    stored = await ApiToken.all().values_list('token_hash', flat=True)
    assert raw not in stored and len(stored) == 1 and len(stored[0]) == 64


async def test_a_json_body_over_one_mib_is_413(client):
    response = await client.post('/api/v1/users', content=b'{"name": "' + b'x' * (1024 * 1024 + 10) + b'"}',
                                 headers={'content-type': 'application/json'})
    assert response.status_code == 413

    async def chunks():  # no Content-Length: counted as it arrives
        yield b'{"name": "'
        for _ in range(20):
            yield b'x' * 65536
        yield b'"}'
    response = await client.post('/api/v1/users', content=chunks(), headers={'content-type': 'application/json'})
    assert response.status_code == 413


async def test_an_account_or_organization_name_with_controls_is_refused(client):
    response = await client.post('/api/v1/users', json={'email': 'rlo@example.com', 'password': 'long enough',
                                                        'name': 'Admin\u202e'})
    assert response.status_code == 422 and response.json()['detail'][0]['field'] == 'name'
    headers = await token_for(await make_user())
    response = await client.post('/api/v1/orgs', json={'name': 'Acme\x1b[5m'}, headers=headers)
    assert response.status_code == 422 and response.json()['detail'][0]['field'] == 'name'
