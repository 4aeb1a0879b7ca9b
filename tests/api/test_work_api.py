"""Projects, tasks and tickets in the API: create, read, change, delete, lists, validation and roles."""
from __future__ import annotations

import pytest

from tests.helpers import add_member, make_org, make_user, token_for


@pytest.fixture
async def team(client):
    """An organization with an owner, a member and a guest, and their tokens."""
    owner, member, guest = await make_user(name='Olga Owner'), await make_user(name='Mario Member'), \
        await make_user(name='Gino Guest')
    org = await make_org(owner)
    await add_member(org, member, 'member')
    await add_member(org, guest, 'guest')

    class Team:
        base = f'/api/v1/orgs/{org.org_id}'
    team = Team()
    team.org, team.owner, team.member, team.guest = org, owner, member, guest
    team.as_owner, team.as_member, team.as_guest = [await token_for(u) for u in (owner, member, guest)]
    return team


async def test_projects_tasks_and_tickets_are_created_read_changed_and_deleted(client, team):
    project = await client.post(f'{team.base}/projects', json={'name': 'Website', 'due_date': '2030-05-01',
                                                                'owner_id': team.member.id}, headers=team.as_member)
    assert project.status_code == 201, project.text
    project = project.json()
    assert project['name'] == 'Website' and project['status'] == 'active' and project['due_date'] == '2030-05-01'
    assert project['owner'] == {'id': team.member.id, 'name': 'Mario Member'}
    assert project['contacts'] == [] and project['companies'] == []

    task = (await client.post(f'{team.base}/tasks', json={'title': 'Draft the home page', 'project_id': project['id']},
                              headers=team.as_member)).json()
    assert task['status'] == 'todo' and task['project'] == {'id': project['id'], 'name': 'Website'}
    ticket = (await client.post(f'{team.base}/tickets', json={'title': 'Login broken', 'priority': 'urgent',
                                                              'assignee_id': team.guest.id},
                                headers=team.as_owner)).json()
    assert ticket['status'] == 'open' and ticket['priority'] == 'urgent'
    assert ticket['assignee'] == {'id': team.guest.id, 'name': 'Gino Guest'}

    changed = await client.patch(f'{team.base}/tasks/{task["id"]}', json={'status': 'in_progress', 'version': 1},
                                 headers=team.as_owner)
    assert changed.status_code == 200 and changed.json()['status'] == 'in_progress' and changed.json()['version'] == 2
    stale = await client.patch(f'{team.base}/tasks/{task["id"]}', json={'status': 'done', 'version': 1},
                               headers=team.as_owner)
    assert stale.status_code == 409
    got = (await client.get(f'{team.base}/tasks/{task["id"]}', headers=team.as_member)).json()
    assert got['status'] == 'in_progress'

    assert (await client.delete(f'{team.base}/projects/{project["id"]}', headers=team.as_member)).status_code == 204
    assert (await client.get(f'{team.base}/projects/{project["id"]}', headers=team.as_member)).status_code == 404
    orphan = (await client.get(f'{team.base}/tasks/{task["id"]}', headers=team.as_member)).json()
    assert orphan['project'] is None and orphan['project_id'] is None  # the task stays, without its project


async def test_bad_input_names_each_field_and_saves_nothing(client, team):
    bad = await client.post(f'{team.base}/tasks', json={'title': '  ', 'due_date': '31/12/2030',
                                                        'assignee_id': 999999, 'project_id': 424242},
                            headers=team.as_member)
    assert bad.status_code == 422
    assert {e['field'] for e in bad.json()['detail']} == {'title', 'due_date', 'assignee_id', 'project_id'}
    wrong_status = await client.post(f'{team.base}/projects', json={'name': 'X', 'status': 'finished'},
                                     headers=team.as_member)
    assert wrong_status.status_code == 422 and 'status' in wrong_status.text
    missing = await client.post(f'{team.base}/tickets', json={'priority': 'low'}, headers=team.as_member)
    assert missing.status_code == 422 and missing.json()['detail'][0]['field'] == 'title'
    unknown = await client.post(f'{team.base}/tickets', json={'title': 'T', 'colour': 'red'}, headers=team.as_member)
    assert unknown.status_code == 422
    listed = (await client.get(f'{team.base}/tasks', headers=team.as_member)).json()
    assert listed == {'items': [], 'total': 0}


async def test_lists_are_paginated_filtered_and_sorted_by_due_date(client, team):
    for n, due in ((1, '2030-03-01'), (2, None), (3, '2030-01-01'), (4, '2030-02-01')):
        body = {'title': f'Task {n}', 'status': 'done' if n == 4 else 'todo'} | ({'due_date': due} if due else {})
        assert (await client.post(f'{team.base}/tasks', json=body, headers=team.as_member)).status_code == 201
    first = (await client.get(f'{team.base}/tasks', params={'limit': 2}, headers=team.as_member)).json()
    assert first['total'] == 4 and [t['title'] for t in first['items']] == ['Task 3', 'Task 4']
    rest = (await client.get(f'{team.base}/tasks', params={'limit': 2, 'offset': 2}, headers=team.as_member)).json()
    assert [t['title'] for t in rest['items']] == ['Task 1', 'Task 2']  # undated last
    todo = (await client.get(f'{team.base}/tasks', params={'status': 'todo'}, headers=team.as_member)).json()
    assert todo['total'] == 3
    found = (await client.get(f'{team.base}/tasks', params={'q': 'TASK 2'}, headers=team.as_member)).json()
    assert [t['title'] for t in found['items']] == ['Task 2']
    bad = await client.get(f'{team.base}/tasks', params={'status': 'closed'}, headers=team.as_member)
    assert bad.status_code == 422 and bad.json()['detail'][0]['field'] == 'status'


async def test_a_guest_sees_only_what_is_assigned_to_them_and_changes_nothing(client, team):
    mine = {}
    for kind, title, person in (('projects', 'name', 'owner_id'), ('tasks', 'title', 'assignee_id'),
                                ('tickets', 'title', 'assignee_id')):
        ours = (await client.post(f'{team.base}/{kind}', json={title: f'Guest {kind}', person: team.guest.id},
                                  headers=team.as_member)).json()
        other = (await client.post(f'{team.base}/{kind}', json={title: f'Other {kind}'},
                                   headers=team.as_member)).json()
        mine[kind] = ours
        listed = (await client.get(f'{team.base}/{kind}', headers=team.as_guest)).json()
        assert listed['total'] == 1 and [i['id'] for i in listed['items']] == [ours['id']]
        assert (await client.get(f'{team.base}/{kind}/{ours["id"]}', headers=team.as_guest)).status_code == 200
        assert (await client.get(f'{team.base}/{kind}/{other["id"]}', headers=team.as_guest)).status_code == 404
        # members and owners see everything
        assert (await client.get(f'{team.base}/{kind}', headers=team.as_owner)).json()['total'] == 2

        assert (await client.post(f'{team.base}/{kind}', json={title: 'Mine now'},
                                  headers=team.as_guest)).status_code == 403
        assert (await client.patch(f'{team.base}/{kind}/{ours["id"]}', json={title: 'Renamed'},
                                   headers=team.as_guest)).status_code == 403
        assert (await client.patch(f'{team.base}/{kind}/{other["id"]}', json={title: 'Renamed'},
                                   headers=team.as_guest)).status_code == 404
        assert (await client.delete(f'{team.base}/{kind}/{ours["id"]}', headers=team.as_guest)).status_code == 403


async def test_another_organization_sees_no_work(client, team):
    stranger = await make_user()
    elsewhere = await make_org(stranger, 'Elsewhere')
    as_stranger = await token_for(stranger)
    ticket = (await client.post(f'{team.base}/tickets', json={'title': 'Ours'}, headers=team.as_member)).json()
    assert (await client.get(f'{team.base}/tickets', headers=as_stranger)).status_code == 404
    assert (await client.get(f'/api/v1/orgs/{elsewhere.org_id}/tickets/{ticket["id"]}',
                             headers=as_stranger)).status_code == 404
    refused = await client.post(f'/api/v1/orgs/{elsewhere.org_id}/tickets',
                                json={'title': 'Theirs', 'assignee_id': team.member.id}, headers=as_stranger)
    assert refused.status_code == 422 and refused.json()['detail'][0]['field'] == 'assignee_id'
