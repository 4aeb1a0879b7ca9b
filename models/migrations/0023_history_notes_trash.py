"""History, notes and trash: a record's history entries (history) and notes (notes), newest first per record; and
the trash marker of contacts and companies (deleted_at, deleted_by), with an index for the trash list and the purge."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0022_invitation_links_and_verification')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Note',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.CASCADE)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('text', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'notes', 'app': 'models', 'indexes': [Index(fields=['contact_id', 'created_at']), Index(fields=['company_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A note written on a contact or company (exactly one of the two foreign keys is set): a call, a meeting.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HistoryEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='history', on_delete=OnDelete.CASCADE)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name='history', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('by', fields.ForeignKeyField('models.User', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(max_length=24)),
                ('changes', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('ref_kind', fields.CharField(default='', max_length=16)),
                ('ref_id', fields.IntField(null=True)),
                ('ref_name', fields.CharField(default='', max_length=255)),
                ('note', fields.ForeignKeyField('models.Note', source_field='note_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'history', 'app': 'models', 'indexes': [Index(fields=['contact_id', 'at', 'id']), Index(fields=['company_id', 'at', 'id'])], 'pk_attr': 'id', 'table_description': 'One thing that happened to a contact or company (exactly one of the two foreign keys is set).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Company',
            name='deleted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Company',
            name='deleted_by',
            field=fields.ForeignKeyField('models.User', source_field='deleted_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddIndex(
            model_name='Company',
            index=Index(fields=['org_id', 'deleted_at']),
        ),
        ops.AddField(
            model_name='Contact',
            name='deleted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Contact',
            name='deleted_by',
            field=fields.ForeignKeyField('models.User', source_field='deleted_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddIndex(
            model_name='Contact',
            index=Index(fields=['org_id', 'deleted_at']),
        ),
    ]
