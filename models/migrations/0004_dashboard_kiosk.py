from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_work_and_connections')]

    initial = False

    operations = [
        ops.CreateModel(
            name='KioskLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True, to_field='id', related_name='kiosk_links', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('hint', fields.CharField(max_length=16)),
                ('idle_seconds', fields.IntField(default=60)),
                ('frame_origins', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'kiosk_links', 'app': 'models', 'indexes': [Index(fields=['org_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
