"""SQLite reads on reader connections beside the writer (models/sqlite_readers.py): a long read does not hold up a
short one, a transaction reads its own writes, a committed write is seen by the next read, writes stay on the writer.
"""
from __future__ import annotations

import asyncio
import os
import sqlite3

import pytest
from tortoise import connections
from tortoise.transactions import atomic, in_transaction

from models import db as database
from models.accounts.tables import User
from models.db import Database
from tests.conftest import ON_POSTGRES
from tests.helpers import make_user

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason='SQLite connections; PostgreSQL has its pool')

# a read that keeps SQLite busy for a second or more: counting to five million with a recursive CTE
SLOW_READ = ('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000000) '
             'SELECT COUNT(*) AS c FROM n')
EMAIL = "SELECT email, name FROM users WHERE email = ?"


async def _started(task: asyncio.Task) -> None:
    """Let a task that was just created send its query."""
    for _ in range(10):
        await asyncio.sleep(0.01)
    assert not task.done()


async def test_a_long_read_does_not_hold_up_a_short_one(db):
    user = await make_user()
    slow = asyncio.create_task(connections.get('default').execute_query_dict(SLOW_READ))
    await _started(slow)
    # the ORM and raw SQL: both answered while the long read still runs (with one connection they wait for it)
    assert (await User.get(id=user.id)).email == user.email
    assert not slow.done()
    assert await connections.get('default').execute_query_dict(EMAIL, [user.email]) == [
        {'email': user.email, 'name': user.name}]
    assert not slow.done()
    assert (await slow) == [{'c': 5000000}]


async def test_reads_go_on_while_another_task_holds_a_transaction(db):
    user = await make_user(name='Before')
    written, committed = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with in_transaction():
            await User.filter(id=user.id).update(name='After')
            written.set()
            await committed.wait()

    task = asyncio.create_task(writer())
    try:
        await asyncio.wait_for(written.wait(), 10)
        # not waiting for the transaction, and not seeing what it has not committed yet
        assert (await asyncio.wait_for(User.get(id=user.id), 10)).name == 'Before'
    finally:
        committed.set()
        await task
    assert (await User.get(id=user.id)).name == 'After'  # committed: the next read sees it


async def test_a_transaction_reads_its_own_writes(db):
    async with in_transaction() as connection:
        user = await make_user(name='Fresh')
        await User.filter(id=user.id).update(name='Renamed')
        assert (await User.get(id=user.id)).name == 'Renamed'
        assert await User.filter(name='Renamed').count() == 1
        assert (await User.filter(id=user.id).values('name')) == [{'name': 'Renamed'}]
        expected = [{'email': user.email, 'name': 'Renamed'}]
        assert await connections.get('default').execute_query_dict(EMAIL, [user.email]) == expected
        assert await connection.execute_query_dict(EMAIL, [user.email]) == expected
        async with in_transaction():  # a savepoint inside
            await User.filter(id=user.id).update(name='Nested')
            assert (await User.get(id=user.id)).name == 'Nested'
        assert (await User.get(id=user.id)).name == 'Nested'

    @atomic()
    async def make_and_read() -> str:
        made = await make_user(name='Atomic')
        return (await User.get(id=made.id)).name
    assert await make_and_read() == 'Atomic'


async def test_a_rolled_back_write_is_not_seen(db):
    with pytest.raises(RuntimeError):
        async with in_transaction():
            user = await make_user(name='Gone')
            raise RuntimeError('undo')
    assert not await User.filter(id=user.id).exists()


async def test_a_committed_write_is_seen_by_the_next_read(db):
    for n in range(20):  # reads on every reader, each right after a write
        user = await make_user(name=f'Seen {n}')
        assert (await User.get(id=user.id)).name == f'Seen {n}'
        await User.filter(id=user.id).update(name=f'Changed {n}')
        rows = await connections.get('default').execute_query_dict(EMAIL, [user.email])
        assert rows == [{'email': user.email, 'name': f'Changed {n}'}]
        await connections.get('default').execute_query('UPDATE users SET name = ? WHERE id = ?', [f'Raw {n}', user.id])
        assert (await User.get(id=user.id)).name == f'Raw {n}'


async def test_a_write_that_looks_like_a_read_runs_on_the_writer(db):
    user = await make_user(name='Plain')
    client = connections.get('default')
    await client.execute_query("WITH v(e) AS (SELECT ?) UPDATE users SET name = 'Written' WHERE email IN "
                               "(SELECT e FROM v)", [user.email])
    assert (await User.get(id=user.id)).name == 'Written'
    rows = await client.execute_query_dict("WITH v(e) AS (SELECT ?) UPDATE users SET name = 'Again' WHERE email IN "
                                           "(SELECT e FROM v) RETURNING name", [user.email])
    assert rows == [{'name': 'Again'}]
    assert (await User.get(id=user.id)).name == 'Again'


async def test_readers_are_few_and_opened_like_the_writer(db):
    client = connections.get('default')
    users = [await make_user() for _ in range(3)]
    slow = [asyncio.create_task(client.execute_query_dict(SLOW_READ)) for _ in range(database.DEFAULT_SQLITE_READERS + 2)]
    await _started(slow[0])
    # more reads than readers: they wait for one, and every answer is right
    assert [u.email for u in await asyncio.gather(*(User.get(id=u.id) for u in users))] == [u.email for u in users]
    assert all(row == [{'c': 5000000}] for row in await asyncio.gather(*slow))
    assert database.pool_use() == {'open': database.DEFAULT_SQLITE_READERS, 'idle': database.DEFAULT_SQLITE_READERS,
                                   'max': database.DEFAULT_SQLITE_READERS}
    async with client.reader() as reader:
        pragmas = {name: (await reader.execute_fetchall(f'PRAGMA {name}'))[0][0]
                   for name in ('query_only', 'foreign_keys', 'busy_timeout', 'journal_mode', 'synchronous')}
    assert pragmas == {'query_only': 1, 'foreign_keys': 1, 'busy_timeout': 5000, 'journal_mode': 'wal',
                       'synchronous': 1}


async def test_a_file_moved_away_is_not_made_again_and_a_replaced_one_is_noticed(db, rubrica_env):
    client = connections.get('default')
    path = rubrica_env / 'rubrica.sqlite3'
    await database.ping()
    path.rename(rubrica_env / 'moved-away.sqlite3')
    # a reader opened now (every open one busy, or a job starting) must not make an empty database where it was
    with pytest.raises(sqlite3.OperationalError, match='unable to open database file'):
        await client._open_reader()
    assert not path.exists()
    with pytest.raises(FileNotFoundError, match='gone'):
        await database.ping()
    # a file put in its place is not the database this process writes to
    path.write_bytes(b'')
    with pytest.raises(FileNotFoundError, match='replaced'):
        await database.ping()
    path.unlink()
    (rubrica_env / 'moved-away.sqlite3').rename(path)
    await database.ping()


async def test_no_readers_one_connection_as_before(rubrica_env):
    orm = Database(os.environ['RUBRICA_DATABASE_URL'], sqlite_readers=0)
    await orm.open()
    try:
        assert not hasattr(connections.get('default'), 'reader')
        assert database.pool_use() == {}
        user = await make_user(name='Alone')
        assert (await User.get(id=user.id)).name == 'Alone'
    finally:
        await orm.close()


def test_an_in_memory_database_keeps_one_connection():
    assert database.sqlite_connection('sqlite://:memory:') == database.with_sqlite_pragmas('sqlite://:memory:')
    assert database.sqlite_connection('sqlite:///tmp/x.sqlite3?journal_mode=DELETE').startswith('sqlite://')
    assert database.sqlite_connection('postgres://u@h/d') == 'postgres://u@h/d'
    config = database.sqlite_connection('sqlite:///tmp/x.sqlite3', readers=2)
    assert config['engine'] == 'models.sqlite_readers'
    assert config['credentials']['readers'] == 2 and config['credentials']['file_path'] == '/tmp/x.sqlite3'


def test_an_absolute_path_written_with_four_slashes_stays_absolute():
    # sqlite:////tmp/x became sqlite://tmp/x: a relative path, a database that was not there
    config = database.sqlite_connection('sqlite:////tmp/rubrica-x/db.sqlite3')
    assert config['credentials']['file_path'] == '//tmp/rubrica-x/db.sqlite3'
    assert database.with_sqlite_pragmas('sqlite:////tmp/x.sqlite3').startswith('sqlite:////tmp/x.sqlite3?')
