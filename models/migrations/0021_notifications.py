"""Notifications (notifications): a person is told when they are mentioned, given a task or a ticket, or added to an
organization; users choose how those reach them by mail (notification_mail) and when their daily mail left."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0020_company_local_fields')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('event', fields.CharField(max_length=16)),
                ('by', fields.ForeignKeyField('models.User', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('record_kind', fields.CharField(default='', max_length=16)),
                ('record_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('in_digest', fields.BooleanField(default=False)),
            ],
            options={'table': 'notifications', 'app': 'models', 'indexes': [Index(fields=['user_id', 'id']), Index(fields=['user_id', 'read_at']), Index(fields=['in_digest', 'user_id'])], 'pk_attr': 'id', 'table_description': 'One notification of one person. It points at its record by kind and id, not by a foreign key: the record may'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='digest_sent_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='notification_mail',
            field=fields.CharField(default='immediately', db_default='immediately', max_length=16),
        ),
    ]
