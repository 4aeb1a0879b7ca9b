"""SQLite: let an import's undo keep the counts of the contacts it deletes itself, with a few set-based statements,
instead of one trigger run per deleted contact and per key (issue 20: undoing a 100,000-row import).

While `bulk_deletion` holds a row, these delete triggers skip: contacts' duplicate_keys, CardDAV (sequence, change,
log), record_counts and record_type_counts triggers, and record_keys' duplicate_keys trigger (run once per key the
contacts' deletion takes with it). The undo (models/imports/bulk_deletion.py) sets the flag inside its own
transaction, writes what they would have written for all its contacts at once, deletes, and clears the flag before
committing, so no other writer ever sees it set (SQLite has one writer at a time; as search_index_deferred,
0009_search_bulk_index). Measured at 100,000 contacts, they were about half of the undo's deletion.

The triggers are rewritten from their own text in sqlite_master with the WHEN clause added, so what they do is
unchanged. PostgreSQL needs nothing: its triggers for these are statement triggers already (0027, 0029, 0033), and
doing their work in the undo instead measured no faster.
"""
from tortoise import migrations
from tortoise.migrations import operations as ops

TRIGGERS = ('duplicate_keys_contacts_delete', 'duplicate_keys_record_keys_delete', 'dav_contacts_delete',
            'record_counts_contacts_delete', 'record_type_counts_contacts_delete')
WHEN = ' WHEN NOT EXISTS (SELECT 1 FROM bulk_deletion) BEGIN '


async def _run(schema_editor, forward: bool) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != 'sqlite':
        return
    if forward:
        await client.execute_script('CREATE TABLE IF NOT EXISTS bulk_deletion (id INTEGER PRIMARY KEY)')
    for name in TRIGGERS:
        rows = await client.execute_query_dict("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                                               [name])
        sql = rows[0]['sql']
        if forward:
            assert ' BEGIN ' in sql and WHEN not in sql, sql
            sql = sql.replace(' BEGIN ', WHEN, 1)
        else:
            sql = sql.replace(WHEN, ' BEGIN ', 1)
        await client.execute_script(f'DROP TRIGGER {name}')
        await client.execute_script(sql)
    if not forward:
        await client.execute_script('DROP TABLE IF EXISTS bulk_deletion')


async def forward(apps, schema_editor) -> None:
    await _run(schema_editor, True)


async def backward(apps, schema_editor) -> None:
    await _run(schema_editor, False)


class Migration(migrations.Migration):
    dependencies = [('models', '0036_word_starts')]

    initial = False

    operations = [
        ops.RunPython(forward, backward),
    ]
