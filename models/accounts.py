"""User accounts, browser sessions, personal API tokens and the brake on password guessing."""
from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise import fields
from tortoise.models import Model
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from .errors import Conflict, Forbidden, NotFound, RateLimited, Unauthorized, ValidationFailed
from .validation import NAME_MAX, FieldErrors, account_email, check_password, clean_text

SESSION_LIFETIME = timedelta(days=30)
LOGIN_FAILURES_ALLOWED = 5
LOGIN_FAILURE_WINDOW = timedelta(minutes=1)
TOKEN_PREFIX = 'rbk_'

_hasher = PasswordHasher()
# Verified against when the email is unknown, so that a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def now() -> datetime:
    return datetime.now(timezone.utc)


def digest(raw: str) -> str:
    """Session keys and API tokens are long random strings, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(raw.encode()).hexdigest()


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=NAME_MAX)
    password_hash = fields.CharField(max_length=255)
    preferred_org = fields.ForeignKeyField('models.Organization', null=True, on_delete=fields.SET_NULL,
                                           related_name=False)
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


class LoginFailure(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, db_index=True)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = 'login_failures'


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def _password_matches(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    return await asyncio.to_thread(verify)


async def sign_up(*, email: object, password: object, name: object, signup_mode: str = 'open') -> User:
    """Create an account; pending invitations for its email become memberships."""
    from .orgs import Invitation, accept_invitations

    checks = FieldErrors()
    email_text = checks.check(account_email, 'email', email)
    password_text = checks.check(check_password, 'password', password)
    name_text = checks.check(clean_text, 'name', name, required=True)
    checks.raise_if_any()
    if signup_mode == 'invite' and not await Invitation.filter(email=email_text).exists():
        raise Forbidden('Sign-up is by invitation only, and this email has no pending invitation')
    if await User.filter(email=email_text).exists():
        raise Conflict('An account with this email already exists')
    password_hash = await hash_password(password_text)
    try:
        async with in_transaction():
            user = await User.create(email=email_text, name=name_text, password_hash=password_hash)
            await accept_invitations(user)
    except IntegrityError:  # the same email signed up a moment ago
        raise Conflict('An account with this email already exists') from None
    return user


async def _check_not_throttled(email: str) -> None:
    since = now() - LOGIN_FAILURE_WINDOW
    failures = await LoginFailure.filter(email=email, at__gte=since).order_by('at').values_list('at', flat=True)
    if len(failures) >= LOGIN_FAILURES_ALLOWED:
        wait = int((failures[-LOGIN_FAILURES_ALLOWED] + LOGIN_FAILURE_WINDOW - now()).total_seconds()) + 1
        raise RateLimited(f'Too many failed log-ins for this email; try again in {wait} seconds', retry_after=wait)


async def authenticate(*, email: object, password: object) -> User:
    """The user for this email and password; slowed down after repeated failures for one email."""
    email_text = email.strip().lower() if isinstance(email, str) else ''
    password_text = password if isinstance(password, str) else ''
    if not email_text or not password_text:
        raise Unauthorized('Wrong email or password')
    await _check_not_throttled(email_text)
    user = await User.get_or_none(email=email_text)
    if not await _password_matches(user.password_hash if user else _DUMMY_HASH, password_text) or user is None:
        await LoginFailure.create(email=email_text)
        await LoginFailure.filter(at__lt=now() - LOGIN_FAILURE_WINDOW).delete()
        raise Unauthorized('Wrong email or password')
    await LoginFailure.filter(email=email_text).delete()
    return user


async def start_session(user: User) -> str:
    """A new browser session; the raw key goes to the browser, only its digest is stored."""
    raw = secrets.token_urlsafe(32)
    await Session.create(user=user, key_hash=digest(raw), expires_at=now() + SESSION_LIFETIME)
    return raw


async def user_for_session(raw: object) -> User | None:
    if not isinstance(raw, str) or not raw:
        return None
    session = await Session.get_or_none(key_hash=digest(raw), expires_at__gt=now()).select_related('user')
    return session.user if session else None


async def end_session(raw: object) -> None:
    if isinstance(raw, str) and raw:
        await Session.filter(key_hash=digest(raw)).delete()


async def create_api_token(*, user: User, name: object) -> tuple[ApiToken, str]:
    """A new personal token; the raw value is returned once and never stored."""
    label = clean_text('name', name, max_length=NAME_MAX) or 'API token'
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = await ApiToken.create(user=user, name=label, token_hash=digest(raw), hint=raw[:len(TOKEN_PREFIX) + 4])
    return token, raw


async def list_api_tokens(user: User) -> list[ApiToken]:
    return await ApiToken.filter(user=user).order_by('-created_at')


async def revoke_api_token(*, user: User, token_id: int) -> None:
    deleted = await ApiToken.filter(id=token_id, user=user).delete()
    if not deleted:
        raise NotFound('token')


async def user_for_api_token(raw: object) -> User | None:
    if not isinstance(raw, str) or not raw.startswith(TOKEN_PREFIX):
        return None
    token = await ApiToken.get_or_none(token_hash=digest(raw)).select_related('user')
    if token is None:
        return None
    await ApiToken.filter(id=token.id).update(last_used_at=now())
    return token.user


async def update_profile(*, user: User, name: object) -> User:
    user.name = clean_text('name', name, required=True)
    await user.save(update_fields=['name'])
    return user


async def change_password(*, user: User, current: object, new: object) -> None:
    if not isinstance(current, str) or not await _password_matches(user.password_hash, current):
        raise ValidationFailed.one('current_password', 'is not your current password')
    user.password_hash = await hash_password(check_password('new_password', new))
    await user.save(update_fields=['password_hash'])
