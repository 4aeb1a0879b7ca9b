"""The browser's session: who is logged in and which organization is active.

The browser keeps only a random session key (in NiceGUI's per-user storage, behind a signed cookie);
the database keeps its digest, so a log-out or an expiry ends the session everywhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from nicegui import app

from models import accounts, orgs
from models.access import Action, allows
from models.accounts import User
from models.orgs import Membership

SESSION_KEY = 'session'
ORG_KEY = 'org_id'


def _storage():
    return app.storage.user


async def signed_in_user() -> User | None:
    return await accounts.user_for_session(_storage().get(SESSION_KEY))


async def log_in(user: User) -> None:
    storage = _storage()
    storage[SESSION_KEY] = await accounts.start_session(user)
    storage[ORG_KEY] = user.preferred_org_id


async def log_out() -> None:
    storage = _storage()
    await accounts.end_session(storage.get(SESSION_KEY))
    storage.clear()


def set_active_org(org_id: int) -> None:
    _storage()[ORG_KEY] = org_id


def safe_next(target: object) -> str:
    """Where to go after logging in: a local path only, never another site."""
    if not isinstance(target, str) or not target.startswith('/') or target.startswith('//') or '\\' in target:
        return '/'
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return '/'
    return target


def to_login(path: str):
    """The answer of a page whose visitor is not (or no longer) logged in."""
    from urllib.parse import quote

    from fastapi.responses import RedirectResponse
    return RedirectResponse(f'/login?next={quote(path, safe="")}', status_code=303)


@dataclass
class PageContext:
    """What every page needs to know about the visitor: computed once per page load."""
    user: User
    memberships: list[Membership] = field(default_factory=list)
    membership: Membership | None = None

    @property
    def org(self):
        return self.membership.org if self.membership else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    def may(self, action: Action) -> bool:
        return allows(self.role, action)


async def page_context() -> PageContext | None:
    """The logged-in visitor and their active organization (the stored one, else the preferred, else the first)."""
    user = await signed_in_user()
    if user is None:
        return None
    memberships = await orgs.user_memberships(user)
    by_org = {m.org_id: m for m in memberships}
    wanted = _storage().get(ORG_KEY)
    active = by_org.get(wanted) or by_org.get(user.preferred_org_id) or (memberships[0] if memberships else None)
    if active is not None and active.org_id != wanted:
        set_active_org(active.org_id)
    return PageContext(user=user, memberships=memberships, membership=active)
