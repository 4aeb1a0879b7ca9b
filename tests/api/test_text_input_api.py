"""Names with control or text-direction characters are refused through the API (422 naming the field); invisible
characters are dropped; a description keeps its lines."""
from __future__ import annotations

from tests.helpers import make_user, token_for


async def test_a_contact_name_with_an_escape_or_a_direction_override_is_refused(client, make_org):
    team = await make_org(tokens=True)
    headers, base = team.owner.auth, team.base
    response = await client.post(f'{base}/contacts', headers=headers,
                                 json={'first_name': 'Ada\x1b[2J', 'last_name': 'Love\u202elace'})
    assert response.status_code == 422
    assert {e['field']: e['msg'] for e in response.json()['detail']} == {
        'first_name': 'must not contain control characters (U+001B)',
        'last_name': 'must not contain characters that override the text direction (U+202E)'}

    response = await client.post(f'{base}/contacts', headers=headers, json={
        'first_name': 'A\u200bda', 'last_name': 'Lovelace', 'description': 'Line one\n\tLine two'})
    assert response.status_code == 201
    assert (response.json()['first_name'], response.json()['description']) == ('Ada', 'Line one\n\tLine two')

    response = await client.post(f'{base}/companies', headers=headers, json={'name': 'Acme\x85Srl'})
    assert response.status_code == 422 and response.json()['detail'][0]['field'] == 'name'


async def test_an_account_or_organization_name_with_controls_is_refused(client):
    response = await client.post('/api/v1/users', json={'email': 'rlo@example.com', 'password': 'long enough',
                                                        'name': 'Admin\u202e'})
    assert response.status_code == 422 and response.json()['detail'][0]['field'] == 'name'
    headers = await token_for(await make_user())
    response = await client.post('/api/v1/orgs', json={'name': 'Acme\x1b[5m'}, headers=headers)
    assert response.status_code == 422 and response.json()['detail'][0]['field'] == 'name'
