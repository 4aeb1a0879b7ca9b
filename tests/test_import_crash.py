"""kill -9 in the middle of an import, with a real server process: after a restart on the same data dir the import
is either complete or left nothing, and it is not "running" any more."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.server import ROOT, free_port, server_env

ROWS = 50_000


@contextmanager
def server_process(port: int):
    """`python main.py` as tests/server.py starts it, giving the process so that the test can kill it; start-up
    may take a while when it has an interrupted import to take back."""
    log = open(Path(os.environ['RUBRICA_DATA_DIR']).parent / f'server-{port}.log', 'ab')
    process = subprocess.Popen([sys.executable, 'main.py'], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               env=server_env(RUBRICA_PORT=str(port)))
    url = f'http://127.0.0.1:{port}'
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                httpx.get(f'{url}/login', timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f'the server did not start; see {log.name}') from None
                time.sleep(0.2)
        yield process, url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def contacts_csv(rows: int) -> bytes:
    lines = ['Nome,Cognome,Email,Telefono'] + [f'Nome{n},Cognome{n},persona{n}@example.com,02 {1000 + n // 10000:04d} '
                                              f'{n % 10000:04d}' for n in range(rows)]
    return '\n'.join(lines).encode()


def test_kill_9_while_an_import_writes_leaves_all_or_nothing():
    port = free_port()
    data = contacts_csv(ROWS)
    with server_process(port) as (process, url):
        http = httpx.Client(base_url=url, timeout=60)
        http.post('/api/v1/users', json={'email': 'crash@example.com', 'password': 'crash password',
                                         'name': 'Crash'}).raise_for_status()
        token = http.post('/api/v1/tokens', json={'email': 'crash@example.com', 'password': 'crash password'}) \
            .json()['token']
        auth = {'Authorization': f'Bearer {token}'}
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

    with server_process(port) as (_, url):
        http = httpx.Client(base_url=url, timeout=60)
        total = http.get(f'{base}/contacts?limit=1', headers=auth).json()['total']
        assert total in (0, ROWS), f'{total} of the {ROWS} rows are there after the restart'
        [batch] = http.get(f'{base}/imports', headers=auth).json()
        assert batch['status'] in ('failed', 'done'), batch
        assert total == (ROWS if batch['status'] == 'done' else 0), (batch, total)
        if batch['status'] == 'failed':
            assert batch['message'] == ('The server stopped during this import; what it had written was taken '
                                        'back: nothing was imported')
            undo = http.post(f'{base}/imports/{batch["id"]}/undo', headers=auth)
            assert undo.status_code == 409 and undo.json()['detail'] == 'This import failed and left nothing to undo'
        # nothing of a taken-back import is left to match against (lookup keys): its rows import again
        again = http.post(f'{base}/imports', files={'file': ('again.csv', contacts_csv(1000), 'text/csv')},
                          headers=auth)
        assert again.status_code == 201, again.text
        assert (again.json()['created'], again.json()['skipped']) == ((0, 1000) if total else (1000, 0))
