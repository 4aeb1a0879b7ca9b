"""An import cut off by a crash is taken back at start-up: each written chunk commits the batch's counts with it, an
import left running is undone at start, and kill -9 in the middle of an import, with a real server process: after a
restart on the same data dir the import is either complete or left nothing, and it is not "running" any more."""
from __future__ import annotations

import signal
import threading
import time
from datetime import datetime, timedelta, timezone

import httpx

from models.records import service as records
from models.records.tables import CONTACT, Company, Contact, RecordKey
from models.imports.recovery import INTERRUPTED, recover_interrupted_imports
from models.imports.tables import ImportBatch
from models.imports.undo import undo_import
from models.imports.writing import import_file
from tests.server import free_port, running_server
from tests.drivers import api_log_in

ROWS = 50_000
SERVER = {'start_timeout': 180, 'stop_timeout': 30}  # start-up takes a while with an interrupted import to take back


# ---------------------------------------------------------------- progress and recovery after a crash

async def test_each_written_chunk_commits_the_batch_counts_with_it(acme):
    owner = acme.owner.membership
    lines = ['Nome,Cognome,Email'] + [f'N{n},C{n},p{n}@example.com' for n in range(2500)] + ['Bad,Row,not-an-email']
    committed = []

    async def progress(step, done, total):
        if step == 'writing':
            batch = await ImportBatch.get(org_id=owner.org_id)
            committed.append((batch.status, batch.created, batch.skipped))

    await import_file(owner, kind='contact', data='\n'.join(lines).encode(), progress=progress)
    assert committed == [('running', 0, 1), ('running', 1000, 1), ('running', 2000, 1), ('running', 2500, 1)]


async def test_imports_left_running_by_a_crash_are_taken_back_at_start(acme):
    """The state a kill -9 leaves: chunks committed, the batch still running. (The last test of this file does it for
    real, with a server process.)"""
    owner = acme.owner.membership
    kept = await records.create_record(CONTACT, owner, {'last_name': 'Rossi', 'emails': ['rossi@example.com'],
                                                        'description': 'before'})
    done = await import_file(owner, kind='contact', data=b'Cognome,Email\nVerdi,verdi@example.com\n')
    lines = ['Nome,Cognome,Email,Azienda,Note'] + \
        [f'N{n},C{n},p{n}@example.com,Ditta {n % 3},' for n in range(1500)] + ['Mario,Rossi,rossi@example.com,,after']
    cut = await import_file(owner, kind='contact', mode='update', data='\n'.join(lines).encode())
    assert (cut.created, cut.updated, cut.companies_created) == (1500, 1, 3)
    # left by an earlier server process (the one that was killed): running, begun before this process
    await ImportBatch.filter(id=cut.id).update(status='running', finished_at=None,
                                                       created_at=datetime.now(timezone.utc) - timedelta(hours=1))
    live = await ImportBatch.create(org_id=owner.org_id, created_by_id=owner.user_id, kind='contact',
                                            mode='create', source='csv', total=1)  # this process's own

    assert await recover_interrupted_imports() == 1
    assert (await ImportBatch.get(id=live.id)).status == 'running'
    cut = await ImportBatch.get(id=cut.id)
    assert cut.status == 'failed' and cut.message == INTERRUPTED and cut.finished_at is not None
    assert sorted(await Contact.filter(org_id=owner.org_id).values_list('last_name', flat=True)) == ['Rossi', 'Verdi']
    assert (await Contact.get(id=kept.id)).description == 'before'
    assert not await Company.exists()
    assert await RecordKey.filter(contact_id__isnull=False).count() == 2
    assert (await ImportBatch.get(id=done.id)).status == 'done'
    assert await recover_interrupted_imports() == 0
    undone = await undo_import(owner, done.id)  # the import before it is untouched, and still undoable
    assert undone.status == 'undone'


# ---------------------------------------------------------------- kill -9 with a real server process

def contacts_csv(rows: int) -> bytes:
    lines = ['Nome,Cognome,Email,Telefono'] + [f'Nome{n},Cognome{n},persona{n}@example.com,02 {1000 + n // 10000:04d} '
                                              f'{n % 10000:04d}' for n in range(rows)]
    return '\n'.join(lines).encode()


def test_kill_9_while_an_import_writes_leaves_all_or_nothing():
    port = free_port()
    data = contacts_csv(ROWS)
    with running_server(port, **SERVER) as (url, process):
        http = httpx.Client(base_url=url, timeout=60)
        http.post('/api/v1/users', json={'email': 'crash@example.com', 'password': 'crash password',
                                         'name': 'Crash'}).raise_for_status()
        auth = api_log_in(url, 'crash@example.com', 'crash password')
        org = http.post('/api/v1/orgs', json={'name': 'Crash'}, headers=auth).json()['id']
        base = f'/api/v1/orgs/{org}'

        outcome: list[object] = []

        def run_import() -> None:
            try:
                with httpx.Client(base_url=url, timeout=600) as own:
                    outcome.append(own.post(f'{base}/imports', files={'file': ('big.csv', data, 'text/csv')},
                                            headers=auth))
            except httpx.TransportError as e:  # the server was killed under it
                outcome.append(e)

        importer = threading.Thread(target=run_import)
        importer.start()
        deadline = time.monotonic() + 600
        written = 0
        while time.monotonic() < deadline and importer.is_alive():
            written = http.get(f'{base}/contacts?limit=1', headers=auth).json()['total']
            if 0 < written < ROWS:  # rows are being written, chunk after chunk
                process.send_signal(signal.SIGKILL)
                process.wait()
                break
            time.sleep(0.05)
        importer.join()
        assert 0 < written < ROWS, f'the import ended before it could be caught writing: {outcome}'
        assert isinstance(outcome[0], httpx.TransportError)

    with running_server(port, **SERVER) as (url, _):
        http = httpx.Client(base_url=url, timeout=60)
        # the import is a background job: what the killed server wrote is taken back at start, and the job runs again
        # from the beginning (once); it ends, complete or failed, never running
        deadline = time.monotonic() + 600
        while (job := http.get('/api/v1/jobs', headers=auth).json()['items'][0])['finished_at'] is None:
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        total = http.get(f'{base}/contacts?limit=1', headers=auth).json()['total']
        assert total in (0, ROWS), f'{total} of the {ROWS} rows are there after the restart'
        [batch] = http.get(f'{base}/imports', headers=auth).json()
        assert (batch['status'], job['status']) in (('failed', 'failed'), ('done', 'succeeded')), (batch, job)
        assert total == (ROWS if batch['status'] == 'done' else 0), (batch, total)
        if batch['status'] == 'failed':
            undo = http.post(f'{base}/imports/{batch["id"]}/undo', headers=auth)
            assert undo.status_code == 409 and undo.json()['detail'] == 'This import failed and left nothing to undo'
        # nothing of a taken-back import is left to match against (lookup keys): its rows import again
        again = http.post(f'{base}/imports', files={'file': ('again.csv', contacts_csv(1000), 'text/csv')},
                          headers=auth)
        assert again.status_code == 201, again.text
        assert (again.json()['created'], again.json()['skipped']) == ((0, 1000) if total else (1000, 0))
