"""Companies get the local fields of their country: the Italian codice destinatario SDI (companies.sdi_code) and the
company register number (companies.registration_number: a SIREN or SIRET in France); empty for those saved before."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0019_outbox_and_password_resets')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Company',
            name='sdi_code',
            field=fields.CharField(default='', db_default='', max_length=7),
        ),
        ops.AddField(
            model_name='Company',
            name='registration_number',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
    ]
