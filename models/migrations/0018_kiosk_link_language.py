"""A kiosk link chooses the language its screen speaks (kiosk_links.language: en, it, fr); empty, as for links made
before: the browser's Accept-Language."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0017_user_language')]

    initial = False

    operations = [
        ops.AddField(
            model_name='KioskLink',
            name='language',
            field=fields.CharField(default='', db_default='', max_length=8),
        ),
    ]
