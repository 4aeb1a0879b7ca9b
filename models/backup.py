"""Backups of an install — its database, its uploaded files and its generated secret — and their restore.

`backup` takes a consistent snapshot while the server keeps running:
- SQLite: the online backup API (`sqlite3.Connection.backup`) copies the database in one step, which is one read
  transaction: the snapshot is the database as it was at one moment, and writers never wait for it (WAL).
- PostgreSQL: `pg_dump` in its custom format (one transaction too), when it is installed; without it the backup is
  refused with a message that says what to install.
- Uploaded files never change once written (a new upload is a new file, renamed into place before its row is
  committed; a deleted one is removed after its row's deletion is committed). So the files are copied once before
  the database snapshot (every file a row of the snapshot can name, unless it was deleted before the snapshot, is
  there), and once after it (those uploaded in between). Only a file uploaded and deleted again within the
  seconds of a backup can be missed, and then its row is gone from any later snapshot too.

Everything lands in a new or empty directory with `manifest.json` written last: the format, Rubrica's version, the
time, the database's kind and applied migrations, and every file with its size and SHA-256. The directory is the
owner's only (0700): it holds the secret that signs sessions and seals the cloud accounts' tokens, and everything
the database holds.

`restore` checks the manifest and every checksum before it writes anything, then restores into an empty data dir
and an empty database (a missing or empty SQLite file; a PostgreSQL database without tables) and refuses anything
else: it never merges into or overwrites an install. The server brings the schema up to date when it starts.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import asyncpg

from . import migrations
from .errors import RubricaError
from .i18n import _

FORMAT = 1  # of the manifest; a backup of another format is refused
MANIFEST = 'manifest.json'
SQLITE_FILE = 'database.sqlite3'
POSTGRES_FILE = 'database.pgdump'
FILES = 'files'  # the uploads, under their stored names
SECRET = 'secret'
TEMPORARY = '.tmp'  # uploads being written: never part of a backup
CHUNK = 1024 * 1024
PG_TIMEOUT = 3600  # seconds a pg_dump or pg_restore may take


class BackupError(RubricaError):
    """A backup or a restore that cannot be done, and why."""


@dataclass(frozen=True)
class Install:
    """Where an install keeps its data (main.py builds it from the settings)."""
    data_dir: Path
    database_url: str
    uploads_dir: Path
    secret_file: Path


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec='seconds')


def _version() -> str:
    try:
        return metadata.version('rubrica')
    except metadata.PackageNotFoundError:
        return 'unknown'


def _kind(database_url: str) -> str:
    scheme = urlsplit(database_url).scheme
    if scheme == 'sqlite':
        return 'sqlite'
    if scheme in ('postgres', 'postgresql', 'asyncpg'):
        return 'postgres'
    raise BackupError(_('Backups support SQLite and PostgreSQL databases, not {scheme}', scheme=scheme))


def _sqlite_path(database_url: str) -> Path:
    path = database_url.removeprefix('sqlite://').partition('?')[0]
    if not path or path == ':memory:':
        raise BackupError(_('An in-memory database cannot be backed up or restored'))
    return Path(path).resolve()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open('rb') as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _entry(root: Path, path: Path) -> dict[str, object]:
    return {'path': path.relative_to(root).as_posix(), 'size': path.stat().st_size, 'sha256': sha256(path)}


def _is_empty_dir(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def _empty(directory: Path) -> None:
    """Remove what a backup or a restore wrote into a directory that was empty before it."""
    for child in list(directory.iterdir()) if directory.is_dir() else ():
        shutil.rmtree(child) if child.is_dir() else child.unlink()


def _copy_private(source: Path, target: Path) -> None:
    """A copy readable by its owner only from its first byte (the secret)."""
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, 'wb') as out, source.open('rb') as original:
        shutil.copyfileobj(original, out)


# ---------------------------------------------------------------- the database

def _snapshot_sqlite(source: Path, target: Path) -> list[str]:
    """The database as it is now, into `target` (a self-contained file, no WAL); returns the applied migrations."""
    if not source.is_file():
        raise BackupError(_('There is no database at {path}', path=str(source)))
    try:
        return _copy_sqlite(source, target)
    except sqlite3.Error as e:
        raise BackupError(_('The database could not be read: {error}', error=str(e))) from e


def _copy_sqlite(source: Path, target: Path) -> list[str]:
    reader = sqlite3.connect(f'file:{source}?mode=rw', uri=True, timeout=30)  # mode=rw: never creates one
    try:
        copy = sqlite3.connect(target)
        try:
            reader.backup(copy)  # every page in one step: one read transaction, one moment
            copy.execute('PRAGMA journal_mode=DELETE')
            if copy.execute('PRAGMA quick_check').fetchone()[0] != 'ok':
                raise BackupError(_('The copy of the database is damaged; nothing was backed up'))
            return [name for (name,) in copy.execute('SELECT name FROM tortoise_migrations ORDER BY applied_at, name')]
        finally:
            copy.close()
    finally:
        reader.close()


@dataclass(frozen=True)
class _Postgres:
    """pg_dump's and pg_restore's view of a database URL: the password goes in the environment, never in argv
    (other users of the machine can read a process's arguments)."""
    host: str
    port: int
    user: str
    password: str
    database: str

    @classmethod
    def of(cls, database_url: str) -> _Postgres:
        parts = urlsplit(database_url)
        return cls(host=parts.hostname or '127.0.0.1', port=parts.port or 5432, user=unquote(parts.username or ''),
                   password=unquote(parts.password or ''), database=unquote(parts.path.lstrip('/')))

    def arguments(self) -> list[str]:
        return ['--host', self.host, '--port', str(self.port), *(['--username', self.user] if self.user else [])]

    def environment(self) -> dict[str, str]:
        return {**os.environ, 'PGPASSWORD': self.password, 'PGCONNECT_TIMEOUT': '10'}

    async def fetch(self, query: str) -> list:
        try:
            connection = await asyncpg.connect(host=self.host, port=self.port, user=self.user or None,
                                               password=self.password or None, database=self.database, timeout=10)
            try:
                return await connection.fetch(query)
            finally:
                await connection.close()
        except (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as e:
            raise BackupError(_('The database could not be read: {error}', error=str(e))) from e


def _client_program(name: str) -> str:
    program = shutil.which(name)
    if program is None:
        raise BackupError(_("{program} is not installed: PostgreSQL databases are backed up and restored with "
                            "PostgreSQL's own tools (on Debian: apt-get install postgresql-client)", program=name))
    return program


def _run(arguments: list[str], environment: dict[str, str]) -> None:
    done = subprocess.run(arguments, env=environment, capture_output=True, text=True, timeout=PG_TIMEOUT,
                          check=False)
    if done.returncode != 0:
        raise BackupError(_('{program} failed: {error}', program=Path(arguments[0]).name,
                            error=done.stderr.strip()[-2000:]))


async def _applied_postgres(database: _Postgres) -> list[str]:
    rows = await database.fetch('SELECT name FROM tortoise_migrations ORDER BY applied_at, name')
    return [row['name'] for row in rows]


async def _tables_postgres(database: _Postgres) -> int:
    rows = await database.fetch("SELECT count(*) AS n FROM pg_catalog.pg_tables "
                                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
    return rows[0]['n']


# ---------------------------------------------------------------- the files

def _copy_new_files(uploads: Path, target: Path, copied: set[str]) -> None:
    """Copy the uploads not copied yet (a file deleted while this runs is simply not there)."""
    if not uploads.is_dir():
        return
    for path in sorted(uploads.rglob('*')):
        relative = path.relative_to(uploads)
        if relative.parts[0] == TEMPORARY or not path.is_file() or relative.as_posix() in copied:
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(path, destination)
        except FileNotFoundError:  # deleted after it was listed
            continue
        copied.add(relative.as_posix())


# ---------------------------------------------------------------- backup

async def backup(*, install: Install, target: Path) -> dict:
    """Write a backup of `install` into `target` (new, or an empty directory); returns its manifest."""
    kind = _kind(install.database_url)
    pg_dump = _client_program('pg_dump') if kind == 'postgres' else ''
    if not _is_empty_dir(target):
        raise BackupError(_('{path} is not empty: a backup goes into a new or empty directory', path=str(target)))
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    target.chmod(0o700)
    try:
        manifest = await _write_backup(install, target, kind, pg_dump)
    except BaseException:
        _empty(target)  # no half backup left behind: the directory is empty again, for the next attempt
        raise
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding='utf-8')
    return manifest


async def _write_backup(install: Install, target: Path, kind: str, pg_dump: str) -> dict:
    copied: set[str] = set()
    await asyncio.to_thread(_copy_new_files, install.uploads_dir, target / FILES, copied)
    taken = _now()
    if kind == 'sqlite':
        database_file = target / SQLITE_FILE
        applied = await asyncio.to_thread(_snapshot_sqlite, _sqlite_path(install.database_url), database_file)
    else:
        database = _Postgres.of(install.database_url)
        database_file = target / POSTGRES_FILE
        await asyncio.to_thread(_run, [pg_dump, *database.arguments(), '--format=custom', '--no-owner',
                                       '--file', str(database_file), database.database], database.environment())
        applied = await _applied_postgres(database)
    await asyncio.to_thread(_copy_new_files, install.uploads_dir, target / FILES, copied)
    secret = None
    if install.secret_file.is_file():  # else RUBRICA_SECRET holds it, and the operator keeps it
        _copy_private(install.secret_file, target / SECRET)
        secret = await asyncio.to_thread(_entry, target, target / SECRET)
    files = await asyncio.to_thread(lambda: [_entry(target, target / FILES / name) for name in sorted(copied)])
    return {
        'format': FORMAT,
        'version': _version(),
        'created_at': taken,  # the moment of the database's snapshot
        'database': {'kind': kind, **await asyncio.to_thread(_entry, target, database_file)},
        'migrations': applied,
        'files': files,
        'secret': secret,
    }


    (target / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding='utf-8')
    return manifest


# ---------------------------------------------------------------- restore

def _damaged(name: object) -> BackupError:
    return BackupError(_('The backup is damaged: {file} is missing or differs from its checksum; nothing was '
                         'restored', file=str(name)))


def read_manifest(source: Path) -> dict:
    """The backup's manifest, its entries' paths checked to stay inside the backup (files under files/)."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding='utf-8'))
    except (OSError, ValueError):
        raise BackupError(_('{path} holds no readable backup (manifest.json is missing or damaged)',
                            path=str(source))) from None
    if not isinstance(manifest, dict) or manifest.get('format') != FORMAT:
        raise BackupError(_('This backup was written in a format this version of Rubrica does not read'))
    try:
        expected = {SQLITE_FILE, POSTGRES_FILE} if manifest['database']['kind'] in ('sqlite', 'postgres') else set()
        good = (manifest['database']['path'] in expected
                and all(_is_upload_path(entry['path']) for entry in manifest['files'])
                and (not manifest['secret'] or manifest['secret']['path'] == SECRET)
                and all(isinstance(name, str) for name in manifest['migrations']))
    except (KeyError, TypeError):
        good = False
    if not good:
        raise _damaged(MANIFEST)
    return manifest


def _is_upload_path(path: object) -> bool:
    parts = PurePosixPath(path).parts if isinstance(path, str) else ()
    return len(parts) >= 2 and parts[0] == FILES and not {'..', '.', ''} & set(parts[1:]) \
        and not PurePosixPath(path).is_absolute()


def verify(source: Path, manifest: dict) -> None:
    """Every file the manifest lists is there, with its size and checksum; the schema is one this code knows."""
    entries = [manifest['database'], *manifest['files'], *([manifest['secret']] if manifest['secret'] else [])]
    for entry in entries:
        path = source / entry['path']
        if not path.is_file() or path.stat().st_size != entry['size'] or sha256(path) != entry['sha256']:
            raise _damaged(entry['path'])
    unknown = sorted(set(manifest['migrations']) - _known_migrations())
    if unknown:
        raise BackupError(_('This backup comes from a newer version of Rubrica (migration {name}); install that '
                            'version to restore it', name=unknown[0]))


def _known_migrations() -> set[str]:
    return {path.stem for path in Path(migrations.__file__).parent.glob('[0-9]*.py')}


def _restore_files(source: Path, manifest: dict, install: Install) -> None:
    for entry in manifest['files']:
        destination = install.uploads_dir / PurePosixPath(entry['path']).relative_to(FILES)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / entry['path'], destination)
    if manifest['secret']:
        _copy_private(source / manifest['secret']['path'], install.secret_file)


def _restore_sqlite(source: Path, target: Path) -> None:
    """The file under a temporary name, then renamed: a restore cut off leaves no half database behind."""
    partial = target.with_name(target.name + '.restoring')
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


async def _refuse_a_full_target(install: Install, kind: str) -> None:
    if not _is_empty_dir(install.data_dir):
        raise BackupError(_('The data directory {path} is not empty: a backup is restored into an empty one only',
                            path=str(install.data_dir)))
    if kind == 'sqlite':
        path = _sqlite_path(install.database_url)
        if path.exists() and path.stat().st_size:
            raise BackupError(_('The database {name} is not empty: a backup is restored into an empty one only',
                                name=str(path)))
    elif await _tables_postgres(_Postgres.of(install.database_url)):
        raise BackupError(_('The database {name} is not empty: a backup is restored into an empty one only',
                            name=_Postgres.of(install.database_url).database))


async def restore(*, install: Install, source: Path) -> dict:
    """Restore the backup in `source` into `install`, which must be empty; returns the backup's manifest."""
    manifest = await asyncio.to_thread(read_manifest, source)
    kind = _kind(install.database_url)
    if manifest['database']['kind'] != kind:
        raise BackupError(_('This is a backup of a {backup} database: it restores onto {backup} only, and '
                            'RUBRICA_DATABASE_URL is {target}', backup=manifest['database']['kind'], target=kind))
    pg_restore = _client_program('pg_restore') if kind == 'postgres' else ''
    await _refuse_a_full_target(install, kind)
    await asyncio.to_thread(verify, source, manifest)
    install.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        await asyncio.to_thread(_restore_files, source, manifest, install)
        if kind == 'sqlite':
            database_path = _sqlite_path(install.database_url)
            database_path.parent.mkdir(parents=True, exist_ok=True)
            await asyncio.to_thread(_restore_sqlite, source / manifest['database']['path'], database_path)
        else:
            database = _Postgres.of(install.database_url)
            await asyncio.to_thread(_run, [pg_restore, *database.arguments(), '--no-owner', '--no-privileges',
                                           '--single-transaction', '--exit-on-error', '--dbname', database.database,
                                           str(source / manifest['database']['path'])], database.environment())
    except BaseException:
        # the data dir was empty (and pg_restore's one transaction left the database so): leave it empty again,
        # so that the operator can try again
        _empty(install.data_dir)
        raise
    return manifest
