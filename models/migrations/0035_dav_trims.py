"""Checkpoints of CardDAV's change sequence (dav_trims), so the daily trim can delete what only sync tokens older
than 90 days need from dav_log and dav_changes (models/carddav/trimming.py)."""
from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0034_own_records_index')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DavTrim',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField()),
                ('seq', fields.BigIntField()),
                ('applied', fields.BooleanField(default=False)),
            ],
            options={'table': 'dav_trims', 'app': 'models', 'pk_attr': 'id',
                     'table_description': "A checkpoint of the change sequence (`seq`, the counter's value `at` a "
                                          'moment), written by each daily trim'},
            bases=['Model'],
        ),
    ]
