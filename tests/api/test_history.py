"""History, notes and trash through the API (API.md's added contracts)."""
from __future__ import annotations

from tests.api.test_records import change, new_contact


async def test_a_contacts_history_is_newest_first_with_who_when_and_what(client, acme):
    contact = await new_contact(client, acme, last_name='Rossi', emails=['a@example.com'])
    assert (await change(client, acme, acme.member, contact, version=1, emails=['b@example.com'])).status_code == 200
    note = await client.post(f'{acme.base}/contacts/{contact["id"]}/notes', json={'text': 'Called her'},
                             headers=acme.member.auth)
    assert note.status_code == 201, note.text
    answer = await client.get(f'{acme.base}/contacts/{contact["id"]}/history', headers=acme.other.auth)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body['total'] == 3
    assert [i['action'] for i in body['items']] == ['note', 'updated', 'created']
    first, changed = body['items'][0], body['items'][1]
    assert first['note'] == {'id': note.json()['id'], 'text': 'Called her', 'author_id': acme.member.id,
                             'updated_at': first['note']['updated_at']}
    assert changed['changes'] == {'emails': [['a@example.com'], ['b@example.com']]}
    assert changed['by'] == {'id': acme.member.id, 'name': acme.member.name} and changed['note'] is None
    assert set(changed) >= {'at', 'by', 'action', 'changes', 'note'}
    paged = (await client.get(f'{acme.base}/contacts/{contact["id"]}/history', params={'limit': 1, 'offset': 1},
                              headers=acme.member.auth)).json()
    assert [i['action'] for i in paged['items']] == ['updated'] and paged['total'] == 3
    assert (await client.get(f'{acme.base}/contacts/{contact["id"]}/history',
                             headers=acme.guests[0].auth)).status_code in (403, 404)


async def test_notes_are_changed_and_deleted_by_their_author_only(client, acme):
    contact = await new_contact(client, acme, last_name='Rossi')
    base = f'{acme.base}/contacts/{contact["id"]}/notes'
    made = await client.post(base, json={'text': f'Ask {acme.other.mention}'}, headers=acme.member.auth)
    assert made.status_code == 201 and made.json()['mentioned'] == [acme.other.id]
    note_id = made.json()['id']
    assert (await client.patch(f'{base}/{note_id}', json={'text': 'x'}, headers=acme.other.auth)).status_code == 403
    assert (await client.delete(f'{base}/{note_id}', headers=acme.owner.auth)).status_code == 403
    both = f'Ask {acme.other.mention} and {acme.owner.mention}'
    edited = await client.patch(f'{base}/{note_id}', json={'text': both}, headers=acme.member.auth)
    assert edited.status_code == 200 and edited.json()['mentioned'] == [acme.owner.id]  # only the new one
    assert (await client.post(base, json={'text': '  '}, headers=acme.member.auth)).status_code == 422
    stranger = await client.post(base, json={'text': '@[Gus](user:999999)'}, headers=acme.member.auth)
    assert stranger.status_code == 422 and 'text' in stranger.text
    assert (await client.delete(f'{base}/{note_id}', headers=acme.member.auth)).status_code == 204
    assert (await client.delete(f'{base}/{note_id}', headers=acme.member.auth)).status_code == 404
    history = (await client.get(f'{acme.base}/contacts/{contact["id"]}/history', headers=acme.member.auth)).json()
    assert [i['action'] for i in history['items']] == ['created']


async def test_a_private_records_notes_mention_only_who_sees_it(client, acme):
    private = await new_contact(client, acme, last_name='Secret', visibility='private')
    base = f'{acme.base}/contacts/{private["id"]}/notes'
    refused = await client.post(base, json={'text': f'Tell {acme.other.mention}'}, headers=acme.member.auth)
    assert refused.status_code == 422 and 'cannot see this record' in refused.text
    assert (await client.post(base, json={'text': 'mine'}, headers=acme.other.auth)).status_code == 404
    assert (await client.get(f'{acme.base}/contacts/{private["id"]}/history',
                             headers=acme.owner.auth)).status_code == 404


async def test_delete_moves_to_the_trash_restore_brings_it_back_owners_delete_forever(client, acme):
    contact = await new_contact(client, acme, last_name='Rossi')
    company = (await client.post(f'{acme.base}/companies', json={'name': 'Rossi Srl'},
                                 headers=acme.member.auth)).json()
    for path in (f'contacts/{contact["id"]}', f'companies/{company["id"]}'):
        assert (await client.delete(f'{acme.base}/{path}', headers=acme.member.auth)).status_code == 204
        assert (await client.get(f'{acme.base}/{path}', headers=acme.member.auth)).status_code == 404
        assert (await client.get(f'{acme.base}/{path}/history', headers=acme.member.auth)).status_code == 404
        assert (await client.delete(f'{acme.base}/{path}', headers=acme.member.auth)).status_code == 404
    listed = await client.get(f'{acme.base}/trash', params={'kind': 'contact'}, headers=acme.other.auth)
    assert listed.status_code == 200
    assert [(i['id'], i['last_name'], i['deleted_by']) for i in listed.json()['items']] == \
        [(contact['id'], 'Rossi', acme.member.id)] and listed.json()['total'] == 1
    assert (await client.get(f'{acme.base}/trash', params={'kind': 'company'}, headers=acme.member.auth)).json()[
        'total'] == 1
    assert (await client.get(f'{acme.base}/trash', headers=acme.guests[0].auth)).status_code == 403
    assert (await client.get(f'{acme.base}/trash', params={'kind': 'task'}, headers=acme.member.auth)).status_code \
        == 422
    restored = await client.post(f'{acme.base}/trash/contact/{contact["id"]}/restore', headers=acme.other.auth)
    assert restored.status_code == 200 and restored.json() == contact
    assert (await client.post(f'{acme.base}/trash/contact/{contact["id"]}/restore',
                              headers=acme.other.auth)).status_code == 404
    assert (await client.get(f'{acme.base}/contacts/{contact["id"]}', headers=acme.member.auth)).json() == contact
    assert (await client.delete(f'{acme.base}/trash/company/{company["id"]}', headers=acme.member.auth)) \
        .status_code == 403
    assert (await client.delete(f'{acme.base}/trash/company/{company["id"]}', headers=acme.owner.auth)) \
        .status_code == 204
    assert (await client.post(f'{acme.base}/trash/company/{company["id"]}/restore', headers=acme.owner.auth)) \
        .status_code == 404
