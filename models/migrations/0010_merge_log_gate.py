"""Merge logs pass the record gate: each log keeps both records' visibility and creator at merge time, and the users
mentioned in them (merge_log_mentions), so "recent merges" and undo can be filtered in the database.

The logs written before this migration get the same values from their snapshots (kept_before, removed_before):
the backfill below. A creator or a mentioned user whose account is gone is left out, as the foreign keys would.
"""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

SIDES = ('kept', 'removed')


def _statements(dialect: str) -> list[str]:
    statements = []
    for side in SIDES:
        snapshot = f'{side}_before'
        if dialect == 'postgres':
            visibility = f"({snapshot}::jsonb -> 'columns' ->> 'visibility')"
            creator = (f"(CASE WHEN ({snapshot}::jsonb -> 'columns' ->> 'created_by_id') ~ '^[0-9]+$' "
                       f"THEN ({snapshot}::jsonb -> 'columns' ->> 'created_by_id')::bigint END)")
            user_id = "(CASE WHEN m.value ~ '^[0-9]+$' THEN m.value::bigint END)"
            mentions = (f"merge_logs l CROSS JOIN LATERAL jsonb_array_elements_text(l.{snapshot}::jsonb -> 'mentions') "
                        f"AS m(value)")
        else:
            visibility = f"json_extract({snapshot}, '$.columns.visibility')"
            creator = f"json_extract({snapshot}, '$.columns.created_by_id')"
            user_id = "(CASE WHEN m.type = 'integer' THEN m.value END)"
            mentions = f"merge_logs l, json_each(l.{snapshot}, '$.mentions') AS m"
        statements.append(
            f"UPDATE merge_logs SET {side}_visibility = COALESCE({visibility}, 'private'), "
            f"{side}_created_by_id = (SELECT u.id FROM users u WHERE u.id = {creator})")
        statements.append(
            f"INSERT INTO merge_log_mentions (log_id, user_id, side) SELECT DISTINCT l.id, {user_id}, '{side}' "
            f"FROM {mentions} WHERE {user_id} IN (SELECT id FROM users)")
    return statements


async def backfill(apps, schema_editor) -> None:
    client = schema_editor.client
    for statement in _statements(client.capabilities.dialect):
        await client.execute_script(statement)


async def nothing(apps, schema_editor) -> None:
    """Going back, the columns and the table are dropped by the operations above: nothing to undo here."""


class Migration(migrations.Migration):
    dependencies = [('models', '0009_search_bulk_index')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MergeLogMention',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('log', fields.ForeignKeyField('models.MergeLog', source_field='log_id', db_constraint=True, to_field='id', related_name='mention_rows', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('side', fields.CharField(max_length=8)),
            ],
            options={'table': 'merge_log_mentions', 'app': 'models', 'indexes': [Index(fields=['user_id', 'side'])], 'pk_attr': 'id', 'table_description': 'A user mentioned in one of the two merged records at merge time ("kept" or "removed" side): like a'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='MergeLog',
            name='kept_created_by',
            field=fields.ForeignKeyField('models.User', source_field='kept_created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='MergeLog',
            name='kept_visibility',
            field=fields.CharField(db_default='private', max_length=8),
        ),
        ops.AddField(
            model_name='MergeLog',
            name='removed_created_by',
            field=fields.ForeignKeyField('models.User', source_field='removed_created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='MergeLog',
            name='removed_visibility',
            field=fields.CharField(db_default='private', max_length=8),
        ),
        ops.RunPython(backfill, nothing),
    ]
