"""`python main.py admin backup DIR` while a real server keeps saving records and files, `admin restore DIR` into an
empty install, and a server started on it serving the same records and files; the refusals (a non-empty target, a
damaged backup, no pg_dump)."""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.conftest import ON_POSTGRES, POSTGRES_URL, _on_postgres_server
from tests.server import ROOT, free_port, running_server, server_env


def admin(*args: str, **settings: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, 'main.py', 'admin', *args], cwd=ROOT, env=server_env(**settings),
                          capture_output=True, text=True, timeout=300)


def content_of(name: str) -> bytes:
    return f'the file {name}\n'.encode() * 50


class Writer(threading.Thread):
    """Saves contacts one after the other through the API (and a file on every third), until told to stop."""

    def __init__(self, url: str, auth: dict[str, str], org: int) -> None:
        super().__init__(daemon=True)
        self.url, self.auth, self.org = url, auth, org
        self.saved: list[str] = []  # the names of the contacts saved, in order
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with httpx.Client(base_url=f'{self.url}/api/v1/orgs/{self.org}', headers=self.auth, timeout=30) as http:
                while not self.stop.is_set():
                    name = f'Writer {len(self.saved) + 1:04d}'
                    contact = http.post('/contacts', json={'last_name': name, 'emails': [
                        f'w{len(self.saved) + 1}@example.com']})
                    contact.raise_for_status()
                    if len(self.saved) % 3 == 0:
                        http.post(f'/contacts/{contact.json()["id"]}/attachments',
                                  files={'file': (f'{name}.txt', content_of(name), 'text/plain')}).raise_for_status()
                    self.saved.append(name)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            self.error = e


def contacts_of(url: str, auth: dict[str, str], org: int) -> dict[str, dict]:
    found: dict[str, dict] = {}
    with httpx.Client(base_url=f'{url}/api/v1/orgs/{org}', headers=auth, timeout=30) as http:
        offset = 0
        while True:
            page = http.get('/contacts', params={'limit': 100, 'offset': offset}).json()
            found |= {item['last_name']: item for item in page['items']}
            offset += 100
            if offset >= page['total']:
                return found


def files_of(url: str, auth: dict[str, str], org: int, contacts: dict[str, dict]) -> dict[str, bytes]:
    """Every attachment of these contacts, by file name, with the content the server sends."""
    found: dict[str, bytes] = {}
    with httpx.Client(base_url=f'{url}/api/v1/orgs/{org}', headers=auth, timeout=30) as http:
        for contact in contacts.values():
            for attachment in http.get(f'/contacts/{contact["id"]}/attachments').json():
                content = http.get(f'/attachments/{attachment["id"]}/content')
                content.raise_for_status()
                found[attachment['filename']] = content.content
    return found


def _database_named(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f'/{name}'))


@pytest.fixture
def empty_database(rubrica_env: Path):
    """Where the restore goes: a new SQLite file in a new data dir, or a new empty PostgreSQL database."""
    if not ON_POSTGRES:
        yield ''
        return
    if not shutil.which('pg_dump'):
        pytest.skip('pg_dump is not installed (apt-get install postgresql-client)')
    name = urlsplit(POSTGRES_URL).path.lstrip('/') + '_restored'
    asyncio.run(_on_postgres_server(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                                    f'CREATE DATABASE "{name}"'))
    yield _database_named(POSTGRES_URL, name)
    asyncio.run(_on_postgres_server(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_a_backup_taken_while_records_are_saved_restores_to_the_same_records_and_files(
        rubrica_env: Path, empty_database: str, tmp_path: Path):
    port = free_port()
    backup_dir = tmp_path / 'backup'
    with running_server(port) as (url, _):
        httpx.post(f'{url}/api/v1/users', json={'email': 'bea@example.com', 'password': 'bea-password-1',
                                                'name': 'Bea'}).raise_for_status()
        token = httpx.post(f'{url}/api/v1/tokens', json={'email': 'bea@example.com',
                                                         'password': 'bea-password-1'}).json()['token']
        auth = {'Authorization': f'Bearer {token}'}
        org = httpx.post(f'{url}/api/v1/orgs', json={'name': 'Kept'}, headers=auth).json()['id']
        writer = Writer(url, auth, org)
        writer.start()
        while len(writer.saved) < 10 and writer.is_alive():
            time.sleep(0.05)
        saved_before = len(writer.saved)
        result = admin('backup', str(backup_dir))
        saved_after = len(writer.saved)
        time.sleep(0.5)  # and the writer goes on after the backup
        writer.stop.set()
        writer.join(30)
        assert writer.error is None, writer.error
        assert result.returncode == 0, result.stderr
        assert saved_after > saved_before  # the writer kept saving while the backup ran
        original = contacts_of(url, auth, org)

    manifest = json.loads((backup_dir / 'manifest.json').read_text())
    assert manifest['database']['kind'] == ('postgres' if ON_POSTGRES else 'sqlite')
    assert manifest['migrations'][-1] == sorted(p.stem for p in (ROOT / 'models/migrations').glob('0*.py'))[-1]
    assert (backup_dir / 'secret').stat().st_mode & 0o077 == 0 and backup_dir.stat().st_mode & 0o077 == 0

    restored_dir = tmp_path / 'restored'
    settings = {'RUBRICA_DATA_DIR': str(restored_dir),
                'RUBRICA_DATABASE_URL': empty_database or f'sqlite://{restored_dir / "rubrica.sqlite3"}'}
    result = admin('restore', str(backup_dir), **settings)
    assert result.returncode == 0, result.stderr

    with running_server(free_port(), log=tmp_path / 'restored.log', **settings) as (url, _):
        restored = contacts_of(url, auth, org)  # the same API token works: the same accounts
        # a consistent snapshot: the contacts saved up to one moment during the backup, each as it was saved
        names = sorted(restored)
        assert saved_before <= len(names) <= saved_after
        assert names == writer.saved[:len(names)]
        assert all(restored[name] == original[name] for name in names)
        files = files_of(url, auth, org, restored)
        expected = {f'{name}.txt': content_of(name) for i, name in enumerate(names) if i % 3 == 0}
        assert files.items() <= expected.items()  # every file the restored records list, whole
        # the writer attaches a file right after saving its contact: the snapshot may fall between the two
        assert set(expected) - set(files) <= {f'{names[-1]}.txt'}
        assert (restored_dir / 'secret').read_text() == (rubrica_env / 'secret').read_text()


def test_restore_refuses_a_target_that_is_not_empty_and_a_damaged_backup(rubrica_env: Path, tmp_path: Path):
    backup_dir = tmp_path / 'backup'
    with running_server(free_port()) as (url, _):  # an install with an account and a file
        httpx.post(f'{url}/api/v1/users', json={'email': 'dan@example.com', 'password': 'dan-password-1',
                                                'name': 'Dan'}).raise_for_status()
        auth = {'Authorization': 'Bearer ' + httpx.post(f'{url}/api/v1/tokens', json={
            'email': 'dan@example.com', 'password': 'dan-password-1'}).json()['token']}
        org = httpx.post(f'{url}/api/v1/orgs', json={'name': 'Full'}, headers=auth).json()['id']
        contact = httpx.post(f'{url}/api/v1/orgs/{org}/contacts', json={'last_name': 'Rossi'}, headers=auth).json()
        httpx.post(f'{url}/api/v1/orgs/{org}/contacts/{contact["id"]}/attachments', headers=auth,
                   files={'file': ('a.txt', b'attached', 'text/plain')}).raise_for_status()
    assert admin('backup', str(backup_dir)).returncode == 0

    # into the install it came from: its data dir and database are not empty
    refused = admin('restore', str(backup_dir))
    assert refused.returncode != 0 and 'is not empty' in refused.stderr
    # a backup never goes over another
    refused = admin('backup', str(backup_dir))
    assert refused.returncode != 0 and 'is not empty' in refused.stderr

    if not ON_POSTGRES:
        other = tmp_path / 'other'
        other.mkdir()
        (other / 'notes.txt').write_text('something of the operator')
        refused = admin('restore', str(backup_dir), RUBRICA_DATA_DIR=str(other),
                        RUBRICA_DATABASE_URL=f'sqlite://{other / "rubrica.sqlite3"}')
        assert refused.returncode != 0 and 'is not empty' in refused.stderr
        assert sorted(p.name for p in other.iterdir()) == ['notes.txt']

        # a file changed since the backup: nothing is restored
        manifest = json.loads((backup_dir / 'manifest.json').read_text())
        [upload] = manifest['files']
        (backup_dir / upload['path']).write_bytes(b'tampered')
        empty = tmp_path / 'empty'
        refused = admin('restore', str(backup_dir), RUBRICA_DATA_DIR=str(empty),
                        RUBRICA_DATABASE_URL=f'sqlite://{empty / "rubrica.sqlite3"}')
        assert refused.returncode != 0 and f'{upload["path"]} is missing or differs from its checksum' in refused.stderr
        assert not empty.exists() or not any(empty.iterdir())

    refused = admin('restore', str(tmp_path / 'nowhere'), RUBRICA_DATA_DIR=str(tmp_path / 'empty2'))
    assert refused.returncode != 0 and 'no readable backup' in refused.stderr


def test_a_postgresql_backup_without_pg_dump_says_what_to_install(tmp_path: Path):
    settings = {'RUBRICA_DATABASE_URL': 'postgres://rubrica:secret-pw-55@127.0.0.1:1/rubrica', 'PATH': str(tmp_path)}
    refused = admin('backup', str(tmp_path / 'backup'), **settings)
    assert refused.returncode != 0
    assert 'pg_dump is not installed' in refused.stderr and 'postgresql-client' in refused.stderr
    assert not (tmp_path / 'backup').exists()
    assert 'secret-pw-55' not in refused.stderr
