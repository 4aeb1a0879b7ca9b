"""A user may choose the time zone that pages show dates and times in (users.time_zone); empty: the browser's own."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0014_kiosk_shown_fields')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='time_zone',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
    ]
