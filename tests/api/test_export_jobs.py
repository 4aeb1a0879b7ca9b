"""Exports of many records as background jobs (issue 19): started through the API (202 with the job), run as their
owner through the access gate, written by the streamed export's own writer into the data dir's job files (the same
bytes), downloadable by their owner alone until they expire, cancelled or cut off without leaving a file, and taken
back and run again after a dead process. The streamed exports are unchanged: tests/api/test_imports.py."""
from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

import pytest
from nicegui import app

from integrations import Integrations
from integrations.local_store import LocalStore
from models.errors import NotFound
from models.jobs import exports as export_jobs, recovery, running, store
from models.jobs.tables import Job, Status
from models.orgs.tables import Membership
from models.records import exports, service as records
from models.records.tables import COMPANY, CONTACT
from tests.api.test_jobs import until


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three records a chunk, so that a few records are written (and reported) chunk by chunk."""
    monkeypatch.setattr(exports, 'CHUNK', 3)


async def _people(team) -> dict[str, int]:
    """Contacts of several people, one of them private to Tina (whom Mario may not see), and a company."""
    acme_co = await records.create_record(COMPANY, team.owner.membership, {'name': 'Acme S.p.A.', 'type': 'Client'})
    made = {}
    for n in range(8):
        made[f'p{n}'] = (await records.create_record(
            CONTACT, team.member.membership,
            {'first_name': f'Ann{n}', 'last_name': 'Lee', 'emails': [f'ann{n}@example.com'],
             'company_id': acme_co.id if n % 2 else None, 'phones': ['+39 02 1234 5678'],
             'description': '=SUM(A1) and notes'})).id
    made['secret'] = (await records.create_record(
        CONTACT, team.members[1].membership, {'last_name': 'Secretive', 'visibility': 'private'})).id
    made['company'] = acme_co.id
    return made


async def _streamed(client, path: str, auth):
    response = await client.get(path, headers=auth)
    assert response.status_code == 200, response.text
    return response


async def test_an_export_job_writes_the_streamed_export_byte_for_byte_for_its_owner_alone(client, acme, elsewhere,
                                                                                         small_chunks):
    made = await _people(acme)
    auth = acme.member.auth
    cases = [('contacts', {'format': 'csv', 'separator': 'semicolon'}, 'contacts/export.csv?separator=semicolon', 8),
             ('contacts', {'format': 'vcf', 'q': 'lee'}, 'contacts/export.vcf?q=lee', 8),
             ('contacts', {'format': 'csv', 'ids': [made['p1'], made['p2'], made['secret']]},
              f'contacts/export.csv?ids={made["p1"]}&ids={made["p2"]}&ids={made["secret"]}', 2),
             ('contacts', {'company_id': made['company']}, f'contacts/export.csv?company_id={made["company"]}', 4),
             ('companies', {'separator': 'tab', 'type': 'Client'}, 'companies/export.csv?separator=tab&type=Client', 1)]
    for plural, body, streamed_path, records_in in cases:
        queued = await client.post(f'{acme.base}/{plural}/exports', headers=auth, json=body)
        assert queued.status_code == 202, queued.text
        assert (queued.json()['kind'], queued.json()['status']) == ('export', 'queued')
        job = await until(client, auth, queued.json()['id'], lambda j: j['finished_at'] is not None)
        assert job['status'] == 'succeeded', job
        assert (job['step'], job['done'], job['total']) == ('done', records_in, records_in), job
        assert job['result']['records'] == records_in and job['result']['expires_at']
        download = await client.get(f'/api/v1/jobs/{job["id"]}/file', headers=auth)
        assert download.status_code == 200, download.text
        streamed = await _streamed(client, f'{acme.base}/{streamed_path}', auth)
        assert download.content == streamed.content, body
        for header in ('content-type', 'content-disposition', 'x-content-type-options', 'cache-control'):
            assert download.headers[header] == streamed.headers[header], header
        assert download.headers['content-length'] == str(job['result']['size']) == str(len(download.content))
        assert b'Secretive' not in download.content  # Tina's private contact: not Mario's to see
        # someone else's file, even an owner of the organization's: there is none
        for other in (acme.owner, acme.members[1], acme.guest, elsewhere.owner):
            assert (await client.get(f'/api/v1/jobs/{job["id"]}/file', headers=other.auth)).status_code == 404
    # Tina's own export has her private contact
    queued = (await client.post(f'{acme.base}/contacts/exports', headers=acme.members[1].auth, json={})).json()
    job = await until(client, acme.members[1].auth, queued['id'], lambda j: j['finished_at'] is not None)
    assert b'Secretive' in (await client.get(f'/api/v1/jobs/{job["id"]}/file', headers=acme.members[1].auth)).content


async def test_what_the_streamed_export_refuses_is_refused_at_once_and_makes_no_job(client, acme):
    # a guest may not see records: no export, no job
    refused = await client.post(f'{acme.base}/contacts/exports', headers=acme.guest.auth, json={})
    assert refused.status_code == 403, refused.text
    assert await Job.filter(owner_id=acme.guest.user.id).count() == 0
    bad = await client.post(f'{acme.base}/contacts/exports', headers=acme.member.auth, json={'separator': 'pipe'})
    assert bad.status_code == 422 and 'separator' in bad.text
    vcards = await client.post(f'{acme.base}/companies/exports', headers=acme.member.auth, json={'format': 'vcf'})
    assert vcards.status_code == 422 and 'format' in vcards.text
    assert await Job.filter(owner_id=acme.member.user.id).count() == 0
    # an export not finished (queued, never handed to the queue here), or a finished job that is not an export: no
    # file either
    waiting = await export_jobs.start(acme.member.membership, filename='contacts.csv')
    copy = await store.create(acme.member.membership, 'copy', {})
    await store.finish(copy, Status.SUCCEEDED, result={'file': 'c' * 32, 'filename': 'x.csv'})
    for job in (waiting, copy):
        assert (await client.get(f'/api/v1/jobs/{job.id}/file', headers=acme.member.auth)).status_code == 404


async def test_an_expired_export_file_is_refused_then_removed_by_the_sweep(client, acme):
    await _people(acme)
    auth = acme.member.auth
    queued = (await client.post(f'{acme.base}/contacts/exports', headers=auth, json={})).json()
    job = await until(client, auth, queued['id'], lambda j: j['finished_at'] is not None)
    integrations = app.state.integrations
    assert integrations.job_files == Path(os.environ['RUBRICA_DATA_DIR']) / 'job-files'
    [kept] = list(integrations.job_files.iterdir())
    assert await export_jobs.sweep(integrations) == 0 and kept.exists()  # within its day: kept
    await Job.filter(id=job['id']).update(finished_at=store.now() - export_jobs.KEPT - timedelta(minutes=1))
    assert (await client.get(f'/api/v1/jobs/{job["id"]}/file', headers=auth)).status_code == 404
    assert await export_jobs.sweep(integrations) == 1
    assert not kept.exists() and list(integrations.job_files.iterdir()) == []


# ---------------------------------------------------------------- running the job (models/jobs) without the API

@pytest.fixture
def job_files(tmp_path: Path) -> Integrations:
    return Integrations(files=LocalStore(tmp_path / 'files'), job_files=tmp_path / 'job-files')


def _files(integrations: Integrations) -> list[str]:
    directory = integrations.job_files
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


async def _streamed_bytes(actor: Membership, filename: str, **how) -> bytes:
    return b''.join([chunk async for chunk in exports.open_export(actor, filename, **how).chunks])


async def test_a_cancelled_export_leaves_no_file(orm, acme, job_files, small_chunks, monkeypatch):
    monkeypatch.setattr(store, 'PROGRESS_EVERY', 0)  # every chunk's report is written, and asks whether to stop
    await _people(acme)
    job = await export_jobs.start(acme.member.membership, filename='contacts.csv')
    asked = []

    def aborting() -> bool:
        asked.append(export_jobs.partial_path(job_files.job_files, job.id).exists())
        return len(asked) > 2  # the first report (0 of 8) and the first chunk go on; the second chunk stops it

    await running.run(job.id, aborting=aborting, integrations=job_files)
    job = await Job.get(id=job.id)
    assert (job.status, job.result, job.done) == ('cancelled', None, 6), (job.status, job.result, job.done)
    assert asked == [False, True, True]  # the file was being written when the cancel was heard
    assert _files(job_files) == []
    with pytest.raises(NotFound):
        await export_jobs.open_file(acme.member.user.id, job.id, job_files)


async def test_the_gate_is_asked_again_when_the_export_runs(orm, acme, job_files):
    await _people(acme)
    job = await export_jobs.start(acme.member.membership, filename='contacts.vcf')
    # Mario became a guest before it ran: a guest sees no records, so the job fails and writes nothing
    await Membership.filter(id=acme.member.membership.id).update(role='guest')
    await running.run(job.id, integrations=job_files)
    job = await Job.get(id=job.id)
    assert job.status == 'failed' and job.result['error'] == 'Forbidden', job.result
    assert _files(job_files) == []


async def test_an_export_cut_off_by_a_dead_process_is_taken_back_and_run_again(orm, acme, job_files, small_chunks):
    await _people(acme)
    actor = acme.member.membership
    job = await export_jobs.start(actor, filename='contacts.csv', separator='tab', q='lee')
    # a process on another host took it, wrote part of the file, and died: its heartbeat stopped long ago
    await store.claim(job.id, 'another-host:4242:1')
    await Job.filter(id=job.id).update(heartbeat_at=store.now() - recovery.STALE_AFTER * 2, step='exporting',
                                       done=3, total=8)
    job_files.job_files.mkdir(parents=True)
    export_jobs.partial_path(job_files.job_files, job.id).write_bytes(b'First name\tLast name\r\nAnn0\tLe')
    export_jobs.file_path(job_files.job_files, job.id, 'a' * 32).write_bytes(b'whole, never reported')
    [dead] = await recovery.recover_dead_jobs(job_files)
    assert dead.id == job.id
    again = await Job.get(id=job.id)
    assert (again.status, again.done, again.attempts) == ('queued', 0, 1)
    assert _files(job_files) == []  # what the dead run wrote: taken back
    await running.run(job.id, integrations=job_files)
    done = await Job.get(id=job.id)
    assert (done.status, done.attempts, done.done, done.total) == ('succeeded', 2, 8, 8), done.status
    found = await export_jobs.open_file(acme.member.user.id, job.id, job_files)
    written = b''.join([chunk async for chunk in found.chunks])
    assert written == await _streamed_bytes(actor, 'contacts.csv', separator='tab', q='lee')
    assert (found.filename, found.size) == ('contacts.csv', len(written))
    assert _files(job_files) == [f'{job.id}-{done.result["file"]}']


async def test_an_export_cut_off_by_its_process_stopping_waits_in_the_queue_without_a_file(orm, acme, job_files,
                                                                                          small_chunks, monkeypatch):
    monkeypatch.setattr(store, 'PROGRESS_EVERY', 0)
    await _people(acme)
    job = await export_jobs.start(acme.member.membership, filename='contacts.vcf')
    seen = []

    def aborting() -> bool:  # asked at each chunk: at the second, the process stops (its task is cancelled)
        seen.append(export_jobs.partial_path(job_files.job_files, job.id).exists())
        if len(seen) == 2:
            task.cancel()
        return False

    task = asyncio.create_task(running.run(job.id, aborting=aborting, integrations=job_files))
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen[-1] is True  # it was writing
    job = await Job.get(id=job.id)
    assert (job.status, job.done, job.attempts) == ('queued', 0, 1)
    assert _files(job_files) == []


async def test_the_sweep_removes_leftovers_and_keeps_what_is_written_or_kept(orm, acme, job_files):
    await _people(acme)
    finished = await export_jobs.start(acme.member.membership, filename='contacts.csv')
    await running.run(finished.id, integrations=job_files)
    finished = await Job.get(id=finished.id)
    writing = await export_jobs.start(acme.member.membership, filename='contacts.csv')
    await store.claim(writing.id, running.identity())
    directory = job_files.job_files
    export_jobs.partial_path(directory, writing.id).write_bytes(b'being written')  # by a running job: kept
    old = export_jobs.partial_path(directory, 999_999)  # of no job, untouched for long: a crash's
    old.write_bytes(b'left over')
    os.utime(old, (0, 0))
    fresh = export_jobs.partial_path(directory, 999_998)  # of no job, but written a moment ago: kept for now
    fresh.write_bytes(b'just begun')
    stray = export_jobs.file_path(directory, finished.id, 'b' * 32)  # not the file its job names
    stray.write_bytes(b'stray')
    assert await export_jobs.sweep(job_files) == 2
    assert _files(job_files) == sorted([f'{finished.id}-{finished.result["file"]}', fresh.name,
                                        export_jobs.partial_path(directory, writing.id).name])
