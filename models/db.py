"""Database configuration, start-up migrations and the few dialect differences we care about."""
from __future__ import annotations

import os
from datetime import datetime, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode, urlsplit

from tortoise import Tortoise, connections, fields
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.contrib.fastapi import RegisterTortoise
from tortoise.migrations.executor import MigrationExecutor
from tortoise.models import Model

APP_LABEL = 'models'
MODEL_MODULES = [
    'models.accounts.tables',
    'models.orgs.tables',
    'models.records.tables',
    'models.work.tables',
    'models.kiosk.tables',
    'models.files.tables',
    'models.duplicates.tables',
    'models.imports.tables',
    'models.mail.tables',
    'models.notifications.tables',
    'models.history.tables',
    'models.carddav.tables',
    'models.jobs.tables',
]
# Not tables, but imported with them so that their signal handlers are registered wherever the ORM is (the server,
# the command line, the import workers, the tests): a deleted contact or company gives its uploads' space back.
SIGNAL_MODULES = [
    'models.files.storage',
]
MIGRATIONS_MODULE = 'models.migrations'

# WAL lets readers work while one writer writes; busy_timeout makes a second writer wait instead of failing;
# NORMAL is durable across application crashes in WAL mode and much faster than FULL. cache_size: each connection
# keeps up to 64 MiB of pages (SQLite's default is 2 MiB): at 1,000,000 contacts a list's total reads a few thousand
# rows of a 1.6 GB file through the gate, and with 2 MiB most of those pages were read again from the OS on every
# request (a member's first page of /contacts, rows + total: 14.9 -> 6.3 ms of database time at 1M). Memory is taken
# as pages are read, not up front, and it is per connection (the writer and each reader).
SQLITE_PRAGMAS = {
    'journal_mode': 'WAL',
    'busy_timeout': '5000',
    'synchronous': 'NORMAL',
    'foreign_keys': 'ON',
    'cache_size': '-65536',
}


def with_sqlite_pragmas(url: str) -> str:
    """Add our pragmas to a sqlite URL unless the operator set them explicitly. The path is kept as written:
    urlunsplit would turn "sqlite:////tmp/x" into "sqlite://tmp/x", a relative path."""
    if not url.startswith('sqlite://'):
        return url
    location, _sep, query_text = url.partition('?')
    query = dict(parse_qsl(query_text))
    for name, value in SQLITE_PRAGMAS.items():
        query.setdefault(name, value)
    return f'{location}?{urlencode(query)}'


def sqlite_path(url: str) -> str | None:
    """The file of a sqlite URL (None for another database or an in-memory one), as Tortoise reads it."""
    if not url.startswith('sqlite://'):
        return None
    path = urlsplit(url.partition('?')[0]).netloc + urlsplit(url.partition('?')[0]).path
    return None if path in ('', ':memory:') else path


class DatabaseUnavailable(RuntimeError):
    """The database cannot be opened: the message names what is wrong."""


# Reader connections of a SQLite database (RUBRICA_SQLITE_READERS): reads outside transactions run on them, beside the
# one writer connection, so that a long search does not hold up a card's short reads (models/sqlite_readers.py).
DEFAULT_SQLITE_READERS = 4
MAX_SQLITE_READERS = 32


def sqlite_connection(database_url: str, readers: int = DEFAULT_SQLITE_READERS) -> str | dict:
    """The `default` connection's configuration: the URL with our SQLite pragmas, and on a SQLite file in WAL mode
    with readers, the same credentials on our client with read connections (an in-memory database cannot be shared
    by connections; without WAL, readers would make the writer wait)."""
    url = with_sqlite_pragmas(database_url)
    if not url.startswith('sqlite://') or readers <= 0:
        return url
    info = expand_db_url(url)
    credentials = info['credentials']
    path = str(credentials.get('file_path', ''))
    if path in ('', ':memory:') or 'mode=memory' in path or str(credentials.get('journal_mode')).upper() != 'WAL':
        return url
    return {'engine': 'models.sqlite_readers', 'credentials': {**credentials, 'readers': readers}}


def app_config() -> dict:
    return {'models': [*MODEL_MODULES, *SIGNAL_MODULES], 'default_connection': 'default',
            'migrations': MIGRATIONS_MODULE}


def tortoise_config(database_url: str, sqlite_readers: int = DEFAULT_SQLITE_READERS) -> dict:
    return {
        'connections': {'default': sqlite_connection(database_url, sqlite_readers)},
        'apps': {APP_LABEL: app_config()},
        'use_tz': True,
        'timezone': 'UTC',
    }


async def migrate() -> None:
    """Apply every migration not applied yet (a no-op on an up-to-date database)."""
    executor = MigrationExecutor(connections.get('default'), {APP_LABEL: app_config()})
    await executor.migrate()


async def pending_migrations() -> list[str]:
    """The migrations this code has that the database has not applied (empty when up to date): the server applies
    them at start-up, so a name here means that start-up failed, or that another version of Rubrica runs on it."""
    executor = MigrationExecutor(connections.get('default'), {APP_LABEL: app_config()})
    return [step.migration.name for step in await executor.plan() if not step.backward]


async def ping() -> None:
    """Raise unless the database answers a query that reads a table. On SQLite the file must still be where it was
    opened: SQLite keeps working on a file that was deleted or moved away under it, and every write would be lost."""
    connection = connections.get('default')
    filename = getattr(connection, 'filename', None)
    if dialect() == 'sqlite' and filename != ':memory:' and not os.path.exists(filename):
        raise FileNotFoundError('the SQLite database file is gone')
    if not getattr(connection, 'file_is_the_one_opened', lambda: True)():
        raise FileNotFoundError('the SQLite database file was replaced')
    await connection.execute_query('SELECT COUNT(*) FROM tortoise_migrations')


def pool_use() -> dict[str, int]:
    """The PostgreSQL connection pool's size, idle connections and maximum; on SQLite, the same of the reader
    connections beside the writer ({} without readers: one connection)."""
    connection = connections.get('default')
    if hasattr(connection, 'reader_use'):
        return connection.reader_use()
    pool = getattr(connection, '_pool', None)  # asyncpg's Pool, once opened
    if pool is None:
        return {}
    return {'open': pool.get_size(), 'idle': pool.get_idle_size(), 'max': pool.get_max_size()}


class Database:
    """Opens the ORM (with the global context NiceGUI's handlers need) and brings the schema up to date."""

    def __init__(self, database_url: str, sqlite_readers: int = DEFAULT_SQLITE_READERS) -> None:
        self._url = database_url
        self._orm = RegisterTortoise(config=tortoise_config(database_url, sqlite_readers))

    async def open(self) -> None:
        # a SQLite file that cannot be created fails inside Tortoise's connection lock, which then stays taken:
        # every later query would wait for ever, so the folder is checked first
        path = sqlite_path(self._url)
        if path is not None and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise DatabaseUnavailable(f'the folder of the SQLite database {path!r} does not exist')
        await self._orm.init_orm()
        await migrate()

    async def close(self) -> None:
        if dialect() == 'sqlite':  # refresh the planner's statistics where they went stale (SQLite's advice)
            await connections.get('default').execute_script('PRAGMA optimize')
        await self._orm.close_orm()


def dialect() -> str:
    """'sqlite' or 'postgres': the few queries that differ ask this."""
    return connections.get('default').capabilities.dialect


def is_postgres() -> bool:
    return dialect() == 'postgres'


async def reserve_ids(table: str, count: int) -> list[int]:
    """`count` new ids of `table` (its serial primary key `id`), for rows then inserted in bulk with their ids given:
    Tortoise's bulk_create does not report the ids the database made. Call it inside the transaction that inserts
    them. PostgreSQL takes them from the table's sequence; SQLite moves the table's AUTOINCREMENT counter past them,
    which takes the write lock until the commit, so no other writer can make a row with one of them meanwhile (and
    ids stay contiguous, first to last)."""
    if count <= 0:
        return []
    client = connections.get('default')
    if is_postgres():
        rows = await client.execute_query_dict(
            "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)", [table, count])
        return sorted(row['id'] for row in rows)
    top = f'(SELECT COALESCE(MAX(id), 0) FROM "{table}")'
    rows = await client.execute_query_dict(
        f'UPDATE sqlite_sequence SET seq = MAX(seq, {top}) + ? WHERE name = ? RETURNING seq', [count, table])
    if not rows:  # no row of the table was ever inserted: its counter starts now
        rows = await client.execute_query_dict(
            f'INSERT INTO sqlite_sequence (name, seq) VALUES (?, {top} + ?) RETURNING seq', [table, count])
    last = rows[0]['seq']
    return list(range(last - count + 1, last + 1))


def parameterized(queryset) -> tuple[object, str, list]:
    """The connection a queryset runs on, and the SQL and values it would send: for a query wrapped around it or
    read as plain rows, where the ORM's own reading costs more than the query."""
    queryset._choose_db_if_not_chosen()
    queryset._make_query()
    sql, values = queryset.query.get_parameterized_sql()
    return queryset._db, sql, values


async def chunked(query_for, values: list, size: int = 1000) -> list:
    """`query_for(part)` for each `size` values in turn (an IN (...) list of thousands is slow to plan or refused),
    the rows of all of them together."""
    found: list = []
    for start in range(0, len(values), size):
        found += await query_for(values[start:start + size])
    return found


__all__ = ['BulkInsert', 'Database', 'Tortoise', 'chunked', 'dialect', 'is_postgres', 'migrate', 'note_use',
           'parameterized', 'pending_migrations', 'ping', 'pool_use', 'reserve_ids', 'tortoise_config']

# For Tortoise's command line: `tortoise -c models.db.TORTOISE_ORM makemigrations`
TORTOISE_ORM = tortoise_config('sqlite://:memory:')


class BulkInsert:
    """Rows inserted in bulk, fed plain objects (building 100,000 model instances costs more than validating the
    rows), with Tortoise's own column conversions: on PostgreSQL by `COPY` (asyncpg's copy_records_to_table, on the
    transaction's connection; the table's triggers run as for an INSERT), on SQLite into a temporary table by a
    prepared INSERT with executemany, then into the table by one INSERT ... SELECT: rows inserted each by its own
    statement cost SQLite a statement journal apiece once the table has triggers that write (search index, counts,
    duplicate keys, CardDAV log), two to three times what the same rows cost inserted together, and a table without
    triggers loses nothing measurable. `with_ids`: the primary key is given too."""

    def __init__(self, model: type[Model], connection, *, with_ids: bool) -> None:
        executor = connection.executor_class(model=model, db=connection)
        self.columns = executor.regular_columns_all if with_ids else executor.regular_columns
        self.fields = [model._meta.fields_map[name] for name in self.columns]
        self.db_columns = [model._meta.fields_db_projection[name] for name in self.columns]
        self.model, self.connection = model, connection
        self.defaults = {name: column.default for name, column in zip(self.columns, self.fields)}
        # text and numbers go to the driver as they are; JSON and timestamps the way Tortoise converts them
        self.converted = [(name, column.to_db_value if isinstance(column, (fields.JSONField, fields.DatetimeField))
                           else None) for name, column in zip(self.columns, self.fields)]

    def blank(self, **values) -> SimpleNamespace:
        """An object with every column, the model's defaults where not given."""
        return SimpleNamespace(**{name: default() if callable(default) else default
                                  for name, default in self.defaults.items() if name not in values}, **values)

    async def run(self, objects: list) -> None:
        if not objects:
            return
        model = self.model
        rows = [[convert(getattr(o, name), model) if convert else getattr(o, name) for name, convert in self.converted]
                for o in objects]
        table = model._meta.db_table
        if self.connection.capabilities.dialect == 'postgres':
            await self.connection._connection.copy_records_to_table(table, records=rows, columns=self.db_columns)
            return
        staged, columns = f'temp."staged_{table}"', ', '.join(f'"{column}"' for column in self.db_columns)
        # a run that failed outside a transaction leaves its table on the connection
        await self.connection.execute_query(f'DROP TABLE IF EXISTS {staged}')
        await self.connection.execute_query(f'CREATE TEMPORARY TABLE {staged} ({columns})')
        await self.connection.execute_many(
            f'INSERT INTO {staged} VALUES ({", ".join("?" * len(self.db_columns))})', rows)
        await self.connection.execute_query(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM {staged} '
                                            f'ORDER BY rowid')
        await self.connection.execute_query(f'DROP TABLE {staged}')


USE_PRECISION = timedelta(minutes=1)  # how exactly "last used" is kept: pages show the day, or "5 minutes ago"


async def note_use(row: Model, at: datetime) -> None:
    """That a credential (an API token, a kiosk link) was used at `at`, written at most once a minute: it is checked
    on every API request and kiosk read, and a write on each would send every one of those reads through the
    database's writer (on SQLite, one connection for the whole process)."""
    if row.last_used_at is None or at - row.last_used_at >= USE_PRECISION:
        await type(row).filter(id=row.id).update(last_used_at=at)
