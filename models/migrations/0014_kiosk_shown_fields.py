"""A kiosk link chooses what its screen shows and searches (shown_fields); links made before show the default:
name, company, role, sector, work email and phone (models/kiosk/tables.py)."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from models.kiosk.tables import default_fields
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise.fields.db_defaults import SqlDefault
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0013_company_name_keys')]

    initial = False

    operations = [
        ops.AddField(
            model_name='KioskLink',
            name='shown_fields',
            field=fields.JSONField(default=default_fields, db_default=SqlDefault('\'["company", "role", "sector", "work_email", "work_phone"]\''), encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
