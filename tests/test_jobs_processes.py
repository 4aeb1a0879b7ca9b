"""Background jobs across real processes (issue 19, done-when 2): an import job whose process is killed with SIGKILL
half-way is, after a restart, either complete (every row, exactly once) or gone without a trace, and the job ends
succeeded or failed, never stuck running. Embedded (the server runs its jobs) and with separate workers on a fresh
PostgreSQL database, where the job is queued by one server, run by a worker, and followed from another server."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.conftest import ON_POSTGRES, POSTGRES_URL, _on_postgres_server
from tests.server import ROOT, free_port, running_server, server_env

ROWS = 6000
FINISHED = ('succeeded', 'failed', 'cancelled')


def many_rows() -> bytes:
    lines = ['First Name,Last Name,E-mail Address'] + [f'Ann{n},Lee{n},ann{n}@example.com' for n in range(ROWS)]
    return ('\n'.join(lines) + '\n').encode()


def account(url: str) -> tuple[dict[str, str], int]:
    httpx.post(f'{url}/api/v1/users', json={'email': 'ivo@example.com', 'password': 'ivo-password-1',
                                            'name': 'Ivo'}).raise_for_status()
    token = httpx.post(f'{url}/api/v1/tokens', json={'email': 'ivo@example.com',
                                                     'password': 'ivo-password-1'}).json()['token']
    auth = {'Authorization': f'Bearer {token}'}
    return auth, httpx.post(f'{url}/api/v1/orgs', json={'name': 'Imports'}, headers=auth).json()['id']


def enqueue(url: str, auth: dict[str, str], org: int) -> int:
    queued = httpx.post(f'{url}/api/v1/orgs/{org}/imports', headers=auth, data={'wait': 'false'},
                        files={'file': ('many.csv', many_rows(), 'text/csv')}, timeout=30)
    assert queued.status_code == 202, queued.text
    return queued.json()['id']


def job_of(url: str, auth: dict[str, str], job_id: int) -> dict:
    return httpx.get(f'{url}/api/v1/jobs/{job_id}', headers=auth, timeout=10).json()


def until(read: Callable[[], dict], done: Callable[[dict], bool], seconds: float, what: str) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        found = read()
        if done(found):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f'{what}: not within {seconds} s; last seen {found}')
        time.sleep(0.05)


def half_way(job: dict) -> bool:
    """Killed from here, the import has written rows: done > 0 while writing (or it finished too soon)."""
    return job['status'] in FINISHED or (job['step'] == 'writing' and job['done'] > 0)


def complete_or_nothing(url: str, auth: dict[str, str], org: int, job: dict) -> None:
    assert job['status'] in ('succeeded', 'failed'), job
    contacts = httpx.get(f'{url}/api/v1/orgs/{org}/contacts?limit=1', headers=auth).json()['total']
    imports = httpx.get(f'{url}/api/v1/orgs/{org}/imports', headers=auth).json()
    if job['status'] == 'succeeded':
        assert contacts == ROWS
        [batch] = imports  # one import, whatever the crash cut off before it
        assert (batch['status'], batch['created'], batch['skipped']) == ('done', ROWS, 0)  # each row exactly once
    else:
        assert contacts == 0, job
        assert all(batch['status'] == 'failed' for batch in imports)


def test_a_server_killed_during_an_import_job_finishes_it_or_leaves_nothing(rubrica_env: Path):
    port = free_port()
    with running_server(port) as (url, process):
        auth, org = account(url)
        job_id = enqueue(url, auth, org)
        seen = until(lambda: job_of(url, auth, job_id), half_way, 120, 'the import writing')
        process.kill()  # SIGKILL: no shutdown of any kind
        process.wait(10)
        assert seen['status'] == 'running', f'the import ended before the kill: {seen}'
    with running_server(port) as (url, _):
        job = until(lambda: job_of(url, auth, job_id), lambda j: j['status'] in FINISHED, 180, 'the job ending')
        complete_or_nothing(url, auth, org, job)
        assert job['status'] == 'succeeded'  # run again from the start after the restart


@contextmanager
def fresh_database(name: str) -> Iterator[str]:
    url = urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f'/{name}'))
    asyncio.run(_on_postgres_server(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                                    f'CREATE DATABASE "{name}"'))
    try:
        yield url
    finally:
        asyncio.run(_on_postgres_server(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def worker(log: Path, **settings: str) -> Iterator[subprocess.Popen]:
    """`python main.py worker` until the block ends (SIGTERM, then SIGKILL), unless the test killed it."""
    with open(log, 'ab') as output:
        process = subprocess.Popen([sys.executable, 'main.py', 'worker'], cwd=ROOT, stdout=output,
                                   stderr=subprocess.STDOUT, env=server_env(**settings))
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.mark.skipif(not ON_POSTGRES, reason='separate workers share their queue through PostgreSQL')
def test_a_worker_killed_during_an_import_job_another_finishes_it_or_it_leaves_nothing(rubrica_env: Path,
                                                                                       tmp_path: Path):
    name = urlsplit(POSTGRES_URL).path.lstrip('/') + '_workers'
    with fresh_database(name) as database_url:
        settings = {'RUBRICA_DATABASE_URL': database_url, 'RUBRICA_JOBS': 'workers'}
        with running_server(free_port(), **settings) as (first, _), \
                running_server(free_port(), **settings) as (second, _):
            auth, org = account(first)
            job_id = enqueue(first, auth, org)
            time.sleep(2)  # the servers only queue it: nobody runs it yet
            assert job_of(second, auth, job_id)['status'] == 'queued'
            with worker(tmp_path / 'worker-1.log', **settings) as killed:
                # its progress, written by the worker, read from the other server
                seen = until(lambda: job_of(second, auth, job_id), half_way, 120, 'the import writing')
                killed.kill()
                killed.wait(10)
            assert seen['status'] == 'running', f'the import ended before the kill: {seen}'
            with worker(tmp_path / 'worker-2.log', **settings):
                job = until(lambda: job_of(second, auth, job_id), lambda j: j['status'] in FINISHED, 180,
                            'the job ending')
            complete_or_nothing(first, auth, org, job)
            assert job['status'] == 'succeeded'  # the second worker ran it again from the start


def test_a_worker_is_refused_when_the_server_runs_the_jobs(rubrica_env: Path):
    done = subprocess.run([sys.executable, 'main.py', 'worker'], cwd=ROOT, capture_output=True, text=True,
                          env=server_env(RUBRICA_JOBS='inside'), timeout=60)
    assert done.returncode == 2
    assert 'the server runs the background jobs itself' in done.stderr
