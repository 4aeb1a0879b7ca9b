"""Companies are compared by text.company_name_key (no case, accents, punctuation or legal form: "Officine Meccaniche
Lombarde S.r.l." is "officine meccaniche lombarde srl"), which services.derive_columns now stores as a company's
`sort_name`, the column import, copy and the duplicates scan compare. This recomputes it for the companies saved
before; going back, it is the plain folded name again. A batch of ids at a time; only changed rows are written."""
from tortoise import migrations
from tortoise.migrations import operations as ops

from models.text import company_name_key, fold

BATCH = 2000


async def _recompute(schema_editor, key) -> None:
    client = schema_editor.client
    mark = ('$1', '$2') if client.capabilities.dialect == 'postgres' else ('?', '?')
    last = 0
    while True:
        rows = await client.execute_query_dict(
            f'SELECT id, name, sort_name FROM companies WHERE id > {mark[0]} ORDER BY id LIMIT {BATCH}', [last])
        if not rows:
            return
        last = rows[-1]['id']
        changed = [[key(row['name'] or '')[:255], row['id']] for row in rows
                   if key(row['name'] or '')[:255] != row['sort_name']]
        if changed:
            await client.execute_many(f'UPDATE companies SET sort_name = {mark[0]} WHERE id = {mark[1]}', changed)


async def forward(apps, schema_editor) -> None:
    await _recompute(schema_editor, company_name_key)


async def backward(apps, schema_editor) -> None:
    await _recompute(schema_editor, fold)


class Migration(migrations.Migration):
    dependencies = [('models', '0012_search_word_starts')]

    initial = False

    operations = [
        ops.RunPython(forward, backward),
    ]
