"""Duplicates through the API: the scan, preview, merge of contacts and companies, recent merges and undo."""
from __future__ import annotations

from tests.helpers import VALID_IVA, Person, Team


async def _post(client, acme: Team, path: str, body: dict, who: Person | None = None) -> dict:
    response = await client.post(f'{acme.base}/{path}', json=body, headers=(who or acme.member).auth)
    assert response.status_code == 201, response.text
    return response.json()


async def test_scan_merge_and_undo_a_pair_of_contacts(client, acme):
    keep = await _post(client, acme, 'contacts', {'first_name': 'Andre', 'last_name': 'Muller',
                                                  'emails': ['andre@example.com'], 'phones': ['02 1234 5678']})
    other = await _post(client, acme, 'contacts', {'first_name': 'André', 'last_name': 'Müller', 'role': 'Marketing Manager',
                                                   'emails': ['Andre@Example.com', 'am@example.org'],
                                                   'phones': ['+39 02 1234 5678', '+33 1 42 68 53 00']})
    project = await _post(client, acme, 'projects', {'name': 'Fair'})
    await _post(client, acme, 'connections', {'contact_id': other['id'], 'project_id': project['id']})
    attachment = await client.post(f'{acme.base}/contacts/{other["id"]}/attachments',
                                   files={'file': ('cv.txt', b'hello', 'text/plain')}, headers=acme.member.auth)
    assert attachment.status_code == 201, attachment.text

    scan = await client.get(f'{acme.base}/duplicates', params={'kind': 'contact'}, headers=acme.owner.auth)
    assert scan.status_code == 200, scan.text
    pairs = scan.json()
    assert pairs['total'] == 1, 'one pair with three reasons, not three groups'
    (pair,) = pairs['items']
    assert [(r['reason'], r['value']) for r in pair['reasons']] == [
        ('same email', 'andre@example.com'), ('same phone', '+390212345678'), ('same name', 'muller andre')]
    assert (pair['reason'], pair['key'], pair['value'], pair['count']) == ('same email', 'email',
                                                                           'andre@example.com', 2)
    assert [(m['id'], m['name'], m['company']) for m in pair['members']] == [
        (keep['id'], 'Andre Muller', None), (other['id'], 'André Müller', None)]

    preview = await client.get(f'{acme.base}/contacts/merge/preview',
                               params={'keep_id': keep['id'], 'other_id': other['id']}, headers=acme.member.auth)
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown['unions']['emails'] == ['andre@example.com', 'am@example.org']
    # the other's history (created, a file added, a connection made) moves too
    assert shown['moved'] == {'attachments': 1, 'connections': 1, 'history': 3, 'notes': 0}
    assert shown['over_limit'] == {}

    merged = await client.post(f'{acme.base}/contacts/merge', headers=acme.member.auth, json={
        'keep_id': keep['id'], 'other_id': other['id'], 'choices': {'first_name': 'other', 'role': 'other'},
        'versions': {'keep': 1, 'other': 1}})
    assert merged.status_code == 200, merged.text
    body = merged.json()
    record = body['record']
    assert (record['first_name'], record['last_name'], record['role']) == ('André', 'Muller', 'Marketing Manager')
    assert record['phones'] == ['+390212345678', '+33142685300'] and record['version'] == 2
    assert body['merge']['moved'] == {'attachments.contact_id': 1, 'connections.contact_id': 1, 'history.contact_id': 3}
    assert (await client.get(f'{acme.base}/contacts/{other["id"]}', headers=acme.member.auth)).status_code == 404
    files = (await client.get(f'{acme.base}/contacts/{keep["id"]}/attachments', headers=acme.member.auth)).json()
    assert [f['filename'] for f in (files['items'] if isinstance(files, dict) else files)] == ['cv.txt']
    links = (await client.get(f'{acme.base}/contacts/{keep["id"]}/connections', headers=acme.member.auth)).json()
    assert [p['id'] for p in links['projects']] == [project['id']]

    recent = (await client.get(f'{acme.base}/merges', headers=acme.owner.auth)).json()['items']
    assert [m['id'] for m in recent] == [body['merge']['id']]
    assert (await client.get(f'{acme.base}/duplicates', headers=acme.owner.auth)).json()['total'] == 0

    undone = await client.post(f'{acme.base}/merges/{body["merge"]["id"]}/undo', headers=acme.owner.auth)
    assert undone.status_code == 200, undone.text
    assert undone.json()['restored'] == other
    assert undone.json()['kept'] == keep
    assert (await client.get(f'{acme.base}/contacts/{other["id"]}', headers=acme.member.auth)).json() == other
    again = await client.post(f'{acme.base}/merges/{body["merge"]["id"]}/undo', headers=acme.owner.auth)
    assert again.status_code == 409


async def test_merging_companies_moves_their_contacts(client, acme):
    keep = await _post(client, acme, 'companies', {'name': 'Rossi Srl'})
    other = await _post(client, acme, 'companies', {'name': 'Rossi Srl', 'vat_number': VALID_IVA, 'sector': 'ICT'})
    person = await _post(client, acme, 'contacts', {'last_name': 'Bianchi', 'company_id': other['id']})
    merged = await client.post(f'{acme.base}/companies/merge', headers=acme.member.auth, json={
        'keep_id': keep['id'], 'other_id': other['id'], 'choices': {'vat_number': 'other', 'sector': 'other'}})
    assert merged.status_code == 200, merged.text
    assert (merged.json()['record']['vat_number'], merged.json()['record']['sector']) == (VALID_IVA, 'ICT')
    moved = (await client.get(f'{acme.base}/contacts/{person["id"]}', headers=acme.member.auth)).json()
    assert moved['company'] == {'id': keep['id'], 'name': 'Rossi Srl'}
    undone = await client.post(f'{acme.base}/merges/{merged.json()["merge"]["id"]}/undo', headers=acme.member.auth)
    assert undone.status_code == 200, undone.text
    back = (await client.get(f'{acme.base}/contacts/{person["id"]}', headers=acme.member.auth)).json()
    assert back['company'] == {'id': other['id'], 'name': 'Rossi Srl'}


async def test_refusals_have_the_documented_status_codes(client, acme):
    a = await _post(client, acme, 'contacts', {'last_name': 'A', 'emails': ['1@x.it', '2@x.it']})
    b = await _post(client, acme, 'contacts', {'last_name': 'A', 'emails': ['3@x.it', '4@x.it']})
    hidden = await _post(client, acme, 'contacts', {'last_name': 'A', 'visibility': 'private'}, who=acme.other)
    base = acme.base
    assert (await client.get(f'{base}/duplicates', headers=acme.guest.auth)).status_code == 403
    assert (await client.get(f'{base}/merges', headers=acme.guest.auth)).status_code == 403
    guest_merge = await client.post(f'{base}/contacts/merge', json={'keep_id': a['id'], 'other_id': b['id']},
                                    headers=acme.guest.auth)
    assert guest_merge.status_code == 403
    assert (await client.post(f'{base}/merges/1/undo', headers=acme.guest.auth)).status_code == 403
    assert (await client.get(f'{base}/duplicates', params={'kind': 'people'},
                             headers=acme.owner.auth)).status_code == 422

    too_many = await client.post(f'{base}/contacts/merge', json={'keep_id': a['id'], 'other_id': b['id']},
                                 headers=acme.member.auth)
    assert too_many.status_code == 422
    assert [e['field'] for e in too_many.json()['detail']] == ['emails']

    not_seen = await client.post(f'{base}/contacts/merge', json={'keep_id': a['id'], 'other_id': hidden['id'],
                                                                 'emails': ['1@x.it']}, headers=acme.member.auth)
    assert not_seen.status_code == 404

    stale = await client.post(f'{base}/contacts/merge', headers=acme.member.auth, json={
        'keep_id': a['id'], 'other_id': b['id'], 'emails': ['1@x.it'], 'versions': {'keep': 7}})
    assert stale.status_code == 409 and stale.json()['current_version'] == 1

    bad_choice = await client.post(f'{base}/contacts/merge', headers=acme.member.auth, json={
        'keep_id': a['id'], 'other_id': b['id'], 'choices': {'sector': 'other'}, 'emails': ['1@x.it']})
    assert bad_choice.status_code == 422
    assert [e['field'] for e in bad_choice.json()['detail']] == ['choices.sector']

    done = await client.post(f'{base}/contacts/merge', headers=acme.member.auth, json={
        'keep_id': a['id'], 'other_id': b['id'], 'emails': ['3@x.it', '1@x.it']})
    assert done.status_code == 200 and done.json()['record']['emails'] == ['3@x.it', '1@x.it']
    changed = await client.patch(f'{base}/contacts/{a["id"]}', json={'version': 2, 'first_name': 'Later'},
                                 headers=acme.member.auth)
    assert changed.status_code == 200
    refused = await client.post(f'{base}/merges/{done.json()["merge"]["id"]}/undo', headers=acme.member.auth)
    assert refused.status_code == 409 and 'changed after the merge' in refused.json()['detail']
    assert (await client.post(f'{base}/merges/999999/undo', headers=acme.member.auth)).status_code == 404


async def test_a_merge_log_shows_a_private_record_only_to_who_could_see_it(client, acme):
    """A member merges their private contact into a public one: the owner, who never saw the private contact,
    neither sees its name in the recent merges nor gets it back from undo; someone mentioned in it does."""
    base = acme.base
    public = await _post(client, acme, 'contacts', {'last_name': 'Rossi', 'emails': ['rossi@example.com']})
    secret = await _post(client, acme, 'contacts', {
        'first_name': 'Segreto', 'last_name': 'Rossi', 'visibility': 'private', 'phones': ['+39 02 9999 0000'],
        'description': f'met with {acme.other.mention}'})
    merged = await client.post(f'{base}/contacts/merge', headers=acme.member.auth,
                               json={'keep_id': public['id'], 'other_id': secret['id']})
    assert merged.status_code == 200, merged.text
    merge_id = merged.json()['merge']['id']
    assert merged.json()['record']['visibility'] == 'public'

    for who in (acme.member, acme.other):  # the creator, and a colleague mentioned in the private contact
        listed = (await client.get(f'{base}/merges', headers=who.auth)).json()['items']
        assert [(m['id'], m['removed_name']) for m in listed] == [(merge_id, 'Segreto Rossi')], who.name
    owner_list = await client.get(f'{base}/merges', params={'kind': 'contact'}, headers=acme.owner.auth)
    assert owner_list.status_code == 200 and owner_list.json() == {'items': []}
    assert 'Segreto' not in owner_list.text
    refused = await client.post(f'{base}/merges/{merge_id}/undo', headers=acme.owner.auth)
    assert refused.status_code == 404 and 'Segreto' not in refused.text
    assert (await client.get(f'{base}/contacts/{secret["id"]}', headers=acme.owner.auth)).status_code == 404

    undone = await client.post(f'{base}/merges/{merge_id}/undo', headers=acme.member.auth)
    assert undone.status_code == 200, undone.text
    assert undone.json()['restored']['first_name'] == 'Segreto'
    # once undone, the owner still learns nothing: the same 404 as an id that never existed, not "already undone"
    again = await client.post(f'{base}/merges/{merge_id}/undo', headers=acme.owner.auth)
    assert again.status_code == 404
    assert (await client.post(f'{base}/merges/{merge_id}/undo', headers=acme.member.auth)).status_code == 409


async def test_the_endpoints_are_in_the_openapi_schema(client):
    schema = (await client.get('/openapi.json')).json()
    for path in ('/api/v1/orgs/{org}/duplicates', '/api/v1/orgs/{org}/contacts/merge',
                 '/api/v1/orgs/{org}/companies/merge', '/api/v1/orgs/{org}/contacts/merge/preview',
                 '/api/v1/orgs/{org}/merges', '/api/v1/orgs/{org}/merges/{merge_id}/undo'):
        assert path in schema['paths'], path
    assert 'MergeRequest' in schema['components']['schemas']
