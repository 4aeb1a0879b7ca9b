"""Invitations are mailed with a link that opens sign-up (invitations.token_hash: the digest of its token), and an
account proves its address with a mailed link (email_verifications, kept as digests, like password_resets) before its
invitations become memberships (users.email_verified_at). Accounts made before this count as verified: they were
made when no address was checked, and nothing they already have is taken back."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


async def verify_existing(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(
        'UPDATE users SET email_verified_at = CURRENT_TIMESTAMP WHERE email_verified_at IS NULL')


async def nothing(apps, schema_editor) -> None:
    """Going back drops the column."""


class Migration(migrations.Migration):
    dependencies = [('models', '0021_notifications')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='email_verified_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunPython(verify_existing, nothing),
        ops.AddField(
            model_name='Invitation',
            name='token_hash',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
        ops.CreateModel(
            name='EmailVerification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'email_verifications', 'app': 'models', 'pk_attr': 'id', 'table_description': "A link mailed to confirm an account's address, as PasswordReset: usable once (used_at), until expires_at,"},
            bases=['Model'],
        ),
    ]
