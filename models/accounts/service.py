"""User accounts, browser sessions, personal API tokens and the brake on password guessing."""
from __future__ import annotations

import asyncio
import functools
import hashlib
import math
import secrets
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import available_timezones

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ..db import note_use
from ..errors import Conflict, Forbidden, NotFound, RateLimited, Unauthorized, ValidationFailed
from ..i18n import LANGUAGES, _, ngettext
from ..mail import outbox
from ..notifications import service as notifications
from ..orgs.service import accept_invitations, invitation_for_link
from ..orgs.tables import Invitation
from ..validation import NAME_MAX, FieldErrors, account_email, check_password, clean_text
from .links import digest, now
from .tables import ApiToken, LoginAttempt, Session, User
from .verification import start_verification

SESSION_LIFETIME = timedelta(days=30)
# Every password check costs an argon2 hash and is a guess: both are limited per window, atomically (see _reserve).
ATTEMPT_WINDOW = timedelta(minutes=1)
LOGIN_FAILURES_ALLOWED = 5  # wrong passwords checked per email and window
CLIENT_ATTEMPTS_ALLOWED = 20  # log-ins and sign-ups (each one hash) per client address and window, across emails
TOKEN_PREFIX = 'rbk_'

_hasher = PasswordHasher()
# Verified against when the email is unknown, so that a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def _password_matches(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    return await asyncio.to_thread(verify)


def _key(scope: str, value: str) -> str:
    return hashlib.sha256(f'{scope}:{value}'.encode()).hexdigest()


async def _reserve(key: str, allowed: int, refusal: Callable[[int], str]) -> int:
    """Take one of the `allowed` attempts of the window for this key, or raise RateLimited (saying `refusal` of the
    seconds to wait); returns the slot's id.

    The attempt is written first and counted after. Of any `allowed + 1` attempts in one window, the one written last
    counts them all and is refused, so at most `allowed` ever pass however many run at once (counting before writing,
    as a "count, check, then record the failure" does, lets every concurrent attempt see the same free room).
    A refused attempt removes its row: it checks nothing, so it does not count.
    """
    await LoginAttempt.filter(at__lt=now() - ATTEMPT_WINDOW).delete()  # stale rows count for nothing
    slot = await LoginAttempt.create(key=key)
    taken = await LoginAttempt.filter(key=key, at__gte=now() - ATTEMPT_WINDOW).order_by('at', 'id') \
        .values_list('id', 'at')
    if len(taken) <= allowed:
        return slot.id
    await LoginAttempt.filter(id=slot.id).delete()
    others = [at for slot_id, at in taken if slot_id != slot.id]
    # room comes back when enough of the attempts before this one have left the window
    frees_at = others[len(others) - allowed] + ATTEMPT_WINDOW if len(others) >= allowed else now()
    wait = max(1, math.ceil((frees_at - now()).total_seconds()))
    raise RateLimited(refusal(wait), retry_after=wait)


def _too_many_from_network(wait: int) -> str:
    return ngettext('Too many log-in and sign-up attempts from your network; try again in {count} second',
                    'Too many log-in and sign-up attempts from your network; try again in {count} seconds', wait)


def _too_many_for_email(wait: int) -> str:
    return ngettext('Too many failed log-ins for this email; try again in {count} second',
                    'Too many failed log-ins for this email; try again in {count} seconds', wait)


async def _reserve_for_client(client: str | None) -> int | None:
    """One attempt of the client address's allowance (None: an operator's command, not limited)."""
    if client is None:
        return None
    return await _reserve(_key('client', client), CLIENT_ATTEMPTS_ALLOWED, _too_many_from_network)


async def sign_up(*, email: object, password: object, name: object, signup_mode: str = 'open',
                  client: str | None, invitation: object = None, verified: bool = False) -> User:
    """Create an account. When its address is proven, its pending invitations become memberships at once; else it is
    mailed a link to confirm the address first (verification.py), and they wait for it.

    The address is proven when the account signs up through an invitation's link (`invitation`: the link's token;
    the link came to that address, so the email must be the invited one), when the operator makes it (`verified`:
    `admin create-user`), and whenever this server sends no mail (nobody can be asked, as before verification).
    `client` is the caller's address (web/client.py): sign-ups and log-ins share its allowance. None
    (the operator's `admin create-user`) is not limited.
    """
    checks = FieldErrors()
    email_text = checks.check(account_email, 'email', email)
    password_text = checks.check(check_password, 'password', password)
    name_text = checks.check(clean_text, 'name', name, required=True)
    checks.raise_if_any()
    # counted before what answers differently for known emails (and before the hash): a slow way to probe for accounts
    await _reserve_for_client(client)
    invited = None
    if invitation not in (None, ''):
        invited = await invitation_for_link(invitation)
        if invited is None:
            raise Forbidden(invitation_link_dead())
        if invited.email != email_text:
            raise ValidationFailed.one('email', _('must be the address the invitation was sent to, {email}',
                                                  email=invited.email))
    if signup_mode == 'invite' and not await Invitation.filter(email=email_text).exists():
        raise Forbidden(_('Sign-up is by invitation only, and this email has no pending invitation'))
    if await User.filter(email=email_text).exists():
        raise Conflict(_('An account with this email already exists'))
    password_hash = await hash_password(password_text)
    proven = verified or invited is not None or not outbox.enabled()
    try:
        async with in_transaction():
            user = await User.create(email=email_text, name=name_text, password_hash=password_hash,
                                     email_verified_at=now() if proven else None)
            if proven:
                told = await accept_invitations(user)
            else:
                told = []
                await start_verification(user)
    except IntegrityError:  # the same email signed up a moment ago
        raise Conflict(_('An account with this email already exists')) from None
    notifications.announce(told)
    outbox.wake()
    return user


def invitation_link_dead() -> str:
    """What sign-up and its page say of an invitation link that no longer works."""
    return _('This invitation link is no longer valid: it was used, or replaced by a newer one. Ask whoever invited '
             'you for a new one.')


async def authenticate(*, email: object, password: object, client: str | None) -> User:
    """The user for this email and password.

    At most LOGIN_FAILURES_ALLOWED wrong passwords are checked per email and window, and CLIENT_ATTEMPTS_ALLOWED
    checks per client address (web/client.py; None: not limited), however many arrive at once: a slot
    is taken before the password is hashed. A success forgives the email's failures.
    """
    email_text = email.strip().lower() if isinstance(email, str) else ''
    password_text = password if isinstance(password, str) else ''
    if not email_text or not password_text:
        raise Unauthorized(_('Wrong email or password'))
    client_slot = await _reserve_for_client(client)
    email_key = _key('email', email_text)
    try:
        await _reserve(email_key, LOGIN_FAILURES_ALLOWED, _too_many_for_email)
    except RateLimited:
        if client_slot is not None:  # refused before hashing anything: the address keeps its room
            await LoginAttempt.filter(id=client_slot).delete()
        raise
    user = await User.get_or_none(email=email_text)
    if not await _password_matches(user.password_hash if user else _DUMMY_HASH, password_text) or user is None:
        raise Unauthorized(_('Wrong email or password'))  # the email's slot stays taken: it is a failure
    await LoginAttempt.filter(key=email_key).delete()
    return user


async def _over_allowance(key: str, allowed: int, refusal: Callable[[int], str]) -> None:
    """RateLimited when this key used up its window's allowance already (counts, writes nothing)."""
    taken = await LoginAttempt.filter(key=key, at__gte=now() - ATTEMPT_WINDOW).order_by('at') \
        .values_list('at', flat=True)
    if len(taken) >= allowed:
        wait = max(1, math.ceil((taken[len(taken) - allowed] + ATTEMPT_WINDOW - now()).total_seconds()))
        raise RateLimited(refusal(wait), retry_after=wait)


async def authenticate_app_password(*, email: object, password: object, client: str | None) -> User:
    """The user for this email and app password (a personal API token): how CardDAV clients log in, with HTTP Basic
    on every request.

    Throttled like log-in, on failures only: a phone sends the right pair a hundred times in a sync, and a token is
    no password to guess (32 random bytes, checked by its digest, no hash to slow down). An email or a client
    address that failed LOGIN_FAILURES_ALLOWED / CLIENT_ATTEMPTS_ALLOWED times in the window is refused before
    anything is checked; each failure takes one slot of both allowances (see _reserve); a success forgives the
    email's failures.
    """
    email_text = email.strip().lower() if isinstance(email, str) else ''
    email_key = _key('email', email_text)
    if client is not None:
        await _over_allowance(_key('client', client), CLIENT_ATTEMPTS_ALLOWED, _too_many_from_network)
    if email_text:
        await _over_allowance(email_key, LOGIN_FAILURES_ALLOWED, _too_many_for_email)
    user = await user_for_api_token(password)
    if user is None or not email_text or user.email != email_text:
        await _reserve_for_client(client)
        if email_text:
            await _reserve(email_key, LOGIN_FAILURES_ALLOWED, _too_many_for_email)
        raise Unauthorized(_('Wrong email or app password'))
    if await LoginAttempt.filter(key=email_key).exists():
        await LoginAttempt.filter(key=email_key).delete()
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
    await note_use(token, now())
    return token.user


KEEP = object()  # update_profile: leave this field as it is


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The IANA zones this server knows ('Europe/Rome'): the ones an account may choose."""
    return frozenset(available_timezones())


def clean_time_zone(field: str, value: object) -> str:
    """A known IANA zone name, or '' (also for None): the browser's own zone."""
    zone = '' if value is None else value
    if not isinstance(zone, str) or (zone and zone not in time_zone_names()):
        raise ValidationFailed.one(field, _("must be a time zone such as Europe/Rome, or empty for the browser's own"))
    return zone


def clean_language(field: str, value: object) -> str:
    """A language Rubrica speaks ('en', 'it', 'fr'), or '' (also for None): the browser's own."""
    language = '' if value is None else value
    if not isinstance(language, str) or (language and language not in LANGUAGES):
        raise ValidationFailed.one(field, _("must be one of {languages}, or empty for the browser's language",
                                            languages=', '.join(LANGUAGES)))
    return language


async def update_profile(*, user: User, name: object = KEEP, time_zone: object = KEEP,
                         language: object = KEEP, notification_mail: object = KEEP) -> User:
    """The person's name, the time zone every page shows their dates and times in, the language the pages
    speak ('' for either: the browser's), and how notifications reach them by mail (immediately, daily, never)."""
    checks = FieldErrors()
    changed = {}
    if name is not KEEP:
        changed['name'] = checks.check(clean_text, 'name', name, required=True)
    if time_zone is not KEEP:
        changed['time_zone'] = checks.check(clean_time_zone, 'time_zone', time_zone)
    if language is not KEEP:
        changed['language'] = checks.check(clean_language, 'language', language)
    if notification_mail is not KEEP:
        changed['notification_mail'] = checks.check(notifications.mail_choice, 'notification_mail',
                                                    notification_mail)
    checks.raise_if_any()
    for field, value in changed.items():
        setattr(user, field, value)
    if changed:
        await user.save(update_fields=list(changed))
    return user


async def change_password(*, user: User, current: object, new: object) -> None:
    if not isinstance(current, str) or not await _password_matches(user.password_hash, current):
        raise ValidationFailed.one('current_password', _('is not your current password'))
    user.password_hash = await hash_password(check_password('new_password', new))
    await user.save(update_fields=['password_hash'])
