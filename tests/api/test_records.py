"""Contacts and companies through the API: every field, validation (names with control or text-direction characters
included), stale saves, deletes."""
from __future__ import annotations

import pytest

from tests.helpers import VALID_IVA, make_user

VALID_CF = 'RSSMRA85T10A562S'


def every_contact_field(acme, company_id: int) -> dict:
    return {
        'first_name': 'André', 'last_name': 'Müller', 'type': 'Client', 'role': 'Marketing Manager',
        'company_id': company_id, 'description': f'Met at the fair with {acme.other.mention}',
        'emails': ['andre@example.com', 'Andre.Muller@Example.IT'], 'pec': 'andre@pec.example.it',
        'phones': ['02 1234 5678', '+33 1 42 68 53 00', '347 123 4567'],
        'addresses': [{'street': 'Via Roma 1', 'city': 'Milano', 'postal_code': '20121', 'province': 'MI',
                       'country': 'it'},
                      {'street': '1 Rue de Rivoli', 'city': 'Paris', 'postal_code': '75001', 'province': '',
                       'country': 'FR'}],
        'vat_number': 'rss mra 85t10 a562s', 'visibility': 'private',
    }


async def new_contact(client, acme, **fields) -> dict:
    """A contact the first member creates through the API."""
    response = await client.post(f'{acme.base}/contacts', json=fields, headers=acme.member.auth)
    assert response.status_code == 201, response.text
    return response.json()


async def change(client, acme, person, contact: dict, **fields):
    """`person` changes these fields of the contact through the API: the response."""
    return await client.patch(f'{acme.base}/contacts/{contact["id"]}', json=fields, headers=person.auth)


async def test_a_contact_keeps_every_field(client, acme):
    company = (await client.post(f'{acme.base}/companies', json={'name': 'Müller GmbH'},
                                 headers=acme.member.auth)).json()
    response = await client.post(f'{acme.base}/contacts', json=every_contact_field(acme, company['id']),
                                 headers=acme.member.auth)
    assert response.status_code == 201, response.text
    contact = response.json()
    assert contact['first_name'] == 'André' and contact['last_name'] == 'Müller'
    assert (contact['type'], contact['role']) == ('Client', 'Marketing Manager')
    assert contact['company'] == {'id': company['id'], 'name': 'Müller GmbH'}
    assert contact['emails'] == ['andre@example.com', 'Andre.Muller@example.it']
    assert contact['pec'] == 'andre@pec.example.it'
    assert contact['phones'] == ['+390212345678', '+33142685300', '+393471234567']
    assert contact['addresses'][0] == {'street': 'Via Roma 1', 'city': 'Milano', 'postal_code': '20121',
                                       'province': 'MI', 'country': 'IT'}
    assert contact['vat_number'] == VALID_CF
    assert contact['visibility'] == 'private'
    assert contact['mentions'] == [acme.other.id]
    assert contact['version'] == 1 and contact['created_by'] == acme.member.id
    assert set(contact) >= {'id', 'created_at', 'updated_at'}
    fetched = (await client.get(f'{acme.base}/contacts/{contact["id"]}', headers=acme.member.auth)).json()
    assert fetched == contact


async def test_a_contact_field_can_be_changed_and_cleared(client, acme):
    contact = await new_contact(client, acme, **every_contact_field(acme, None))
    changed = await change(client, acme, acme.member, contact, version=1, first_name='Andrea', type='Lead',
                           emails=['new@example.com'], phones=['+39 06 1234567'], addresses=[{'city': 'Roma'}],
                           vat_number=VALID_IVA, pec='', company_name='New Co')
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body['first_name'], body['type'], body['emails'], body['phones']) == \
        ('Andrea', 'Lead', ['new@example.com'], ['+39061234567'])
    assert body['addresses'] == [{'street': '', 'city': 'Roma', 'postal_code': '', 'province': '', 'country': ''}]
    assert (body['vat_number'], body['pec'], body['company']['name'], body['version']) == (VALID_IVA, '', 'New Co', 2)
    assert body['last_name'] == 'Müller'  # untouched fields stay

    cleared = await change(client, acme, acme.member, contact, version=2, type=None, role='', company_id=None,
                           description='', emails=[], phones=None, addresses=[], vat_number=None)
    body = cleared.json()
    assert cleared.status_code == 200
    assert (body['type'], body['role'], body['company'], body['description'], body['emails'], body['phones'],
            body['addresses'], body['vat_number'], body['mentions']) == ('', '', None, '', [], [], [], '', [])


async def test_a_company_keeps_every_field(client, acme):
    response = await client.post(f'{acme.base}/companies', headers=acme.owner.auth, json={
        'name': 'Rossi Impianti Srl', 'type': 'Supplier', 'sector': 'Energy',
        'description': f'Ask @[Mario](user:{acme.member.id})', 'emails': ['info@rossi.it'],
        'pec': 'rossi@pec.it', 'phones': ['0612345678'], 'addresses': [{'city': 'Roma', 'country': 'IT'}],
        'vat_number': f'IT{VALID_IVA}', 'visibility': 'public'})
    assert response.status_code == 201, response.text
    company = response.json()
    assert (company['name'], company['type'], company['sector']) == ('Rossi Impianti Srl', 'Supplier', 'Energy')
    assert (company['phones'], company['vat_number'], company['mentions']) == \
        (['+390612345678'], f'IT{VALID_IVA}', [acme.member.id])
    changed = await client.patch(f'{acme.base}/companies/{company["id"]}', headers=acme.owner.auth,
                                 json={'version': 1, 'sector': None, 'name': 'Rossi Spa', 'emails': []})
    assert (changed.json()['sector'], changed.json()['name'], changed.json()['emails']) == ('', 'Rossi Spa', [])


@pytest.mark.parametrize('field, value', [
    ('emails', ['not-an-email']),
    ('emails', ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com']),
    ('emails', ['a@example.com', 'A@example.com']),
    ('pec', 'pec at example'),
    ('phones', ['12']),
    ('phones', ['02 1234 5678', '02 1234 5679', '02 1234 5670', '02 1234 5671']),
    ('addresses', [{'city': 'Roma', 'country': 'Italy'}]),
    ('addresses', [{'town': 'Roma'}]),
    ('vat_number', '01234567890'),
    ('vat_number', 'RSSMRA85T10A562X'),
    ('vat_number', 'FR12345678901'),
    ('type', 'Alien'),
    ('role', 'Emperor'),
    ('company_id', 999999),
    ('description', '@[Nobody](user:999999)'),
    ('visibility', 'secret'),
    ('first_name', 'x' * 201),
    ('description', 'x' * 20_001),
])
async def test_each_validated_field_names_itself(client, acme, field, value):
    body = {'last_name': 'Rossi', field: value}
    response = await client.post(f'{acme.base}/contacts', json=body, headers=acme.member.auth)
    assert response.status_code == 422, response.text
    named = {error['loc'][1] if error['loc'][0] == 'body' else error['loc'][0] for error in response.json()['detail']}
    assert field in named
    assert (await client.get(f'{acme.base}/contacts', headers=acme.member.auth)).json()['total'] == 0


async def test_a_contact_needs_a_name_and_a_company_needs_its_name(client, acme):
    response = await client.post(f'{acme.base}/contacts', json={'emails': ['a@example.com']},
                                 headers=acme.member.auth)
    assert response.status_code == 422 and response.json()['detail'][0]['field'] == 'last_name'
    response = await client.post(f'{acme.base}/companies', json={'sector': 'ICT'}, headers=acme.member.auth)
    assert response.status_code == 422 and response.json()['detail'][0]['field'] == 'name'
    response = await client.post(f'{acme.base}/companies', json={'name': 'X', 'sector': 'Fishing'},
                                 headers=acme.member.auth)
    assert response.status_code == 422 and response.json()['detail'][0]['field'] == 'sector'


async def test_mentioning_a_guest_or_a_stranger_is_refused(client, acme):
    stranger = await make_user()
    for person in (acme.guest, stranger):
        response = await client.post(f'{acme.base}/contacts', headers=acme.member.auth,
                                     json={'last_name': 'X', 'description': f'@[{person.name}](user:{person.id})'})
        assert response.status_code == 422 and response.json()['detail'][0]['field'] == 'description'


async def test_a_failed_update_changes_nothing(client, acme):
    contact = await new_contact(client, acme, last_name='Rossi', emails=['r@example.com'])
    response = await change(client, acme, acme.member, contact, version=1, first_name='Luca', phones=['nonsense'])
    assert response.status_code == 422
    after = (await client.get(f'{acme.base}/contacts/{contact["id"]}', headers=acme.member.auth)).json()
    assert after == contact


async def test_a_stale_version_is_a_conflict_and_overwrites_nothing(client, acme):
    contact = await new_contact(client, acme, last_name='Rossi')
    assert (await change(client, acme, acme.other, contact, version=1, first_name='Luca')).status_code == 200
    late = await change(client, acme, acme.member, contact, version=1, first_name='Marco')
    assert late.status_code == 409
    assert late.json()['changed_by'] == 'Tina Other' and late.json()['current_version'] == 2
    after = (await client.get(f'{acme.base}/contacts/{contact["id"]}', headers=acme.member.auth)).json()
    assert (after['first_name'], after['version']) == ('Luca', 2)
    assert (await change(client, acme, acme.member, contact, first_name='Marco')).status_code == 422  # no version


async def test_only_the_creator_changes_visibility(client, acme):
    contact = await new_contact(client, acme, last_name='Rossi')
    refused = await change(client, acme, acme.owner, contact, version=1, visibility='private')
    assert refused.status_code == 403
    allowed = await change(client, acme, acme.member, contact, version=1, visibility='private')
    assert allowed.status_code == 200 and allowed.json()['visibility'] == 'private'


async def test_company_name_creates_the_company_on_the_spot(client, acme):
    response = await client.post(f'{acme.base}/contacts', headers=acme.member.auth,
                                 json={'last_name': 'Bianchi', 'company_name': 'Bianchi & Figli'})
    company = response.json()['company']
    assert company['name'] == 'Bianchi & Figli'
    listed = (await client.get(f'{acme.base}/companies/{company["id"]}/contacts', headers=acme.member.auth)).json()
    assert [c['last_name'] for c in listed['items']] == ['Bianchi'] and listed['total'] == 1
    both = await client.post(f'{acme.base}/contacts', headers=acme.member.auth,
                             json={'last_name': 'X', 'company_name': 'Y', 'company_id': company['id']})
    assert both.status_code == 422


async def test_delete_then_gone(client, acme):
    company = (await client.post(f'{acme.base}/companies', json={'name': 'Gone Srl'},
                                 headers=acme.member.auth)).json()
    contact = await new_contact(client, acme, last_name='Rossi', company_id=company['id'])
    assert (await client.delete(f'{acme.base}/companies/{company["id"]}',
                                headers=acme.member.auth)).status_code == 204
    assert (await client.get(f'{acme.base}/companies/{company["id"]}', headers=acme.member.auth)).status_code == 404
    kept = (await client.get(f'{acme.base}/contacts/{contact["id"]}', headers=acme.member.auth)).json()
    assert kept['company'] is None
    assert (await client.delete(f'{acme.base}/contacts/{contact["id"]}', headers=acme.guest.auth)).status_code == 404
    assert (await client.delete(f'{acme.base}/contacts/{contact["id"]}', headers=acme.owner.auth)).status_code == 204
    assert (await client.get(f'{acme.base}/contacts/{contact["id"]}', headers=acme.owner.auth)).status_code == 404


async def test_lists_page_sort_and_filter(client, acme):
    for last, type_, role in (('Zeta', 'Client', 'Sales Manager'), ('alfa', 'Lead', ''), ('Émile', 'Client', '')):
        await client.post(f'{acme.base}/contacts', json={'last_name': last, 'type': type_, 'role': role},
                          headers=acme.member.auth)
    listed = (await client.get(f'{acme.base}/contacts?limit=2', headers=acme.member.auth)).json()
    assert [c['last_name'] for c in listed['items']] == ['alfa', 'Émile'] and listed['total'] == 3
    second = (await client.get(f'{acme.base}/contacts?limit=2&offset=2', headers=acme.member.auth)).json()
    assert [c['last_name'] for c in second['items']] == ['Zeta']
    descending = (await client.get(f'{acme.base}/contacts?order=desc', headers=acme.member.auth)).json()
    assert descending['items'][0]['last_name'] == 'Zeta'
    clients = (await client.get(f'{acme.base}/contacts?type=Client', headers=acme.member.auth)).json()
    assert clients['total'] == 2
    managers = (await client.get(f'{acme.base}/contacts?role=Sales%20Manager', headers=acme.member.auth)).json()
    assert [c['last_name'] for c in managers['items']] == ['Zeta']
    assert (await client.get(f'{acme.base}/contacts?limit=201', headers=acme.member.auth)).status_code == 422
    assert (await client.get(f'{acme.base}/contacts?sort=shoe', headers=acme.member.auth)).status_code == 422


async def test_contacts_without_a_company_sort_last_by_company_either_way(client, acme):
    for name in ('Verdi Spa', 'Bianchi Srl'):
        company = (await client.post(f'{acme.base}/companies', json={'name': name}, headers=acme.member.auth)).json()
        await client.post(f'{acme.base}/contacts', json={'first_name': name.split()[0], 'last_name': 'Neri',
                                                         'company_id': company['id']}, headers=acme.member.auth)
    for first in ('Zeno', 'Alba'):
        await client.post(f'{acme.base}/contacts', json={'first_name': first, 'last_name': 'Neri'},
                          headers=acme.member.auth)

    async def names(query: str) -> list[str]:
        listed = await client.get(f'{acme.base}/contacts?sort=company{query}', headers=acme.member.auth)
        return [c['first_name'] for c in listed.json()['items']]
    assert await names('') == ['Bianchi', 'Verdi', 'Alba', 'Zeno']
    assert await names('&order=desc') == ['Verdi', 'Bianchi', 'Zeno', 'Alba']
    assert await names('&q=neri') == ['Bianchi', 'Verdi', 'Alba', 'Zeno']  # on PostgreSQL, through the trigram index
    assert await names('&q=neri&order=desc') == ['Verdi', 'Bianchi', 'Zeno', 'Alba']


async def test_search_by_name_email_pec_phone_and_vat(client, acme):
    await client.post(f'{acme.base}/contacts', headers=acme.member.auth, json={
        'first_name': 'André', 'last_name': 'Müller', 'emails': ['am@fabbrica.it'], 'pec': 'andre@legalmail.it',
        'phones': ['02 1234 5678'], 'vat_number': VALID_IVA})
    await client.post(f'{acme.base}/contacts', json={'last_name': 'Other'}, headers=acme.member.auth)
    for q in ('andre', 'MULLER', 'andré müller', 'fabbrica', 'legalmail', '02 1234 5678', '+39 02 12345678',
              '0212345678', VALID_IVA[:7]):
        found = (await client.get(f'{acme.base}/contacts', params={'q': q}, headers=acme.member.auth)).json()
        assert [c['last_name'] for c in found['items']] == ['Müller'], q
        assert found['total'] == 1


async def test_a_contact_name_with_an_escape_or_a_direction_override_is_refused(client, acme):
    headers, base = acme.owner.auth, acme.base
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


async def test_a_bulk_action_changes_deletes_or_hides_the_selection(client, acme):
    mine = [await new_contact(client, acme, last_name=f'Mine {i}') for i in range(2)]
    theirs = (await client.post(f'{acme.base}/contacts', json={'last_name': 'Theirs'},
                                headers=acme.owner.auth)).json()
    ids = [mine[0]['id'], mine[1]['id'], theirs['id']]
    bulk = f'{acme.base}/contacts/bulk'

    response = await client.post(bulk, json={'action': 'change', 'ids': ids,
                                              'values': {'type': 'Client', 'role': 'Technician'}},
                                 headers=acme.member.auth)
    assert response.status_code == 200, response.text
    assert response.json() == {'action': 'change', 'done': ids, 'skipped': []}
    listed = (await client.get(f'{acme.base}/contacts?type=Client', headers=acme.member.auth)).json()
    assert listed['total'] == 3 and {c['role'] for c in listed['items']} == {'Technician'}

    response = await client.post(bulk, json={'action': 'visibility', 'ids': ids, 'values': {'visibility': 'private'}},
                                 headers=acme.member.auth)
    assert response.json()['done'] == ids[:2]
    assert response.json()['skipped'] == [{'id': theirs['id'],
                                           'reason': 'only the person who created it may change its visibility'}]

    for body, field in (({'action': 'change', 'ids': ids, 'values': {'type': 'Astronaut'}}, 'type'),
                        ({'action': 'change', 'ids': ids, 'values': {'sector': 'Energy'}}, 'sector'),
                        ({'action': 'explode', 'ids': ids}, 'action'),
                        ({'action': 'delete', 'ids': []}, 'ids'),
                        ({'action': 'delete', 'ids': [0]}, 'ids')):
        response = await client.post(bulk, json=body, headers=acme.member.auth)
        assert response.status_code == 422, body
        assert field in response.text
    guest = await client.post(bulk, json={'action': 'delete', 'ids': ids}, headers=acme.guest.auth)
    assert guest.status_code == 403

    # Olga cannot see Mario's private contacts now: they are skipped as not found, hers is deleted
    response = await client.post(bulk, json={'action': 'delete', 'ids': ids}, headers=acme.owner.auth)
    assert response.json() == {'action': 'delete', 'done': [theirs['id']],
                                'skipped': [{'id': ids[0], 'reason': 'not found'},
                                            {'id': ids[1], 'reason': 'not found'}]}
    assert (await client.get(f'{acme.base}/contacts', headers=acme.member.auth)).json()['total'] == 2


async def test_a_bulk_change_of_companies_sets_their_sector(client, acme):
    ids = [(await client.post(f'{acme.base}/companies', json={'name': n}, headers=acme.member.auth)).json()['id']
           for n in ('Uno', 'Due')]
    response = await client.post(f'{acme.base}/companies/bulk', headers=acme.member.auth,
                                 json={'action': 'change', 'ids': ids, 'values': {'sector': 'Energy', 'type': None}})
    assert response.json() == {'action': 'change', 'done': ids, 'skipped': []}
    assert (await client.get(f'{acme.base}/companies?sector=Energy', headers=acme.member.auth)).json()['total'] == 2
