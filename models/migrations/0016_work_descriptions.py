"""Projects, tasks and tickets get a description, with @mentions like a contact's (empty for the items already
there)."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_user_time_zone')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Project',
            name='description',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='Task',
            name='description',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='Ticket',
            name='description',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
    ]
