"""The brake on password guessing counts attempts taken before hashing (login_attempts), per email and per client
address, instead of failures recorded after it (login_failures, which concurrent attempts all passed at once)."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_merge_log_gate')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LoginAttempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(max_length=64)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'login_attempts', 'app': 'models', 'indexes': [Index(fields=['key', 'at'])], 'pk_attr': 'id', 'table_description': 'One password check taken against a limit: a row per attempt and limit (an email, a client address).'},
            bases=['Model'],
        ),
        ops.DeleteModel(name='LoginFailure'),
    ]
