"""Address verification: an account proves that it receives mail at its address by opening a link mailed to it.

Only while the server sends mail (models/mail): without it nobody can be asked, and every account counts as verified,
as before. Until an account is verified its invitations stay invitations (models/orgs), so that an address cannot
be claimed by whoever signs up with it first; opening the link verifies the account and turns them into memberships.
Signing up through an invitation's own link needs no second mail: that link came to the address.

A link works once, for LINK_LIFETIME; it is kept as a digest (links.py). Asking again is braked per account.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from .. import i18n
from ..errors import Forbidden, RateLimited
from ..i18n import _, ngettext
from ..mail import outbox
from ..mail.letters import Letter, spoken_in
from ..notifications import service as notifications
from ..orgs.service import accept_invitations
from .links import new_token, now, sent_since, take, usable
from .tables import EmailVerification, User

VERIFY_PATH = '/verify-email'
LINK_LIFETIME = timedelta(days=7)
RESEND_PAUSE = timedelta(minutes=1)  # between two links mailed to one account
LINKS_PER_HOUR = 3  # links mailed to one account an hour (the one mailed at sign-up counts)


def needs_verification(user: User) -> bool:
    """Whether the account must still confirm its address: not yet verified, and this server can mail it a link."""
    return user.email_verified_at is None and outbox.enabled()


async def start_verification(user: User, *, moment: datetime | None = None) -> None:
    """Queue the mail with a new link to the account, inside the caller's transaction (sign-up's); the caller calls
    `outbox.wake()` once it commits. It speaks the account's language, else the one of the page or request that
    made it (a new account has chosen none yet)."""
    moment = moment or now()
    raw, token_hash = new_token()
    await EmailVerification.filter(user_id=user.id, expires_at__lt=moment).delete()
    await EmailVerification.create(user_id=user.id, token_hash=token_hash, requested_at=moment,
                                   expires_at=moment + LINK_LIFETIME)
    language = user.language or i18n.current()
    await outbox.queue(user.email, spoken_in(language, lambda: _letter(user, raw, language)))


def _letter(user: User, raw: str, language: str) -> Letter:
    return Letter(
        subject=_('Confirm your address for Rubrica'),
        greeting=_('Hello {name},', name=user.name),
        paragraphs=[
            _('Welcome to Rubrica. Confirm that {email} is your address with the link below: until then, the '
              'organizations that invite you cannot add you.', email=user.email),
            _('The link works once, for seven days.'),
            _('If you did not create this account, ignore this message.'),
        ],
        action=_('Confirm my address'), link=outbox.link(VERIFY_PATH, token=raw), language=language or 'en')


def _too_soon(wait: int) -> str:
    return ngettext('A link was sent a moment ago; you may ask for another in {count} second',
                    'A link was sent a moment ago; you may ask for another in {count} seconds', wait)


async def resend_verification(*, user: User, moment: datetime | None = None) -> bool:
    """Mail the account a new link (the banner's "Send again", POST /me/verification); False when there is nothing
    to send (already verified, or no mail). Raises RateLimited within RESEND_PAUSE of the last link, or past
    LINKS_PER_HOUR links an hour, saying how long to wait."""
    if not needs_verification(user):
        return False
    moment = moment or now()
    sent = await sent_since(EmailVerification, user.id, moment - timedelta(hours=1))
    frees_at = None
    if sent and sent[-1] + RESEND_PAUSE > moment:
        frees_at = sent[-1] + RESEND_PAUSE
    elif len(sent) >= LINKS_PER_HOUR:
        frees_at = sent[len(sent) - LINKS_PER_HOUR] + timedelta(hours=1)
    if frees_at is not None:
        wait = max(1, math.ceil((frees_at - moment).total_seconds()))
        raise RateLimited(_too_soon(wait), retry_after=wait)
    async with in_transaction():
        await start_verification(user, moment=moment)
    outbox.wake()
    return True


async def verify_email(*, token: object, moment: datetime | None = None) -> User:
    """Confirm the address of the account the link was mailed to (once, within its days), and turn its pending
    invitations into memberships. Raises Forbidden for a link that is unknown, used or expired."""
    moment = moment or now()
    link = await usable(EmailVerification, token, moment)
    if link is None:
        raise Forbidden(_('This confirmation link has expired or was already used. Log in to ask for a new one.'))
    user = link.user
    async with in_transaction():
        if not await take(EmailVerification, link.id, moment):
            raise Forbidden(_('This confirmation link has expired or was already used. Log in to ask for a new '
                              'one.'))
        if user.email_verified_at is None:
            user.email_verified_at = moment
            await user.save(update_fields=['email_verified_at'])
        await EmailVerification.filter(user_id=user.id).exclude(id=link.id).delete()
        told = await accept_invitations(user)
    notifications.announce(told)
    return user
