"""The search indexes over contacts' and companies' folded `search_text` (see models/records/search.py).

First every record's `search_text` is written again with today's models/records/search.document (emails and PEC
are now folded too, so "andre@…" finds "andré@…"); then the indexes are built over it.

SQLite: an FTS5 table with the trigram tokenizer per kind, with the record table as its external content, kept in
sync by triggers, and rebuilt here so that records saved before this migration are found too.
PostgreSQL: the pg_trgm extension and a GIN trigram index on `search_text` (existing rows are indexed as it is built).
"""
import json
from types import SimpleNamespace

from tortoise import migrations
from tortoise.migrations import operations as ops

from models.records.search import document

TABLES = ('contacts', 'companies')
NAME_COLUMNS = {'contacts': ('first_name', 'last_name'), 'companies': ('name',)}
BATCH = 5000


def _json_list(value) -> list:
    if isinstance(value, str):
        value = json.loads(value or '[]')
    return list(value or [])


async def refresh_search_text(client, table: str) -> None:
    """Recompute search_text of every row of the table, in batches by id, writing only the rows that change."""
    postgres = client.capabilities.dialect == 'postgres'
    names = NAME_COLUMNS[table]
    columns = ', '.join(('id', *names, 'emails', 'pec', 'vat_number', 'phones', 'search_text'))
    update = (f'UPDATE {table} SET search_text = $1 WHERE id = $2' if postgres
              else f'UPDATE {table} SET search_text = ? WHERE id = ?')
    last = 0
    while True:
        rows = await client.execute_query_dict(
            f'SELECT {columns} FROM {table} WHERE id > {int(last)} ORDER BY id LIMIT {BATCH}')
        if not rows:
            return
        changes = []
        for row in rows:
            record = SimpleNamespace(**{n: row[n] or '' for n in names}, pec=row['pec'] or '',
                                     vat_number=row['vat_number'] or '', emails=_json_list(row['emails']),
                                     phones=_json_list(row['phones']))
            text = document(record)
            if text != row['search_text']:
                changes.append([text, row['id']])
        if changes:
            await client.execute_many(update, changes)
        last = rows[-1]['id']


def sqlite_forward(table: str) -> list[str]:
    fts = f'{table}_fts'
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(search_text, content='{table}', content_rowid='id', "
        "tokenize='trigram')",
        f'CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN '
        f'INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END',
        f'CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN '
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
        f'CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF search_text ON {table} BEGIN '
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
        f'INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END',
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def sqlite_backward(table: str) -> list[str]:
    fts = f'{table}_fts'
    return [f'DROP TRIGGER IF EXISTS {fts}_{event}' for event in ('insert', 'delete', 'update')] + \
        [f'DROP TABLE IF EXISTS {fts}']


def postgres_forward(table: str) -> list[str]:
    return [f'CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops)']


def postgres_backward(table: str) -> list[str]:
    return [f'DROP INDEX IF EXISTS {table}_search_trgm']


async def _run(schema_editor, forward: bool) -> None:
    client = schema_editor.client
    dialect = client.capabilities.dialect
    statements: list[str] = []
    if forward:
        for table in TABLES:
            await refresh_search_text(client, table)
    if dialect == 'sqlite':
        for table in TABLES:
            statements += sqlite_forward(table) if forward else sqlite_backward(table)
    elif dialect == 'postgres':
        if forward:
            statements.append('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        for table in TABLES:
            statements += postgres_forward(table) if forward else postgres_backward(table)
    else:  # another database searches with a plain LIKE: correct, not indexed
        return
    for statement in statements:
        await client.execute_script(statement)


async def forward(apps, schema_editor) -> None:
    await _run(schema_editor, True)


async def backward(apps, schema_editor) -> None:
    await _run(schema_editor, False)


class Migration(migrations.Migration):
    dependencies = [('models', '0006_duplicates')]

    initial = False

    operations = [
        ops.RunPython(forward, backward),
    ]
