"""Every word of a record's search text follows a space, the first one too, so that a two-letter term is found at
the start of any word through the index: the phrase " ma" is a trigram (SQLite's FTS5 trigram table, PostgreSQL's
pg_trgm both index the space), and finds Marco, Matteo and Mancini. Plain SQL over the stored text; on SQLite the
update triggers of 0007_search keep the FTS tables in step."""
from tortoise import migrations
from tortoise.migrations import operations as ops

TABLES = ('contacts', 'companies')


async def _run(schema_editor, forward: bool) -> None:
    client = schema_editor.client
    for table in TABLES:
        if forward:
            await client.execute_script(
                f"UPDATE {table} SET search_text = ' ' || search_text WHERE search_text NOT LIKE ' %'")
        else:
            await client.execute_script(f"UPDATE {table} SET search_text = LTRIM(search_text, ' ')")


async def forward(apps, schema_editor) -> None:
    await _run(schema_editor, True)


async def backward(apps, schema_editor) -> None:
    await _run(schema_editor, False)


class Migration(migrations.Migration):
    dependencies = [('models', '0011_login_attempts')]

    initial = False

    operations = [
        ops.RunPython(forward, backward),
    ]
