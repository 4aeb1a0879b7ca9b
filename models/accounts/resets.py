"""A forgotten password: a link mailed to the account's address, used once within an hour to choose a new one.

Asking never tells whether an account exists: the same answer, and the same limits, for any address. The link's
token is kept only as a digest. Choosing the new password ends every session and API token of the account but the
session in use (if the person is logged in as that account in the browser that opened the link).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from ..errors import Forbidden
from ..i18n import _, ngettext
from ..mail import outbox
from ..mail.letters import Letter, spoken_in
from ..validation import check_password
from .links import digest, new_token, now, sent_since, take, usable
from .service import _key, _reserve, hash_password
from .tables import ApiToken, PasswordReset, Session, User

RESET_PATH = '/reset-password'
LINK_LIFETIME = timedelta(hours=1)
# the brake on asking, per minute (the log-in brake's window), for any address alike, known or not
CLIENT_REQUESTS_ALLOWED = 10  # per client address
EMAIL_REQUESTS_ALLOWED = 3  # per address asked about
LINKS_PER_HOUR = 3  # links mailed to one account an hour; more requests get the same answer and no mail


def _too_many_from_network(wait: int) -> str:
    return ngettext('Too many password reset requests from your network; try again in {count} second',
                    'Too many password reset requests from your network; try again in {count} seconds', wait)


def _too_many_for_email(wait: int) -> str:
    return ngettext('Too many password reset requests for this email; try again in {count} second',
                    'Too many password reset requests for this email; try again in {count} seconds', wait)


async def request_reset(*, email: object, client: str | None, moment: datetime | None = None) -> None:
    """Mail a reset link to the account with this email, if there is one and mail is enabled; otherwise nothing.

    Raises RateLimited past the allowances of the client address or of the email (counted alike for every address,
    so a refusal reveals nothing). `moment`: the time the link counts its hour from (tests pass their own clock).
    """
    email_text = email.strip().lower() if isinstance(email, str) else ''
    if client is not None:
        await _reserve(_key('reset-client', client), CLIENT_REQUESTS_ALLOWED, _too_many_from_network)
    if not email_text:
        return
    await _reserve(_key('reset-email', email_text), EMAIL_REQUESTS_ALLOWED, _too_many_for_email)
    user = await User.get_or_none(email=email_text)
    if user is None or not outbox.enabled():
        return
    moment = moment or now()
    if len(await sent_since(PasswordReset, user.id, moment - timedelta(hours=1))) >= LINKS_PER_HOUR:
        return
    raw, token_hash = new_token()
    async with in_transaction():
        await PasswordReset.filter(user=user, expires_at__lt=moment).delete()
        await PasswordReset.create(user=user, token_hash=token_hash, requested_at=moment,
                                   expires_at=moment + LINK_LIFETIME)
        await outbox.queue(user.email, spoken_in(user.language, lambda: _letter(user, raw)))
    outbox.wake()


def _letter(user: User, raw: str) -> Letter:
    return Letter(
        subject=_('Reset your Rubrica password'),
        greeting=_('Hello {name},', name=user.name),
        paragraphs=[
            _('Someone asked to reset the password of the Rubrica account {email}. If it was you, choose a new '
              'password with the link below.', email=user.email),
            _('The link works once, for one hour. The new password logs the account out everywhere else and '
              'revokes its API tokens.'),
            _('If you did not ask for this, ignore this message: your password stays as it is.'),
        ],
        action=_('Choose a new password'), link=outbox.link(RESET_PATH, token=raw),
        language=user.language or 'en')


async def link_works(token: object, *, moment: datetime | None = None) -> bool:
    """Whether this link can still set a password (the page asks before it shows the form)."""
    return await usable(PasswordReset, token, moment or now()) is not None


async def reset_password(*, token: object, password: object, keep_session: object = None,
                         moment: datetime | None = None) -> User:
    """Set the account's new password with a link's token (once, within its hour) and return the account.

    Every other session and every API token of the account ends; `keep_session` (the raw key of the browser's
    session, when it is logged in as that account) stays. Every other link of the account stops working too.
    """
    moment = moment or now()
    reset = await usable(PasswordReset, token, moment)
    if reset is None:
        raise Forbidden(_('This link has expired or was already used: ask for a new one.'))
    password_hash = await hash_password(check_password('password', password))
    user = reset.user
    async with in_transaction():
        # taken by one request only, even if the link is used twice at once
        if not await take(PasswordReset, reset.id, moment):
            raise Forbidden(_('This link has expired or was already used: ask for a new one.'))
        await User.filter(id=user.id).update(password_hash=password_hash)
        kept = digest(keep_session) if isinstance(keep_session, str) and keep_session else ''
        await Session.filter(user_id=user.id).exclude(key_hash=kept).delete()
        await ApiToken.filter(user_id=user.id).delete()
        await PasswordReset.filter(user_id=user.id).exclude(id=reset.id).delete()
    user.password_hash = password_hash
    return user
