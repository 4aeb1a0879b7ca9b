"""A task or ticket made from a contact's or company's card: POST …/{contacts|companies}/{id}/{tasks|tickets} makes
the item and its connection at once, or nothing."""
from __future__ import annotations

import pytest

from models.work.tables import Connection, Task, Ticket

RECORDS = {'contacts': {'last_name': 'Rossi'}, 'companies': {'name': 'Rossi Srl'}}


async def _record(client, acme, plural: str, headers=None, **fields) -> dict:
    made = await client.post(f'{acme.base}/{plural}', json=RECORDS[plural] | fields,
                             headers=headers or acme.member.auth)
    assert made.status_code == 201, made.text
    return made.json()


@pytest.mark.parametrize('plural', RECORDS)
async def test_a_task_and_a_ticket_are_made_linked_to_the_record(client, acme, plural):
    record = await _record(client, acme, plural)
    path = f'{acme.base}/{plural}/{record["id"]}'

    task = await client.post(f'{path}/tasks', json={'title': 'Call back', 'due_date': '2030-05-01'},
                             headers=acme.member.auth)
    assert task.status_code == 201, task.text
    task = task.json()
    assert (task['title'], task['due_date'], task['status']) == ('Call back', '2030-05-01', 'todo')
    name = record.get('name') or 'Rossi'
    linked = task[plural]
    assert [(r['id'], r['name']) for r in linked] == [(record['id'], name)]
    assert task['contacts' if plural == 'companies' else 'companies'] == []

    ticket = (await client.post(f'{path}/tickets', json={'title': 'Invoice wrong', 'priority': 'urgent'},
                                headers=acme.member.auth)).json()
    assert (ticket['title'], ticket['priority'], ticket['status']) == ('Invoice wrong', 'urgent', 'open')
    assert [r['id'] for r in ticket[plural]] == [record['id']]

    # both ends see the link, as if it had been made with POST /connections
    seen = (await client.get(f'{path}/connections', headers=acme.owner.auth)).json()
    assert [t['id'] for t in seen['tasks']] == [task['id']] and [t['id'] for t in seen['tickets']] == [ticket['id']]
    assert (await client.get(f'{acme.base}/tasks/{task["id"]}', headers=acme.owner.auth)).json()[plural] == linked


async def test_bad_input_makes_neither_the_item_nor_the_link(client, acme):
    record = await _record(client, acme, 'contacts')
    bad = await client.post(f'{acme.base}/contacts/{record["id"]}/tasks', json={'title': ' ', 'due_date': 'soon'},
                            headers=acme.member.auth)
    assert bad.status_code == 422
    assert {e['field'] for e in bad.json()['detail']} == {'title', 'due_date'}
    unknown = await client.post(f'{acme.base}/contacts/{record["id"]}/tickets', json={'title': 'x', 'colour': 'red'},
                                headers=acme.member.auth)
    assert unknown.status_code == 422
    assert not await Task.exists() and not await Ticket.exists() and not await Connection.exists()


async def test_a_guest_is_refused_and_a_hidden_record_does_not_exist(client, acme, elsewhere):
    public = await _record(client, acme, 'contacts')
    hidden = await _record(client, acme, 'companies', headers=acme.other.auth, visibility='private')
    refused = await client.post(f'{acme.base}/contacts/{public["id"]}/tasks', json={'title': 'Mine'},
                                headers=acme.guest.auth)
    assert refused.status_code == 403
    # a private company of Tina's, an id past any row and another organization's caller: all the same 404
    for path, headers in ((f'companies/{hidden["id"]}', acme.member.auth), ('companies/999999', acme.member.auth),
                          (f'contacts/{public["id"]}', elsewhere.owner.auth)):
        for work in ('tasks', 'tickets'):
            answer = await client.post(f'{acme.base}/{path}/{work}', json={'title': 'Sneaky'}, headers=headers)
            assert answer.status_code == 404, (path, work, answer.text)
    assert not await Task.exists() and not await Ticket.exists() and not await Connection.exists()
    # Tina, who sees her private company, may
    made = await client.post(f'{acme.base}/companies/{hidden["id"]}/tickets', json={'title': 'Hers'},
                             headers=acme.other.auth)
    assert made.status_code == 201 and [c['id'] for c in made.json()['companies']] == [hidden['id']]
