"""Connections in the API: a link shows on both ends, never reveals a hidden end, and never outlives an end."""
from __future__ import annotations

import itertools

import pytest

from models.work.tables import Connection
from models.orgs.tables import Organization

WORK = {'project': ('projects', 'name'), 'task': ('tasks', 'title'), 'ticket': ('tickets', 'title')}
RECORDS = {'contact': ('contacts', {'last_name': 'Rossi'}), 'company': ('companies', {'name': 'Rossi Srl'})}


async def _new(client, acme, kind: str, headers=None, **fields) -> dict:
    if kind in WORK:
        plural, title = WORK[kind]
        body = {title: f'A {kind}'} | fields
    else:
        plural, body = RECORDS[kind]
        body = body | fields
    response = await client.post(f'{acme.base}/{plural}', json=body, headers=headers or acme.member.auth)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize('record_kind, work_kind', list(itertools.product(RECORDS, WORK)))
async def test_a_link_shows_on_both_ends_and_unlinks(client, acme, record_kind, work_kind):
    record = await _new(client, acme, record_kind)
    item = await _new(client, acme, work_kind, due_date='2030-06-30')
    record_path = f'{acme.base}/{RECORDS[record_kind][0]}/{record["id"]}'
    item_path = f'{acme.base}/{WORK[work_kind][0]}/{item["id"]}'

    created = await client.post(f'{acme.base}/connections',
                                json={f'{record_kind}_id': record['id'], f'{work_kind}_id': item['id']},
                                headers=acme.member.auth)
    assert created.status_code == 201, created.text
    connection = created.json()
    assert connection[f'{record_kind}_id'] == record['id'] and connection[f'{work_kind}_id'] == item['id']

    from_item = (await client.get(item_path, headers=acme.owner.auth)).json()
    name = record.get('name') or 'Rossi'
    assert from_item[RECORDS[record_kind][0]] == [{'id': record['id'], 'name': name, 'connection_id': connection['id']}]
    from_record = (await client.get(f'{record_path}/connections', headers=acme.owner.auth)).json()
    assert set(from_record) == {'projects', 'tasks', 'tickets'}
    linked = from_record[WORK[work_kind][0]]
    assert [(i['id'], i['status'], i['due_date'], i['connection_id']) for i in linked] == \
        [(item['id'], item['status'], '2030-06-30', connection['id'])]
    assert linked[0][WORK[work_kind][1]] == f'A {work_kind}'
    assert sum(len(v) for v in from_record.values()) == 1

    again = await client.post(f'{acme.base}/connections',
                              json={f'{record_kind}_id': record['id'], f'{work_kind}_id': item['id']},
                              headers=acme.owner.auth)
    assert again.status_code == 409

    assert (await client.delete(f'{acme.base}/connections/{connection["id"]}',
                                headers=acme.owner.auth)).status_code == 204
    assert (await client.get(item_path, headers=acme.owner.auth)).json()[RECORDS[record_kind][0]] == []
    assert (await client.get(f'{record_path}/connections', headers=acme.owner.auth)).json() == \
        {'projects': [], 'tasks': [], 'tickets': []}
    assert (await client.delete(f'{acme.base}/connections/{connection["id"]}',
                                headers=acme.owner.auth)).status_code == 404


async def test_a_connection_needs_one_visible_end_of_each_side(client, acme):
    contact, company = await _new(client, acme, 'contact'), await _new(client, acme, 'company')
    task, ticket = await _new(client, acme, 'task'), await _new(client, acme, 'ticket')
    hidden = await _new(client, acme, 'contact', headers=acme.other.auth, visibility='private')

    async def fields_of(body: dict) -> set[str]:
        response = await client.post(f'{acme.base}/connections', json=body, headers=acme.member.auth)
        assert response.status_code == 422, response.text
        return {e['field'] for e in response.json()['detail']}

    assert await fields_of({}) == {'contact_id', 'project_id'}
    assert await fields_of({'contact_id': contact['id'], 'company_id': company['id'], 'task_id': task['id']}) == \
        {'company_id'}
    assert await fields_of({'contact_id': contact['id'], 'task_id': task['id'], 'ticket_id': ticket['id']}) == \
        {'ticket_id'}
    # a private contact of someone else, and ids that do not exist, get the same answer
    assert await fields_of({'contact_id': hidden['id'], 'task_id': task['id']}) == {'contact_id'}
    assert await fields_of({'contact_id': 987654, 'task_id': 987654}) == {'contact_id', 'task_id'}
    refused = await client.post(f'{acme.base}/connections', json={'contact_id': contact['id'], 'task_id': task['id']},
                                headers=acme.guest.auth)
    assert refused.status_code == 403
    assert await Connection.all().count() == 0


async def test_a_connection_never_reveals_a_hidden_contact_or_company(client, acme):
    project = await _new(client, acme, 'project', owner_id=acme.guest.id)
    public_contact = await _new(client, acme, 'contact', last_name='Visible')
    private_contact = await _new(client, acme, 'contact', headers=acme.other.auth, last_name='Secret',
                                 visibility='private')
    private_company = await _new(client, acme, 'company', headers=acme.other.auth, name='Secret Spa',
                                 visibility='private')
    ids = {}
    for key, record, headers in (('public', {'contact_id': public_contact['id']}, acme.member.auth),
                                 ('private', {'contact_id': private_contact['id']}, acme.other.auth),
                                 ('company', {'company_id': private_company['id']}, acme.other.auth)):
        response = await client.post(f'{acme.base}/connections', json=record | {'project_id': project['id']},
                                     headers=headers)
        assert response.status_code == 201, response.text
        ids[key] = response.json()['id']

    # the writer, who may see all of them, sees all of them
    as_writer = (await client.get(f'{acme.base}/projects/{project["id"]}', headers=acme.other.auth)).json()
    assert [c['name'] for c in as_writer['contacts']] == ['Secret', 'Visible']
    assert [c['name'] for c in as_writer['companies']] == ['Secret Spa']

    # the owner sees the project, and only the public contact: no name, no id, no count of the others
    for headers in (acme.owner.auth, acme.member.auth):
        seen = (await client.get(f'{acme.base}/projects/{project["id"]}', headers=headers)).json()
        assert seen['contacts'] == [{'id': public_contact['id'], 'name': 'Visible', 'connection_id': ids['public']}]
        assert seen['companies'] == []
        assert 'Secret' not in str(seen) and str(private_contact['id']) not in [str(c['id']) for c in seen['contacts']]
        for key in ('private', 'company'):
            assert (await client.get(f'{acme.base}/connections/{ids[key]}', headers=headers)).status_code == 404
            assert (await client.delete(f'{acme.base}/connections/{ids[key]}', headers=headers)).status_code == 404
        assert (await client.get(f'{acme.base}/contacts/{private_contact["id"]}/connections',
                                 headers=headers)).status_code == 404
        assert (await client.get(f'{acme.base}/companies/{private_company["id"]}/connections',
                                 headers=headers)).status_code == 404

    # the guest owns the project: they see it, and none of the contacts or companies linked to it
    as_guest = (await client.get(f'{acme.base}/projects/{project["id"]}', headers=acme.guest.auth)).json()
    assert as_guest['contacts'] == [] and as_guest['companies'] == []
    assert (await client.get(f'{acme.base}/contacts/{public_contact["id"]}/connections',
                             headers=acme.guest.auth)).status_code == 404
    assert (await client.get(f'{acme.base}/connections/{ids["public"]}', headers=acme.guest.auth)).status_code == 404
    assert (await client.delete(f'{acme.base}/connections/{ids["public"]}', headers=acme.guest.auth)).status_code == 404
    assert await Connection.all().count() == 3


@pytest.mark.parametrize('deleted', ['contact', 'company', 'project', 'task', 'ticket', 'organization'])
async def test_deleting_either_end_leaves_no_connection(client, acme, deleted):
    contact, company = await _new(client, acme, 'contact'), await _new(client, acme, 'company')
    items = {kind: await _new(client, acme, kind) for kind in WORK}
    for record_kind, record in (('contact', contact), ('company', company)):
        for work_kind, item in items.items():
            response = await client.post(f'{acme.base}/connections',
                                         json={f'{record_kind}_id': record['id'], f'{work_kind}_id': item['id']},
                                         headers=acme.member.auth)
            assert response.status_code == 201
    assert await Connection.all().count() == 6

    if deleted == 'organization':
        await Organization.filter(id=acme.id).delete()
        assert await Connection.all().count() == 0
        return
    path = {'contact': f'contacts/{contact["id"]}', 'company': f'companies/{company["id"]}'}.get(deleted) \
        or f'{WORK[deleted][0]}/{items[deleted]["id"]}'
    assert (await client.delete(f'{acme.base}/{path}', headers=acme.member.auth)).status_code == 204
    if deleted in RECORDS:  # to the trash: its connections wait there, hidden, until it is deleted for good
        for work_kind, item in items.items():
            linked = (await client.get(f'{acme.base}/{WORK[work_kind][0]}/{item["id"]}', headers=acme.member.auth))
            assert linked.json()[RECORDS[deleted][0]] == []
        assert (await client.delete(f'{acme.base}/trash/{deleted}/{path.split("/")[1]}', headers=acme.owner.auth)) \
            .status_code == 204

    remaining = await Connection.all().values_list(f'{deleted}_id', flat=True)
    assert len(remaining) == (3 if deleted in RECORDS else 4)
    assert not [r for r in remaining if r is not None]  # none points at the deleted end
    # and what remains still reads cleanly from the other ends
    for work_kind, item in items.items():
        if work_kind != deleted:
            seen = (await client.get(f'{acme.base}/{WORK[work_kind][0]}/{item["id"]}', headers=acme.member.auth)).json()
            assert len(seen['contacts']) + len(seen['companies']) == (1 if deleted in RECORDS else 2)
