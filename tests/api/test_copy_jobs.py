"""Copies into another organization as background jobs (issue 19): `wait: false` answers the job at once, GET /jobs
lists it with the copy's answer as its result, and a cancelled copy leaves nothing in the target (all or nothing).
The answer of a copy that waits is unchanged: tests/api/test_copy.py."""
from __future__ import annotations

import asyncio

from models.jobs import copies, running
from models.jobs.tables import Job
from models.records import service as records
from models.records.tables import CONTACT, Company, Contact
from tests.api.test_jobs import until


async def _contacts(team, count: int) -> list[int]:
    return [(await records.create_record(CONTACT, team.owner.membership,
                                         {'last_name': f'P{n}', 'emails': [f'p{n}@example.com']})).id
            for n in range(count)]


async def test_a_copy_job_is_listed_with_its_result(client, acme, target):
    ids = await _contacts(acme, 3)
    auth = acme.owner.auth
    await client.post(f'{target.base}/contacts', headers=auth, json={'last_name': 'Old', 'emails': ['p2@example.com']})
    queued = await client.post(f'{acme.base}/copy', headers=auth,
                               json={'target_org_id': target.id, 'contact_ids': ids, 'wait': False})
    assert queued.status_code == 202, queued.text
    assert (queued.json()['kind'], queued.json()['status']) == ('copy', 'queued')
    job = await until(client, auth, queued.json()['id'], lambda j: j['status'] == 'succeeded')
    assert job['step'] == 'done' and job['done'] == job['total'] == 2
    result = job['result']
    assert set(result['contacts']) == {str(ids[0]), str(ids[1])} and result['companies_created'] == 0
    assert [(s['id'], s['kind']) for s in result['skipped']] == [(ids[2], 'contact')]
    assert 'p2@example.com' in result['skipped'][0]['reason']
    listed = (await client.get('/api/v1/jobs', headers=auth)).json()
    assert [(item['id'], item['kind'], item['result']) for item in listed['items']] == [(job['id'], 'copy', result)]
    assert await Contact.filter(org_id=target.id).count() == 3
    # a copy the caller may not make is refused at once, as before, and no job is made
    refused = await client.post(f'{acme.base}/copy', headers=acme.member.auth,
                                json={'target_org_id': target.id, 'contact_ids': ids, 'wait': False})
    assert refused.status_code == 403
    assert await Job.filter(owner_id=acme.member.id).count() == 0


async def test_a_copy_cancelled_while_it_writes_leaves_nothing_in_the_target(orm, acme, target):
    """The queue's abort (what POST /jobs/{id}/cancel asks of it) heard at the first chunk written: inside the
    copy's transaction, so everything is rolled back."""
    ids = await _contacts(acme, 600)
    job = await copies.start(acme.owner.membership, target_org_id=target.id, contact_ids=ids)
    asked = []

    def aborting() -> bool:
        asked.append(True)
        return len(asked) > 1  # 'prepared' goes on; the first 'copying' report stops it

    await running.run(job.id, aborting=aborting)
    job = await Job.get(id=job.id)
    assert job.status == 'cancelled' and job.result is None, (job.status, job.result)
    # the first answer (at 'prepared') let it go on, so the stop came at a 'copying' report, inside the transaction
    # ('done' is not asked): how many times it was asked after that depends on when the progress task writes
    assert len(asked) >= 2
    assert await Contact.filter(org_id=target.id).count() == 0
    assert await Company.filter(org_id=target.id).count() == 0


async def test_a_copy_cancelled_through_the_api_is_all_or_nothing(client, acme, target):
    ids = await _contacts(acme, 1200)
    auth = acme.owner.auth
    queued = (await client.post(f'{acme.base}/copy', headers=auth,
                                json={'target_org_id': target.id, 'contact_ids': ids, 'wait': False})).json()
    cancelled = await client.post(f'/api/v1/jobs/{queued["id"]}/cancel', headers=auth)
    assert cancelled.status_code == 202, cancelled.text
    # asked while it runs, or (a copy that won the race) already finished and left as it is
    assert cancelled.json()['cancel_requested'] or cancelled.json()['status'] == 'succeeded', cancelled.json()
    job = await until(client, auth, queued['id'], lambda j: j['finished_at'] is not None)
    # the cancel usually arrives while the copy prepares; on SQLite one that arrives once it writes waits for its
    # commit and comes too late: either way all or nothing, never part of the records
    copied = await Contact.filter(org_id=target.id).count()
    assert (job['status'], copied) in {('cancelled', 0), ('succeeded', len(ids))}, (job, copied)


async def test_cancels_arriving_at_any_moment_of_a_copy_never_leave_it_or_the_database_stuck(client, acme, target):
    """The queue's abort used to cancel the job's task wherever it stood: cut while entering its transaction, the copy
    kept SQLite's one connection for good (it hung a CI run). Cancels sent at moments spread over the copy's life."""
    ids = await _contacts(acme, 700)
    auth = acme.owner.auth
    copied = 0
    for delay in (0, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.3):
        queued = (await client.post(f'{acme.base}/copy', headers=auth,
                                    json={'target_org_id': target.id, 'contact_ids': ids, 'wait': False,
                                          'copy_anyway': True})).json()
        await asyncio.sleep(delay)
        assert (await client.post(f'/api/v1/jobs/{queued["id"]}/cancel', headers=auth)).status_code == 202
        job = await until(client, auth, queued['id'], lambda j: j['finished_at'] is not None, seconds=20)
        copied += len(ids) if job['status'] == 'succeeded' else 0
        assert job['status'] in {'cancelled', 'succeeded'}, job
        assert await Contact.filter(org_id=target.id).count() == copied, (delay, job)
