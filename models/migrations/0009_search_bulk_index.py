"""Let a bulk import index its rows into the SQLite search tables once per chunk instead of once per row.

The insert triggers of 0007_search skip rows while `search_index_deferred` holds a row; an import sets it inside its
own transaction, inserts a chunk, indexes the chunk with one INSERT … SELECT and clears it before committing, so no
other writer ever sees it set (SQLite has one writer at a time). PostgreSQL's GIN index needs nothing.
"""
from tortoise import migrations
from tortoise.migrations import operations as ops

TABLES = ('contacts', 'companies')


def _trigger(table: str, deferred: bool) -> list[str]:
    fts = f'{table}_fts'
    when = ' WHEN NOT EXISTS (SELECT 1 FROM search_index_deferred)' if deferred else ''
    return [f'DROP TRIGGER IF EXISTS {fts}_insert',
            f'CREATE TRIGGER {fts}_insert AFTER INSERT ON {table}{when} BEGIN '
            f'INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END']


async def _run(schema_editor, forward: bool) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != 'sqlite':
        return
    statements = ['CREATE TABLE IF NOT EXISTS search_index_deferred (id INTEGER PRIMARY KEY)'] if forward else []
    for table in TABLES:
        statements += _trigger(table, forward)
    if not forward:
        statements.append('DROP TABLE IF EXISTS search_index_deferred')
    for statement in statements:
        await client.execute_script(statement)


async def forward(apps, schema_editor) -> None:
    await _run(schema_editor, True)


async def backward(apps, schema_editor) -> None:
    await _run(schema_editor, False)


class Migration(migrations.Migration):
    dependencies = [('models', '0008_imports')]

    initial = False

    operations = [
        ops.RunPython(forward, backward),
    ]
