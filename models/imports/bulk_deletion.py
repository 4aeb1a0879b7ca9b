"""SQLite: deleting the contacts an import created, with the counts the database keeps of them moved by a few
set-based statements instead of one trigger run per contact and per key (migration 0037_bulk_deletion: those
triggers skip while `bulk_deletion` holds a row; issue 20, a 100,000-row undo).

What the skipped triggers write is written here for all the contacts at once, from their rows read before the
deletion:
- duplicate_keys: each value of their keys and names, counted, taken away: the values left with no holder deleted,
  the others' counts lowered and their holders' ids read again (0027_duplicate_keys, 0033_duplicate_holders);
- CardDAV (0024_carddav): one change number for the deletion (it commits as one, as on PostgreSQL), each contact's
  dav_changes row renumbered and a dav_log row saying who could see it (its creator; everyone when public);
- record_counts and record_type_counts (0026, 0031).
Their keys and history are deleted first with one statement each, so the foreign keys' cascades, still there and
still checked for every contact, find nothing left to delete; mentions and the rest go by cascade, the search index
by its trigger, as for any deletion.
"""
from __future__ import annotations

import importlib

from tortoise import connections

from .. import db

_dup = importlib.import_module('models.migrations.0027_duplicate_keys')
_holders = importlib.import_module('models.migrations.0033_duplicate_holders')
COLUMNS, IDS_MAX = _dup.COLUMNS, _holders.IDS_MAX
KEYS, CONTACT_NAMES = _dup.SOURCES[0], _dup.SOURCES[1]
COUNTED = "visibility = 'public' AND deleted_at IS NULL"  # 0026_record_counters, 0031_record_type_counts
GONE = 'IN (SELECT id FROM temp.bulk_gone)'


def _same(a: str, b: str) -> str:
    return ' AND '.join(f'{a}.{c} = {b}.{c}' for c in COLUMNS.split(', '))


def _statements(org_id: int, chosen: str) -> list[str]:
    values = (f"SELECT {COLUMNS}, count(*) AS n FROM ({KEYS.select('record_keys', 'r')} AND r.contact_id {GONE} "
              f"UNION ALL {CONTACT_NAMES.select('contacts', 'r')} AND r.id {GONE}) k GROUP BY {COLUMNS}")
    again = (f"CASE WHEN d.kind = 'name' THEN {_holders.holders_of(CONTACT_NAMES, 'd', False)} "
             f"ELSE {_holders.holders_of(KEYS, 'd', False)} END")
    seq = '(SELECT value FROM dav_counter WHERE id = 1)'
    return [
        'INSERT INTO bulk_deletion DEFAULT VALUES',
        'DROP TABLE IF EXISTS temp.bulk_gone',
        'DROP TABLE IF EXISTS temp.bulk_values',
        'CREATE TEMP TABLE bulk_gone AS SELECT id, org_id, created_by_id, visibility, deleted_at, type '
        f'FROM contacts WHERE org_id = {int(org_id)} AND id IN ({chosen})',
        f'CREATE TEMP TABLE bulk_values AS {values}',
        f'DELETE FROM record_keys WHERE contact_id {GONE}',
        f'DELETE FROM history WHERE contact_id {GONE}',
        f'DELETE FROM contacts WHERE id {GONE}',
        # duplicate_keys: the values no other record holds, then the few another still does (a shared VAT number, a
        # common name), their holders read again from what is left
        f'DELETE FROM duplicate_keys WHERE id IN (SELECT d.id FROM temp.bulk_values v JOIN duplicate_keys d '
        f"ON {_same('d', 'v')} WHERE d.holders <= v.n)",
        f'UPDATE duplicate_keys AS d SET holders = d.holders - v.n, ids = CASE WHEN d.holders - v.n > {IDS_MAX} '
        f"THEN NULL ELSE {again} END FROM temp.bulk_values v WHERE {_same('d', 'v')}",
        'INSERT INTO dav_counter (id, value) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET value = '
        'dav_counter.value + 1',
        f"INSERT INTO dav_changes (kind, record_id, org_id, seq) SELECT 'contact', id, org_id, {seq} "
        'FROM temp.bulk_gone WHERE true ON CONFLICT (kind, record_id) DO UPDATE SET seq = excluded.seq, '
        'org_id = excluded.org_id',
        f"INSERT INTO dav_log (seq, kind, record_id, user_id, public) SELECT {seq}, 'contact', id, created_by_id, "
        "visibility = 'public' FROM temp.bulk_gone",
        f'UPDATE record_counts AS c SET public = c.public - g.n FROM (SELECT org_id, count(*) AS n '
        f"FROM temp.bulk_gone WHERE {COUNTED} GROUP BY org_id) g WHERE c.org_id = g.org_id AND c.kind = 'contact'",
        f'UPDATE record_type_counts AS c SET public = c.public - g.n FROM (SELECT org_id, type, count(*) AS n '
        f'FROM temp.bulk_gone WHERE {COUNTED} GROUP BY org_id, type) g '
        f"WHERE c.org_id = g.org_id AND c.kind = 'contact' AND c.type = g.type",
        'DELETE FROM bulk_deletion',
        'DROP TABLE temp.bulk_gone',
        'DROP TABLE temp.bulk_values',
    ]


async def delete_contacts(org_id: int, chosen) -> None:
    """Inside a transaction, SQLite: delete the organization's contacts whose ids the query `chosen` (a queryset of
    one column of ids) selects."""
    connection = connections.get('default')
    _client, chosen_sql, params = db.parameterized(chosen)
    # execute_query, not execute_script: sqlite3's executescript commits the open transaction first
    for statement in _statements(org_id, chosen_sql):
        await connection.execute_query(statement, params if chosen_sql in statement else None)
