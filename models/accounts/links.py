"""Links that carry a secret token: a password reset, an address confirmation, an invitation.

The token is a long random string handed out once (in a mail, or shown to copy); the database keeps only its
digest, so a copy of the database opens nothing. A mailed link to an account is a row of a MailedLink table
(tables.py: PasswordReset, EmailVerification): `usable` finds it while it works, `take` uses
it up atomically (two requests opening the same link at once: one wins), `sent_since` counts the links an account
was sent lately, for the brakes on asking. This module imports only tables, so that every feature may use it.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

from .tables import MailedLink


def now() -> datetime:
    return datetime.now(timezone.utc)


def digest(raw: str) -> str:
    """Session keys, API tokens and link tokens are long random strings, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token and its digest: the first goes into the link, the second into the database."""
    raw = secrets.token_urlsafe(32)
    return raw, digest(raw)


async def usable(table: type[MailedLink], token: object, moment: datetime) -> MailedLink | None:
    """The link of `table` with this token, with its user, if it is neither used nor expired at `moment`."""
    if not isinstance(token, str) or not token:
        return None
    return await table.get_or_none(token_hash=digest(token), used_at=None, expires_at__gt=moment) \
        .select_related('user')


async def take(table: type[MailedLink], link_id: int, moment: datetime) -> bool:
    """Use the link up; False when another request took it first (call it inside the transaction that acts on it)."""
    return bool(await table.filter(id=link_id, used_at=None).update(used_at=moment))


async def sent_since(table: type[MailedLink], user_id: int, since: datetime) -> list[datetime]:
    """When the account was sent each link of `table` requested after `since`, oldest first."""
    return await table.filter(user_id=user_id, requested_at__gt=since).order_by('requested_at') \
        .values_list('requested_at', flat=True)
