"""Tortoise's SQLite client with a few read-only connections beside its one writer connection.

Tortoise's SQLite client has ONE connection (aiosqlite: one thread, one lock), so every query of the process waits
for the one before it: a card's 1-ms queries queue behind a 100-ms search, and nothing runs while a transaction is
open. In WAL mode SQLite lets any number of connections read while one writes, each reading the last committed
state; this client uses that (it is the engine of the `default` connection when RUBRICA_SQLITE_READERS > 0):

- A statement starting with SELECT or WITH, sent outside a transaction (`execute_query` / `execute_query_dict` on
  the client itself: every ORM read and every raw read on `connections.get('default')`), runs on a free reader, or
  waits for one; everything else (writes, scripts, DDL, pragmas) runs on the writer, as before.
- Inside `in_transaction()` / `atomic()` Tortoise puts a transaction wrapper of the writer in place of this client
  (for that task); the wrapper is Tortoise's own class and runs every statement, reads too, on the writer, inside
  the transaction: a transaction reads its own writes.
- Outside a transaction a write has been committed when its `await` returns, and a reader starts a new read
  transaction for each statement (autocommit), so the next read sees it.
- Readers are opened with the writer's pragmas plus `query_only`: a statement taken for a read that writes after
  all (`WITH … INSERT`) is refused by SQLite before it changes anything, and is then run on the writer.
- Readers open the file the writer made (`mode=rw`), never create one: were the file moved away, a new reader would
  otherwise make an empty database at its place and answer "no such table".

Not routers (Tortoise's `db_for_read`): they see ORM querysets only, not raw SQL, and they do not know about the
task's open transaction, so a read in a transaction would miss its own writes.
"""
from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path
from collections.abc import Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite
from tortoise.backends.sqlite.client import SqliteClient, SqliteClientWithRegexpSupport, translate_exceptions
from tortoise.contrib.sqlite.regex import install_regexp_functions

READ_STARTS = ('SELECT', 'WITH')


def is_read(query: str) -> bool:
    """Whether a statement is taken for a read (a wrong guess is caught by the readers' query_only)."""
    return query.lstrip()[:6].upper().startswith(READ_STARTS)


def _identity(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _refused_write(error: sqlite3.OperationalError) -> bool:
    return getattr(error, 'sqlite_errorcode', 0) & 0xFF == sqlite3.SQLITE_READONLY


class SqliteReadersClient(SqliteClient):
    """SqliteClient whose reads outside transactions go to a pool of `readers` read-only connections."""

    def __init__(self, file_path: str, readers: int | str = 0, install_regexp_functions: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self.readers = int(readers)
        self.regexp = install_regexp_functions in (True, 'true', 'True', '1', 1)
        if self.regexp:  # as Tortoise's SqliteClientWithRegexpSupport, on every connection
            self.capabilities = SqliteClientWithRegexpSupport.capabilities
        self._idle: list[aiosqlite.Connection] = []  # open readers nobody uses, the last used last
        self._open: list[aiosqlite.Connection] = []  # every open reader
        self._free: asyncio.Semaphore | None = None  # made on first use, in the running loop
        self.opened_file: tuple[int, int] | None = None  # (device, inode) of the file the writer opened

    def file_is_the_one_opened(self) -> bool:
        """Whether the database file is still at its path: SQLite keeps working on a file moved away or deleted under
        it (every write then lost), and a file put in its place is not the one this client reads."""
        return self.opened_file is None or _identity(self.filename) == self.opened_file

    async def create_connection(self, with_db: bool) -> None:
        await super().create_connection(with_db)
        if self._connection:
            self.opened_file = _identity(self.filename)
        if self.regexp and self._connection:
            await install_regexp_functions(self._connection)

    async def _open_reader(self) -> aiosqlite.Connection:
        uri = f'{Path(self.filename).absolute().as_uri()}?mode=rw'
        connection = await aiosqlite.connect(uri, uri=True, isolation_level=None)
        try:
            connection._conn.row_factory = sqlite3.Row
            for pragma, value in (*self.pragmas.items(), ('query_only', 'ON')):
                await (await connection.execute(f'PRAGMA {pragma}={value}')).close()
            if self.regexp:
                await install_regexp_functions(connection)
        except BaseException:
            await connection.close()
            raise
        return connection

    @asynccontextmanager
    async def reader(self):
        """A reader of this client's own for one statement; waits while all are busy."""
        if self._free is None:
            self._free = asyncio.Semaphore(self.readers)
        await self._connection_ready()
        async with self._free:
            if self._idle:
                connection = self._idle.pop()
            else:
                connection = await self._open_reader()
                self._open.append(connection)
            try:
                yield connection
            finally:
                if connection in self._open:  # not closed meanwhile
                    self._idle.append(connection)

    async def _connection_ready(self) -> None:
        """The writer opens first: it puts the database in WAL mode, and creates the file if there is none."""
        if not self._connection:
            async with self._lock:
                await self.create_connection(with_db=True)

    def _reads_apart(self, query: str) -> bool:
        return self.readers > 0 and is_read(query)

    async def _read(self, query: str, values: list | None) -> list[sqlite3.Row] | None:
        """The rows of a read on a reader, or None when SQLite refused it as a write (run it on the writer)."""
        async with self.reader() as connection:
            self.log.debug('%s: %s', query, values)
            try:
                return await connection.execute_fetchall(query, values)
            except sqlite3.OperationalError as e:
                if _refused_write(e):
                    return None
                raise

    @translate_exceptions
    async def execute_query(self, query: str, values: list | None = None) -> tuple[int, Sequence[dict]]:
        if self._reads_apart(query):
            rows = await self._read(query.replace('\x00', "'||CHAR(0)||'"), values)
            if rows is not None:
                return len(rows), rows
        return await super().execute_query(query, values)

    @translate_exceptions
    async def execute_query_dict(self, query: str, values: list | None = None) -> list[dict]:
        if self._reads_apart(query):
            rows = await self._read(query.replace('\x00', "'||CHAR(0)||'"), values)
            if rows is not None:
                return list(map(dict, rows))
        return await super().execute_query_dict(query, values)

    def reader_use(self) -> dict[str, int]:
        return {'open': len(self._open), 'idle': len(self._idle), 'max': self.readers}

    async def close(self) -> None:
        # readers first: the last connection to close checkpoints the WAL into the database file and removes it
        readers, self._open, self._idle, self._free = self._open, [], [], None
        for connection in readers:
            try:
                await connection.close()
            except Exception:  # a reader already gone must not keep the writer open
                self.log.exception('closing a SQLite reader')
        await super().close()


client_class = SqliteReadersClient
