from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_attachments')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MergeLog',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=8)),
                ('kept_id', fields.IntField()),
                ('removed_id', fields.IntField()),
                ('kept_name', fields.CharField(default='', max_length=255)),
                ('removed_name', fields.CharField(default='', max_length=255)),
                ('kept_before', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('removed_before', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('kept_version', fields.IntField()),
                ('moved', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('dropped', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('undone_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('undone_by', fields.ForeignKeyField('models.User', source_field='undone_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'merge_logs', 'app': 'models', 'indexes': [Index(fields=['org_id', 'kind', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One merge, with all it takes to undo it exactly. Record ids are plain integers: the removed record does'},
            bases=['Model'],
        ),
    ]
