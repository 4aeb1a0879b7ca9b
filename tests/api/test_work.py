"""Projects, tasks and tickets in the API: create, read, change, delete, lists, validation and roles."""
from __future__ import annotations


async def test_projects_tasks_and_tickets_are_created_read_changed_and_deleted(client, acme):
    project = await client.post(f'{acme.base}/projects', json={'name': 'Website', 'due_date': '2030-05-01',
                                                                'owner_id': acme.member.id}, headers=acme.member.auth)
    assert project.status_code == 201, project.text
    project = project.json()
    assert project['name'] == 'Website' and project['status'] == 'active' and project['due_date'] == '2030-05-01'
    assert project['owner'] == {'id': acme.member.id, 'name': 'Mario Member'}
    assert project['contacts'] == [] and project['companies'] == []

    task = (await client.post(f'{acme.base}/tasks', json={'title': 'Draft the home page', 'project_id': project['id']},
                              headers=acme.member.auth)).json()
    assert task['status'] == 'todo' and task['project'] == {'id': project['id'], 'name': 'Website'}
    ticket = (await client.post(f'{acme.base}/tickets', json={'title': 'Login broken', 'priority': 'urgent',
                                                              'assignee_id': acme.guest.id},
                                headers=acme.owner.auth)).json()
    assert ticket['status'] == 'open' and ticket['priority'] == 'urgent'
    assert ticket['assignee'] == {'id': acme.guest.id, 'name': 'Gus Guest'}

    changed = await client.patch(f'{acme.base}/tasks/{task["id"]}', json={'status': 'in_progress', 'version': 1},
                                 headers=acme.owner.auth)
    assert changed.status_code == 200 and changed.json()['status'] == 'in_progress' and changed.json()['version'] == 2
    stale = await client.patch(f'{acme.base}/tasks/{task["id"]}', json={'status': 'done', 'version': 1},
                               headers=acme.owner.auth)
    assert stale.status_code == 409
    got = (await client.get(f'{acme.base}/tasks/{task["id"]}', headers=acme.member.auth)).json()
    assert got['status'] == 'in_progress'

    assert (await client.delete(f'{acme.base}/projects/{project["id"]}', headers=acme.member.auth)).status_code == 204
    assert (await client.get(f'{acme.base}/projects/{project["id"]}', headers=acme.member.auth)).status_code == 404
    orphan = (await client.get(f'{acme.base}/tasks/{task["id"]}', headers=acme.member.auth)).json()
    assert orphan['project'] is None and orphan['project_id'] is None  # the task stays, without its project


async def test_bad_input_names_each_field_and_saves_nothing(client, acme):
    bad = await client.post(f'{acme.base}/tasks', json={'title': '  ', 'due_date': '31/12/2030',
                                                        'assignee_id': 999999, 'project_id': 424242},
                            headers=acme.member.auth)
    assert bad.status_code == 422
    assert {e['field'] for e in bad.json()['detail']} == {'title', 'due_date', 'assignee_id', 'project_id'}
    wrong_status = await client.post(f'{acme.base}/projects', json={'name': 'X', 'status': 'finished'},
                                     headers=acme.member.auth)
    assert wrong_status.status_code == 422 and 'status' in wrong_status.text
    missing = await client.post(f'{acme.base}/tickets', json={'priority': 'low'}, headers=acme.member.auth)
    assert missing.status_code == 422 and missing.json()['detail'][0]['field'] == 'title'
    unknown = await client.post(f'{acme.base}/tickets', json={'title': 'T', 'colour': 'red'}, headers=acme.member.auth)
    assert unknown.status_code == 422
    listed = (await client.get(f'{acme.base}/tasks', headers=acme.member.auth)).json()
    assert listed == {'items': [], 'total': 0}


async def test_lists_are_paginated_filtered_and_sorted_by_due_date(client, acme):
    for n, due in ((1, '2030-03-01'), (2, None), (3, '2030-01-01'), (4, '2030-02-01')):
        body = {'title': f'Task {n}', 'status': 'done' if n == 4 else 'todo'} | ({'due_date': due} if due else {})
        assert (await client.post(f'{acme.base}/tasks', json=body, headers=acme.member.auth)).status_code == 201
    first = (await client.get(f'{acme.base}/tasks', params={'limit': 2}, headers=acme.member.auth)).json()
    assert first['total'] == 4 and [t['title'] for t in first['items']] == ['Task 3', 'Task 4']
    rest = (await client.get(f'{acme.base}/tasks', params={'limit': 2, 'offset': 2}, headers=acme.member.auth)).json()
    assert [t['title'] for t in rest['items']] == ['Task 1', 'Task 2']  # undated last
    todo = (await client.get(f'{acme.base}/tasks', params={'status': 'todo'}, headers=acme.member.auth)).json()
    assert todo['total'] == 3
    found = (await client.get(f'{acme.base}/tasks', params={'q': 'TASK 2'}, headers=acme.member.auth)).json()
    assert [t['title'] for t in found['items']] == ['Task 2']
    bad = await client.get(f'{acme.base}/tasks', params={'status': 'closed'}, headers=acme.member.auth)
    assert bad.status_code == 422 and bad.json()['detail'][0]['field'] == 'status'


async def test_a_guest_sees_only_what_is_assigned_to_them_and_changes_nothing(client, acme):
    mine = {}
    for kind, title, person in (('projects', 'name', 'owner_id'), ('tasks', 'title', 'assignee_id'),
                                ('tickets', 'title', 'assignee_id')):
        ours = (await client.post(f'{acme.base}/{kind}', json={title: f'Guest {kind}', person: acme.guest.id},
                                  headers=acme.member.auth)).json()
        other = (await client.post(f'{acme.base}/{kind}', json={title: f'Other {kind}'},
                                   headers=acme.member.auth)).json()
        mine[kind] = ours
        listed = (await client.get(f'{acme.base}/{kind}', headers=acme.guest.auth)).json()
        assert listed['total'] == 1 and [i['id'] for i in listed['items']] == [ours['id']]
        assert (await client.get(f'{acme.base}/{kind}/{ours["id"]}', headers=acme.guest.auth)).status_code == 200
        assert (await client.get(f'{acme.base}/{kind}/{other["id"]}', headers=acme.guest.auth)).status_code == 404
        # members and owners see everything
        assert (await client.get(f'{acme.base}/{kind}', headers=acme.owner.auth)).json()['total'] == 2

        assert (await client.post(f'{acme.base}/{kind}', json={title: 'Mine now'},
                                  headers=acme.guest.auth)).status_code == 403
        assert (await client.patch(f'{acme.base}/{kind}/{ours["id"]}', json={title: 'Renamed'},
                                   headers=acme.guest.auth)).status_code == 403
        assert (await client.patch(f'{acme.base}/{kind}/{other["id"]}', json={title: 'Renamed'},
                                   headers=acme.guest.auth)).status_code == 404
        assert (await client.delete(f'{acme.base}/{kind}/{ours["id"]}', headers=acme.guest.auth)).status_code == 403


async def test_another_organization_sees_no_work(client, acme, elsewhere):
    as_stranger = elsewhere.owner.auth
    ticket = (await client.post(f'{acme.base}/tickets', json={'title': 'Ours'}, headers=acme.member.auth)).json()
    assert (await client.get(f'{acme.base}/tickets', headers=as_stranger)).status_code == 404
    assert (await client.get(f'/api/v1/orgs/{elsewhere.id}/tickets/{ticket["id"]}',
                             headers=as_stranger)).status_code == 404
    refused = await client.post(f'/api/v1/orgs/{elsewhere.id}/tickets',
                                json={'title': 'Theirs', 'assignee_id': acme.member.id}, headers=as_stranger)
    assert refused.status_code == 422 and refused.json()['detail'][0]['field'] == 'assignee_id'


async def test_projects_and_tickets_keep_a_description_with_mentions_of_members_only(client, acme):
    text = f'Ask {acme.member.mention} about the hosting'
    project = await client.post(f'{acme.base}/projects', json={'name': 'Website', 'description': text},
                                headers=acme.owner.auth)
    assert project.status_code == 201, project.text
    assert project.json()['description'] == text and project.json()['mentions'] == [acme.member.id]
    ticket = (await client.post(f'{acme.base}/tickets', json={'title': 'Login broken'}, headers=acme.owner.auth)).json()
    assert ticket['description'] == '' and ticket['mentions'] == []

    changed = await client.patch(f'{acme.base}/tickets/{ticket["id"]}', json={'description': 'Seen on Firefox'},
                                 headers=acme.member.auth)
    assert changed.status_code == 200 and changed.json()['description'] == 'Seen on Firefox'
    guest_mentioned = await client.patch(f'{acme.base}/tickets/{ticket["id"]}',
                                         json={'description': f'Tell {acme.guest.mention}'}, headers=acme.member.auth)
    assert guest_mentioned.status_code == 422 and guest_mentioned.json()['detail'][0]['field'] == 'description'
    got = (await client.get(f'{acme.base}/tickets/{ticket["id"]}', headers=acme.owner.auth)).json()
    assert got['description'] == 'Seen on Firefox'
    cleared = await client.patch(f'{acme.base}/projects/{project.json()["id"]}', json={'description': None},
                                 headers=acme.owner.auth)
    assert cleared.json()['description'] == '' and cleared.json()['mentions'] == []
