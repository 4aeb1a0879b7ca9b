"""The database URL as the operator writes it: the SQLite path kept exactly, a folder that does not exist refused
with a message instead of a start-up that waits for ever."""
from __future__ import annotations

import asyncio

import pytest

from models.db import Database, DatabaseUnavailable, sqlite_path, with_sqlite_pragmas


@pytest.mark.parametrize('url, path', [
    ('sqlite:////tmp/rubrica/x.sqlite3', '//tmp/rubrica/x.sqlite3'),
    ('sqlite:///tmp/rubrica/x.sqlite3', '/tmp/rubrica/x.sqlite3'),
    ('sqlite://data/x.sqlite3', 'data/x.sqlite3'),
    ('sqlite:///tmp/x.sqlite3?journal_mode=DELETE', '/tmp/x.sqlite3'),
])
def test_the_pragmas_are_added_and_the_path_kept_as_written(url, path):
    with_pragmas = with_sqlite_pragmas(url)
    assert sqlite_path(with_pragmas) == path
    assert 'busy_timeout=5000' in with_pragmas and 'foreign_keys=ON' in with_pragmas
    assert ('journal_mode=DELETE' in with_pragmas) == ('journal_mode=DELETE' in url)  # the operator's choice kept


def test_an_in_memory_or_other_database_has_no_file():
    assert sqlite_path('sqlite://:memory:') is None
    assert sqlite_path('postgres://postgres@127.0.0.1:5432/x') is None


async def test_a_sqlite_file_in_a_missing_folder_is_refused_by_name_at_once(tmp_path):
    missing = tmp_path / 'no such folder' / 'rubrica.sqlite3'
    with pytest.raises(DatabaseUnavailable, match='does not exist'):
        await asyncio.wait_for(Database(f'sqlite://{missing}').open(), 10)
