"""Organizations and members, as docs/api.md and the OpenAPI schema describe them, status codes included."""
from __future__ import annotations

import pytest

from models.orgs.service import DEFAULT_OPTIONS
from tests.helpers import make_user, token_for


async def test_create_organization(client):
    headers = await token_for(await make_user())
    response = await client.post('/api/v1/orgs', json={'name': 'Rossi Srl'}, headers=headers)
    assert response.status_code == 201
    body = response.json()
    assert body == {'id': body['id'], 'name': 'Rossi Srl', 'country': 'IT', 'plan': 'free', 'role': 'owner'}
    response = await client.post('/api/v1/orgs', json={'name': 'Dupont SA', 'country': 'fr'}, headers=headers)
    assert response.json()['country'] == 'FR'


@pytest.mark.parametrize(('language', 'types', 'sector'), [
    ('it-IT', ['Cliente', 'Fornitore', 'Partner', 'Lead'], 'Energia'),
    ('fr-FR', ['Client', 'Fournisseur', 'Partenaire', 'Prospect'], 'Énergie'),
    ('de-DE', ['Client', 'Supplier', 'Partner', 'Lead'], 'Energy')])
async def test_a_new_organizations_lists_are_in_its_creators_language(client, language, types, sector):
    headers = await token_for(await make_user())
    made = await client.post('/api/v1/orgs', json={'name': 'Rossi Srl'}, headers=headers | {'Accept-Language': language})
    options = (await client.get(f'/api/v1/orgs/{made.json()["id"]}/options', headers=headers)).json()
    assert options['contact_types'] == types and options['company_types'] == types and options['sectors'][0] == sector


async def test_create_organization_validates(client):
    headers = await token_for(await make_user())
    response = await client.post('/api/v1/orgs', json={'name': '', 'country': 'XX'}, headers=headers)
    assert response.status_code == 422
    assert {e['field'] for e in response.json()['detail']} == {'name', 'country'}
    assert (await client.post('/api/v1/orgs', json={'name': 'x' * 201}, headers=headers)).status_code == 422
    assert (await client.post('/api/v1/orgs', json={'name': 'A'})).status_code == 401


async def test_list_and_get_organizations(client, acme):
    listed = (await client.get('/api/v1/orgs', headers=acme.member.auth)).json()
    assert listed == [{'id': acme.id, 'name': 'Acme', 'plan': 'free', 'role': 'member'}]
    detail = (await client.get(f'/api/v1/orgs/{acme.id}', headers=acme.guest.auth)).json()
    assert detail == {'id': acme.id, 'name': 'Acme', 'country': 'IT', 'plan': 'free', 'role': 'guest',
                      'storage_used': 0, 'storage_quota': 104_857_600}


async def test_an_organization_one_is_not_in_does_not_exist(client, acme, elsewhere):
    assert (await client.get(f'/api/v1/orgs/{acme.id}', headers=elsewhere.owner.auth)).status_code == 404
    assert (await client.get('/api/v1/orgs/999999', headers=acme.owner.auth)).status_code == 404
    assert (await client.get(f'/api/v1/orgs/{acme.id}/members', headers=elsewhere.owner.auth)).status_code == 404
    assert (await client.get(f'/api/v1/orgs/{acme.id}')).status_code == 401


async def test_members_are_listed_for_owners_and_members_only(client, acme):
    members = (await client.get(f'/api/v1/orgs/{acme.id}/members', headers=acme.member.auth)).json()
    assert {(m['name'], m['role']) for m in members} == {
        ('Olga Owner', 'owner'), ('Mario Member', 'member'), ('Tina Other', 'member'), ('Gus Guest', 'guest')}
    assert set(members[0]) >= {'user_id', 'name', 'email', 'role'}
    assert (await client.get(f'/api/v1/orgs/{acme.id}/members', headers=acme.guest.auth)).status_code == 403


async def test_owner_adds_an_existing_account_at_once(client, acme, elsewhere):
    response = await client.post(f'/api/v1/orgs/{acme.id}/members',
                                 json={'email': elsewhere.owner.email, 'role': 'member'}, headers=acme.owner.auth)
    assert response.status_code == 201
    assert response.json()['status'] == 'active' and response.json()['user_id'] == elsewhere.owner.id
    assert (await client.get(f'/api/v1/orgs/{acme.id}', headers=elsewhere.owner.auth)).json()['role'] == 'member'
    again = await client.post(f'/api/v1/orgs/{acme.id}/members',
                              json={'email': elsewhere.owner.email, 'role': 'member'}, headers=acme.owner.auth)
    assert again.status_code == 409


async def test_an_unknown_email_is_invited_and_joins_at_sign_up(client, acme):
    response = await client.post(f'/api/v1/orgs/{acme.id}/members',
                                 json={'email': 'New.Person@Example.com', 'role': 'guest'}, headers=acme.owner.auth)
    assert response.status_code == 201 and response.json()['status'] == 'invited'
    pending = (await client.get(f'/api/v1/orgs/{acme.id}/invitations', headers=acme.owner.auth)).json()
    assert [i['email'] for i in pending] == ['new.person@example.com']

    await client.post('/api/v1/users', json={'email': 'new.person@example.com', 'password': 'long enough',
                                             'name': 'Newcomer'})
    token = (await client.post('/api/v1/tokens', json={'email': 'new.person@example.com',
                                                       'password': 'long enough'})).json()['token']
    me = (await client.get('/api/v1/me', headers={'Authorization': f'Bearer {token}'})).json()
    assert me['organizations'] == [{'id': acme.id, 'name': 'Acme', 'role': 'guest'}]
    assert (await client.get(f'/api/v1/orgs/{acme.id}/invitations', headers=acme.owner.auth)).json() == []


async def test_only_owners_manage_members(client, acme):
    base = f'/api/v1/orgs/{acme.id}/members'
    for who in (acme.member, acme.guest):
        assert (await client.post(base, json={'email': 'x@example.com', 'role': 'member'},
                                  headers=who.auth)).status_code == 403
        assert (await client.patch(f'{base}/{acme.guest.id}', json={'role': 'member'},
                                   headers=who.auth)).status_code == 403
        assert (await client.delete(f'{base}/{acme.guest.id}', headers=who.auth)).status_code == 403
    assert (await client.post(base, json={'email': 'x@example.com', 'role': 'boss'},
                              headers=acme.owner.auth)).status_code == 422


async def test_a_role_change_from_a_guest_or_member_is_403_whatever_the_value(client, acme):
    """The caller's role is checked before the value: a guest learns nothing about valid roles from a 422."""
    members = f'/api/v1/orgs/{acme.id}/members'
    for caller in (acme.guest, acme.member):
        for role in ('superuser', '', 'guest'):
            response = await client.patch(f'{members}/{acme.owner.id}', json={'role': role}, headers=caller.auth)
            assert response.status_code == 403, (caller.name, role, response.text)
    response = await client.patch(f'{members}/{acme.member.id}', json={'role': 'superuser'},
                                  headers=acme.owner.auth)
    assert response.status_code == 422  # the owner may change roles: told what is wrong with the value


async def test_owner_changes_roles_and_removes_members(client, acme, elsewhere):
    base = f'/api/v1/orgs/{acme.id}/members'
    response = await client.patch(f'{base}/{acme.guest.id}', json={'role': 'member'}, headers=acme.owner.auth)
    assert response.status_code == 200 and response.json()['role'] == 'member'
    assert (await client.delete(f'{base}/{acme.guest.id}', headers=acme.owner.auth)).status_code == 204
    assert (await client.get(f'/api/v1/orgs/{acme.id}', headers=acme.guest.auth)).status_code == 404
    assert (await client.patch(f'{base}/{elsewhere.owner.id}', json={'role': 'member'},
                               headers=acme.owner.auth)).status_code == 404


async def test_the_last_owner_can_be_neither_demoted_nor_removed(client, acme):
    base = f'/api/v1/orgs/{acme.id}/members'
    owner_id = acme.owner.id
    assert (await client.patch(f'{base}/{owner_id}', json={'role': 'member'},
                               headers=acme.owner.auth)).status_code == 409
    assert (await client.delete(f'{base}/{owner_id}', headers=acme.owner.auth)).status_code == 409
    # with a second owner, the first may step down
    await client.patch(f'{base}/{acme.member.id}', json={'role': 'owner'}, headers=acme.owner.auth)
    assert (await client.patch(f'{base}/{owner_id}', json={'role': 'member'},
                               headers=acme.owner.auth)).status_code == 200
    assert (await client.delete(f'{base}/{acme.member.id}', headers=acme.member.auth)).status_code == 409


async def test_option_lists(client, acme, elsewhere):
    base = f'/api/v1/orgs/{acme.id}/options'
    assert (await client.get(base, headers=acme.member.auth)).json() == DEFAULT_OPTIONS
    response = await client.put(f'{base}/sectors', json=['ICT', 'Energy', 'Agriculture'], headers=acme.member.auth)
    assert response.status_code == 200 and response.json() == ['ICT', 'Energy', 'Agriculture']
    assert (await client.get(base, headers=acme.owner.auth)).json()['sectors'] == ['ICT', 'Energy', 'Agriculture']
    assert (await client.put(f'{base}/sectors', json=['ICT'], headers=acme.guest.auth)).status_code == 403
    assert (await client.put(f'{base}/colours', json=['Red'], headers=acme.owner.auth)).status_code == 404
    duplicate = await client.put(f'{base}/sectors', json=['ICT', 'ict'], headers=acme.owner.auth)
    assert duplicate.status_code == 422 and duplicate.json()['detail'][0]['field'] == 'sectors[1]'
    assert (await client.put(f'{base}/sectors', json=['ok', ''], headers=acme.owner.auth)).status_code == 422
    assert (await client.put(f'{base}/sectors', json={'a': 1}, headers=acme.owner.auth)).status_code == 422
    assert (await client.get(base, headers=elsewhere.owner.auth)).status_code == 404


async def test_removing_an_option_in_use_moves_its_records(client, acme):
    base = f'/api/v1/orgs/{acme.id}'
    made = await client.post(f'{base}/contacts', json={'last_name': 'Rossi', 'type': 'Lead'}, headers=acme.owner.auth)
    usage = await client.get(f'{base}/options/contact_types/usage', headers=acme.member.auth)
    assert usage.status_code == 200 and usage.json() == {'Client': 0, 'Supplier': 0, 'Partner': 0, 'Lead': 1}
    refused = await client.post(f'{base}/options/contact_types/remove', json={'name': 'Lead', 'move_to': 'Lead'},
                                headers=acme.owner.auth)
    assert refused.status_code == 422 and refused.json()['detail'][0]['field'] == 'move_to'
    assert (await client.post(f'{base}/options/contact_types/remove', json={'name': 'Lead'},
                              headers=acme.guest.auth)).status_code == 403
    done = await client.post(f'{base}/options/contact_types/remove', json={'name': 'Lead', 'move_to': 'Client'},
                             headers=acme.member.auth)
    assert done.status_code == 200
    assert done.json() == {'list': ['Client', 'Supplier', 'Partner'], 'moved': {'contact': 1}}
    contact = (await client.get(f'{base}/contacts/{made.json()["id"]}', headers=acme.owner.auth)).json()
    assert (contact['type'], contact['version']) == ('Client', 2)
