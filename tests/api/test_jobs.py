"""Imports as background jobs through the API: queued at once with wait=false, followed and listed by GET /jobs,
cancelled all-or-nothing, and another person's job is not there (done-when of issue 19, the job part)."""
from __future__ import annotations

import asyncio

from tests.helpers import DATA


def rows(count: int) -> bytes:
    lines = ['First Name,Last Name,E-mail Address'] + [f'Ann{n},Lee{n},ann{n}@example.com' for n in range(count)]
    return ('\n'.join(lines) + '\n').encode()


async def until(client, auth, job_id: int, done, seconds: float = 60) -> dict:
    for _ in range(int(seconds / 0.05)):
        job = (await client.get(f'/api/v1/jobs/{job_id}', headers=auth)).json()
        if done(job):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f'job {job_id} never got there: {job}')


async def test_an_import_job_runs_in_the_background_and_is_listed(client, acme):
    auth = acme.member.auth
    queued = await client.post(f'{acme.base}/imports', headers=auth, data={'kind': 'contact', 'wait': 'false'},
                               files={'file': ('people.csv', (DATA / 'google_contacts.csv').read_bytes(), 'text/csv')})
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert (job['kind'], job['status'], job['org_id']) == ('import', 'queued', acme.org.id)
    job = await until(client, auth, job['id'], lambda j: j['status'] == 'succeeded')
    assert job['step'] == 'done' and job['done'] == job['total'] == 6 and job['finished_at']
    report = (await client.get(f'{acme.base}/imports/{job["result"]["import"]}', headers=auth)).json()
    assert (report['created'], report['skipped'], report['job_id']) == (4, 2, job['id'])
    listed = (await client.get('/api/v1/jobs?limit=5', headers=auth)).json()
    assert listed['total'] == 1 and listed['items'][0]['id'] == job['id']
    # someone else's job: not theirs to see or cancel, not in their list
    assert (await client.get(f'/api/v1/jobs/{job["id"]}', headers=acme.guest.auth)).status_code == 404
    assert (await client.post(f'/api/v1/jobs/{job["id"]}/cancel', headers=acme.guest.auth)).status_code == 404
    assert (await client.get('/api/v1/jobs', headers=acme.guest.auth)).json() == {'items': [], 'total': 0}


async def test_waiting_for_the_import_keeps_its_answer_and_gives_the_job(client, acme):
    done = await client.post(f'{acme.base}/imports', headers=acme.member.auth,
                             files={'file': ('people.csv', rows(3), 'text/csv')})
    assert done.status_code == 201, done.text
    assert (done.json()['status'], done.json()['created']) == ('done', 3)
    job = (await client.get(f'/api/v1/jobs/{done.json()["job_id"]}', headers=acme.member.auth)).json()
    assert (job['status'], job['result']) == ('succeeded', {'import': done.json()['id']})
    # a file the job refuses is the same 422 as before, naming the problem
    empty = await client.post(f'{acme.base}/imports', headers=acme.member.auth,
                              files={'file': ('empty.csv', b'First Name,Last Name\n', 'text/csv')})
    assert empty.status_code == 422 and 'holds no rows' in empty.text


async def test_a_cancelled_import_leaves_nothing(client, acme):
    auth = acme.member.auth
    queued = (await client.post(f'{acme.base}/imports', headers=auth, data={'wait': 'false'},
                                files={'file': ('many.csv', rows(4000), 'text/csv')})).json()
    await until(client, auth, queued['id'], lambda j: j['done'] > 0 or j['status'] != 'queued' and j['step'])
    cancelled = await client.post(f'/api/v1/jobs/{queued["id"]}/cancel', headers=auth)
    assert cancelled.status_code == 202 and cancelled.json()['cancel_requested']
    job = await until(client, auth, queued['id'], lambda j: j['finished_at'] is not None)
    assert job['status'] == 'cancelled', job
    assert (await client.get(f'{acme.base}/contacts', headers=auth)).json()['total'] == 0
    imports = (await client.get(f'{acme.base}/imports', headers=auth)).json()
    assert [batch['status'] for batch in imports] in ([], ['failed'])  # cancelled before or after it began
