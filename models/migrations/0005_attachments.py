from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_dashboard_kiosk')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Attachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('source', fields.CharField(max_length=16)),
                ('filename', fields.CharField(max_length=255)),
                ('size', fields.BigIntField(null=True)),
                ('content_type', fields.CharField(default='application/octet-stream', max_length=255)),
                ('storage_key', fields.CharField(max_length=255)),
                ('web_link', fields.TextField(default='', unique=False)),
                ('uploaded_by', fields.ForeignKeyField('models.User', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'attachments', 'app': 'models', 'indexes': [Index(fields=['contact_id', 'created_at']), Index(fields=['company_id', 'created_at']), Index(fields=['org_id', 'source']), Index(fields=['source', 'storage_key'])], 'pk_attr': 'id', 'table_description': 'A file of a contact or of a company (exactly one of the two foreign keys is set).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CloudAccount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='cloud_accounts', on_delete=OnDelete.CASCADE)),
                ('provider', fields.CharField(max_length=16)),
                ('tokens', fields.TextField(unique=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharField(default='connected', max_length=16)),
                ('connected_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'cloud_accounts', 'app': 'models', 'unique_together': (('user', 'provider'),), 'pk_attr': 'id', 'table_description': 'A Google Drive or Dropbox account of a user, with its tokens Fernet-encrypted (see models/cloud.py).'},
            bases=['Model'],
        ),
    ]
