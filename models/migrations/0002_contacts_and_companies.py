from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Company',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('type', fields.CharField(default='', max_length=100)),
                ('description', fields.TextField(default='', unique=False)),
                ('emails', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('pec', fields.CharField(default='', max_length=254)),
                ('phones', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('addresses', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('vat_number', fields.CharField(default='', max_length=32)),
                ('visibility', fields.CharField(default='public', max_length=8)),
                ('version', fields.IntField(default=1)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('updated_by', fields.ForeignKeyField('models.User', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sort_name', fields.CharField(default='', max_length=255)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('name', fields.CharField(max_length=200)),
                ('sector', fields.CharField(default='', max_length=100)),
            ],
            options={'table': 'companies', 'app': 'models', 'indexes': [Index(fields=['org_id', 'sort_name']), Index(fields=['org_id', 'updated_at']), Index(fields=['org_id', 'type']), Index(fields=['org_id', 'visibility', 'created_by_id'])], 'pk_attr': 'id'},
            bases=['Record'],
        ),
        ops.CreateModel(
            name='Contact',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('type', fields.CharField(default='', max_length=100)),
                ('description', fields.TextField(default='', unique=False)),
                ('emails', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('pec', fields.CharField(default='', max_length=254)),
                ('phones', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('addresses', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('vat_number', fields.CharField(default='', max_length=32)),
                ('visibility', fields.CharField(default='public', max_length=8)),
                ('version', fields.IntField(default=1)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('updated_by', fields.ForeignKeyField('models.User', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sort_name', fields.CharField(default='', max_length=255)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('first_name', fields.CharField(default='', max_length=200)),
                ('last_name', fields.CharField(default='', max_length=200)),
                ('role', fields.CharField(default='', max_length=100)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name='contacts', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'contacts', 'app': 'models', 'indexes': [Index(fields=['org_id', 'sort_name']), Index(fields=['org_id', 'updated_at']), Index(fields=['org_id', 'type']), Index(fields=['org_id', 'role']), Index(fields=['org_id', 'company_id']), Index(fields=['org_id', 'visibility', 'created_by_id'])], 'pk_attr': 'id'},
            bases=['Record'],
        ),
        ops.CreateModel(
            name='Mention',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='mention_rows', on_delete=OnDelete.CASCADE)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name='mention_rows', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'mentions', 'app': 'models', 'indexes': [Index(fields=['user_id', 'contact_id']), Index(fields=['user_id', 'company_id'])], 'pk_attr': 'id', 'table_description': "A user mentioned in a record's description: they see it even when it is private."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecordKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='keys', on_delete=OnDelete.CASCADE)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name='keys', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=8)),
                ('value', fields.CharField(max_length=254)),
            ],
            options={'table': 'record_keys', 'app': 'models', 'indexes': [Index(fields=['org_id', 'kind', 'value']), Index(fields=['contact_id']), Index(fields=['company_id'])], 'pk_attr': 'id', 'table_description': 'One email, PEC, phone or VAT number of a record, normalized, so exact lookups (duplicates, import'},
            bases=['Model'],
        ),
    ]
