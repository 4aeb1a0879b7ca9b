"""A user may choose the language of the pages (users.language: en, it, fr); empty: the browser's Accept-Language."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0016_work_descriptions')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='language',
            field=fields.CharField(default='', db_default='', max_length=8),
        ),
    ]
