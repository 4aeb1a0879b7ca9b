"""Database configuration, start-up migrations and the few dialect differences we care about."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise, connections
from tortoise.contrib.fastapi import RegisterTortoise
from tortoise.migrations.executor import MigrationExecutor

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
]
# Not tables, but imported with them so that their signal handlers are registered wherever the ORM is (the server,
# the command line, the import workers, the tests): a deleted contact or company gives its uploads' space back.
SIGNAL_MODULES = [
    'models.files.storage',
]
MIGRATIONS_MODULE = 'models.migrations'

# WAL lets readers work while one writer writes; busy_timeout makes a second writer wait instead of failing;
# NORMAL is durable across application crashes in WAL mode and much faster than FULL.
SQLITE_PRAGMAS = {
    'journal_mode': 'WAL',
    'busy_timeout': '5000',
    'synchronous': 'NORMAL',
    'foreign_keys': 'ON',
}


def with_sqlite_pragmas(url: str) -> str:
    """Add our pragmas to a sqlite URL unless the operator set them explicitly."""
    if not url.startswith('sqlite://'):
        return url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    for name, value in SQLITE_PRAGMAS.items():
        query.setdefault(name, value)
    return urlunsplit(parts._replace(query=urlencode(query)))


def app_config() -> dict:
    return {'models': [*MODEL_MODULES, *SIGNAL_MODULES], 'default_connection': 'default',
            'migrations': MIGRATIONS_MODULE}


def tortoise_config(database_url: str) -> dict:
    return {
        'connections': {'default': with_sqlite_pragmas(database_url)},
        'apps': {APP_LABEL: app_config()},
        'use_tz': True,
        'timezone': 'UTC',
    }


async def migrate() -> None:
    """Apply every migration not applied yet (a no-op on an up-to-date database)."""
    executor = MigrationExecutor(connections.get('default'), {APP_LABEL: app_config()})
    await executor.migrate()


class Database:
    """Opens the ORM (with the global context NiceGUI's handlers need) and brings the schema up to date."""

    def __init__(self, database_url: str) -> None:
        self._orm = RegisterTortoise(config=tortoise_config(database_url))

    async def open(self) -> None:
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


__all__ = ['Database', 'Tortoise', 'dialect', 'is_postgres', 'migrate', 'tortoise_config']

# For Tortoise's command line: `tortoise -c models.db.TORTOISE_ORM makemigrations`
TORTOISE_ORM = tortoise_config('sqlite://:memory:')
