"""PostgreSQL: an index of the words' starts of each record's search text, so that a search by relevance finds the
records where a word starts with a term ("com": none of the names) without reading every record that holds it
somewhere (".com": all of them). pg_trgm cannot tell these apart: it splits words at punctuation, so " com" is
a word start of every ".com" to it. The index holds the first 3 characters of each word (split at spaces, as
search.document writes them), a GIN index over the array; the search still checks the whole phrase (search.starting).
About 1 MB at 100,000 contacts (the trigram index: 16 MB). SQLite needs nothing: its FTS5 trigram table keeps the
space."""
from tortoise import migrations
from tortoise.migrations import operations as ops

TABLES = ('contacts', 'companies')
FUNCTION = 'rubrica_word_starts'  # search.WORD_STARTS

CREATE_FUNCTION = (
    f'CREATE OR REPLACE FUNCTION {FUNCTION}(text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS '
    "$$ SELECT ARRAY(SELECT DISTINCT left(w, 3) FROM unnest(string_to_array($1, ' ')) AS w "
    'WHERE length(w) >= 3) $$')


async def _run(schema_editor, forward: bool) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != 'postgres':
        return
    if forward:
        statements = [CREATE_FUNCTION] + [
            f'CREATE INDEX IF NOT EXISTS {table}_word_starts ON {table} USING gin ({FUNCTION}(search_text))'
            for table in TABLES]
    else:
        statements = [f'DROP INDEX IF EXISTS {table}_word_starts' for table in TABLES] + \
            [f'DROP FUNCTION IF EXISTS {FUNCTION}(text)']
    for statement in statements:
        await client.execute_script(statement)


async def forward(apps, schema_editor) -> None:
    await _run(schema_editor, True)


async def backward(apps, schema_editor) -> None:
    await _run(schema_editor, False)


class Migration(migrations.Migration):
    dependencies = [('models', '0035_dav_trims')]

    initial = False

    operations = [
        ops.RunPython(forward, backward),
    ]
