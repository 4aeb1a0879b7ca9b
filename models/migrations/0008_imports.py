from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_search')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ImportBatch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharField(max_length=8)),
                ('mode', fields.CharField(max_length=8)),
                ('source', fields.CharField(max_length=8)),
                ('filename', fields.CharField(default='', max_length=255)),
                ('status', fields.CharField(default='running', max_length=8)),
                ('total', fields.IntField(default=0)),
                ('created', fields.IntField(default=0)),
                ('updated', fields.IntField(default=0)),
                ('skipped', fields.IntField(default=0)),
                ('companies_created', fields.IntField(default=0)),
                ('message', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('undone_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'import_batches', 'app': 'models', 'indexes': [Index(fields=['org_id', 'created_by_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One import: who ran it, of what, and how it went. Its rows are the report, and what undo needs.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ImportRow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('batch', fields.ForeignKeyField('models.ImportBatch', source_field='batch_id', db_constraint=True, to_field='id', related_name='rows', on_delete=OnDelete.CASCADE)),
                ('row', fields.IntField()),
                ('status', fields.CharField(max_length=16)),
                ('record_id', fields.IntField(null=True)),
                ('name', fields.CharField(default='', max_length=255)),
                ('message', fields.TextField(default='', unique=False)),
                ('previous', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('version_after', fields.IntField(null=True)),
            ],
            options={'table': 'import_rows', 'app': 'models', 'indexes': [Index(fields=['batch_id', 'row']), Index(fields=['batch_id', 'status'])], 'pk_attr': 'id', 'table_description': "One line of an import's report. For an updated record, `previous` holds the values the import overwrote"},
            bases=['Model'],
        ),
    ]
