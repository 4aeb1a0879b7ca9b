"""The tables of user accounts: users, their browser sessions, their personal API tokens, the log-in attempts
counted against the brake on password guessing, the links that reset a forgotten password and the links that
confirm an address."""
from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from ..validation import NAME_MAX


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=NAME_MAX)
    password_hash = fields.CharField(max_length=255)
    preferred_org = fields.ForeignKeyField('models.Organization', null=True, on_delete=fields.SET_NULL,
                                           related_name=False)
    # an IANA name ('Europe/Rome') chosen under Settings; empty: the browser's own, as it reports it
    time_zone = fields.CharField(max_length=64, default='', db_default='')
    # 'en', 'it' or 'fr' chosen under Settings or in the user menu; empty: the browser's, as it asks for it
    language = fields.CharField(max_length=8, default='', db_default='')
    # how notifications reach them by mail (models/notifications/tables.MailChoice), and when the last daily one left
    notification_mail = fields.CharField(max_length=16, default='immediately', db_default='immediately')
    digest_sent_at = fields.DatetimeField(null=True)
    # when the account proved it receives mail at its address (a link mailed to it was opened); None: not yet, and
    # its invitations wait. Accounts made while the server sends no mail, or by the operator, count as verified.
    email_verified_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = 'users'

    def __str__(self) -> str:
        return self.name


class Session(Model):
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField('models.User', related_name='sessions', on_delete=fields.CASCADE)
    key_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()

    class Meta:
        table = 'sessions'


class ApiToken(Model):
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField('models.User', related_name='api_tokens', on_delete=fields.CASCADE)
    name = fields.CharField(max_length=NAME_MAX)
    token_hash = fields.CharField(max_length=64, unique=True)
    hint = fields.CharField(max_length=16)  # the first characters, to tell tokens apart in a list
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'api_tokens'


class LoginAttempt(Model):
    """One password check taken against a limit: a row per attempt and limit (an email, a client address).

    The key is a digest of what is limited, so that neither typed emails (sometimes a password typed in the wrong
    field) nor client addresses are kept in clear, and any length fits.
    """
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = 'login_attempts'
        indexes = (('key', 'at'),)


class MailedLink(Model):
    """A link mailed to an account (links.py): usable once (used_at), until expires_at. Only the digest of its token
    is kept, as for sessions; requested_at counts the links an account was sent lately."""
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField('models.User', related_name=False, on_delete=fields.CASCADE)
    token_hash = fields.CharField(max_length=64, unique=True)
    requested_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        abstract = True


class PasswordReset(MailedLink):
    """A link mailed to reset a forgotten password: usable once (used_at), until expires_at. Only the digest of its
    token is kept, as for sessions; requested_at counts the links an account was sent lately."""

    class Meta:
        table = 'password_resets'


class EmailVerification(MailedLink):
    """A link mailed to confirm an account's address, as PasswordReset: usable once (used_at), until expires_at,
    kept as the digest of its token; requested_at counts the links an account was sent lately."""

    class Meta:
        table = 'email_verifications'
