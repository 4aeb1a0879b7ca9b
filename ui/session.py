"""The pages' session: logging in and out, who is logged in and which organization is active.

Who is logged in is a random session key kept in the browser's signed session cookie (web/session.py); the database
keeps only its digest, so a log-out or an expiry ends the session everywhere. The active organization is kept in
NiceGUI's per-browser storage (`app.storage.user`), which is keyed by that browser id.

Logging in gives the browser a new identity. A page's event handler cannot set a cookie, so once the password is
checked the browser is sent to COMPLETE_PATH with a one-time ticket, and that HTTP response carries a new cookie:
a new browser id and the session key. A cookie obtained before logging in (or planted in the browser by someone
else) therefore never becomes a logged-in one, and the old browser id's storage is emptied.

What a page's event handlers need of the session (the key, the browser's storage) is taken when the page is built
and kept in its PageContext: the handlers work on what the page was built for.
"""
from __future__ import annotations

import asyncio
import hmac
import secrets
import time
import uuid
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from nicegui import app, context, ui
from starlette.requests import Request

from models.access import Action, allows
from models.accounts import service as accounts
from models.accounts.tables import User
from models.i18n import N_, _
from models.jobs import store as jobs
from models.jobs.tables import Job
from models.notifications import service as notifications
from models.orgs import service as orgs
from models.orgs.tables import Membership
from . import language, moments
from web.logs import identify
from web.session import SESSION_KEY, request_visitor, session_key

ORG_KEY = 'org_id'  # in the browser's server-side storage
PENDING_KEY = 'pending_login'  # in the browser's server-side storage, between the password check and COMPLETE_PATH
COMPLETE_PATH = '/login/complete'
LOGIN_TICKET_SECONDS = 120
WATCH_KEY = 'rubrica.page_context'  # in the page's client storage: who the open page was built for
WATCH_SECONDS = 60.0  # an open page re-checks its visitor this often, even when nobody touches it
ROLE_NAMES = {'owner': N_('owner'), 'member': N_('member'), 'guest': N_('guest')}  # translated where shown


def browser_storage() -> MutableMapping:
    """This browser's server-side storage; call it while building a page or answering an HTTP request."""
    return app.storage.user


def begin_login(storage: MutableMapping, user: User, target: str) -> str:
    """After the password is checked: where to send the browser so that it comes back logged in.

    `storage` is the browser's storage, taken when the login page was built. The ticket is bound to this browser
    (kept there as a digest), used once, and short-lived.
    """
    ticket = secrets.token_urlsafe(32)
    storage[PENDING_KEY] = {'ticket': accounts.digest(ticket), 'user_id': user.id,
                            'until': time.time() + LOGIN_TICKET_SECONDS}
    return f'{COMPLETE_PATH}?ticket={ticket}&next={quote(safe_next(target), safe="")}'


async def finish_login(request, ticket: object) -> bool:
    """In the HTTP request to COMPLETE_PATH: redeem the ticket; the response gives the browser a new identity.

    The old browser id's storage is emptied and the cookie gets a new browser id and the session key, so a copy of
    the old cookie is not logged in. False (and nothing changed) for a missing, wrong, used or expired ticket.
    """
    storage = browser_storage()
    pending = storage.get(PENDING_KEY)
    if not isinstance(pending, dict) or not isinstance(ticket, str) or not ticket:
        return False
    if not hmac.compare_digest(str(pending.get('ticket')), accounts.digest(ticket)):
        return False
    storage.pop(PENDING_KEY, None)
    if not isinstance(pending.get('until'), (int, float)) or pending['until'] < time.time():
        return False
    user = await User.get_or_none(id=pending.get('user_id'))
    if user is None:
        return False
    raw = await accounts.start_session(user)
    storage.clear()
    request.session.clear()
    request.session['id'] = str(uuid.uuid4())  # NiceGUI's browser id: a new, empty server-side storage
    request.session[SESSION_KEY] = raw
    return True


def forget_ended_session(request) -> None:
    """On the login page (an HTTP response, which can rewrite the cookie): drop a session key that no longer works."""
    request.session.pop(SESSION_KEY, None)


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
    from fastapi.responses import RedirectResponse
    return RedirectResponse(f'/login?next={quote(path, safe="")}', status_code=303)


@dataclass
class PageContext:
    """What every page needs to know about the visitor: computed once per page load, re-checked by `refresh`."""
    user: User
    memberships: list[Membership] = field(default_factory=list)
    membership: Membership | None = None
    session_key: object = field(default=None, repr=False)  # as the cookie had it when the page was built
    storage: MutableMapping = field(default_factory=dict, repr=False)  # the browser's server-side storage
    stale: bool = field(default=False, repr=False)  # refresh found that the visitor changed; the page is reloading
    unread: int = 0  # the visitor's unread notifications when the page was built: the bell's first count
    jobs: list[Job] = field(default_factory=list)  # their recent background jobs then: the header's first list

    @property
    def org(self):
        return self.membership.org if self.membership else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    def may(self, action: Action) -> bool:
        return allows(self.role, action)

    def set_active_org(self, org_id: int) -> None:
        """The organization this browser works in from its next page on."""
        self.storage[ORG_KEY] = org_id

    async def log_out(self) -> None:
        """End the session in the database (every copy of the cookie is logged out) and empty the browser's storage."""
        await accounts.end_session(self.session_key)
        self.storage.clear()
        self._revoke()

    async def refresh(self) -> bool:
        """Whether the visitor is still who this page was built for: logged in, and still in the organization with
        the same role. Every page action asks before it calls models/ (ui.feedback.attempt does).

        If not, the page says why and reloads, which rebuilds it for who the visitor is now (the login page, another
        organization, or what the new role may see). The membership this page holds loses its role at once, so
        anything that still uses it is allowed nothing; the gate (models.access) re-checks membership inside every
        query anyway.
        """
        if self.stale:
            return False
        # both questions at once: every page action waits for them before it does anything
        user, current = await asyncio.gather(
            accounts.user_for_session(self.session_key),
            Membership.get_or_none(user_id=self.user.id, org_id=self.membership.org_id) if self.membership else
            _nothing())
        if user is None:
            self._revoke()
            ui.notify(_('Your session has ended: log in again'), type='warning')
            ui.navigate.reload()
            return False
        if self.membership is None:
            return True
        if current is not None and current.role == self.membership.role:
            return True
        name = self.membership.org.name
        self._revoke()
        ui.notify(_('You are no longer a member of {organization}', organization=name) if current is None
                  else _('Your role in {organization} is now {role}: the page shows what this role may see',
                         organization=name, role=_(ROLE_NAMES.get(current.role, current.role))),
                  type='warning', multi_line=True)
        ui.navigate.reload()
        return False

    def _revoke(self) -> None:
        self.stale = True
        if self.membership is not None:
            self.membership.role = None  # allows() nothing, and the gate denies a missing role


async def _nothing() -> None:
    return None


def _page_request() -> Request | None:
    """The request of the page being built; None in the pages' own HTTP routes (a cloud account's callback),
    which have no NiceGUI client: the session is then looked up from the request's cookie."""
    try:
        return context.client.request
    except RuntimeError:
        return None


async def page_context() -> PageContext | None:
    """The logged-in visitor and their active organization (the stored one, else the preferred, else the first)."""
    key = session_key()
    user = await request_visitor(_page_request())
    if user is None:
        return None
    storage = browser_storage()
    moments.set_page_zone(user.time_zone)
    language.set_page_language(user.language)
    # asked together: on a busy database (one SQLite connection) a page waits in its queue once, not twice
    memberships, unread, recent_jobs = await asyncio.gather(
        orgs.user_memberships(user), notifications.unread_count(user),
        jobs.recent(user.id, since=jobs.now() - jobs.SHOWN_AFTER_END))
    by_org = {m.org_id: m for m in memberships}
    wanted = _asked_org(by_org) or storage.get(ORG_KEY)
    active = by_org.get(wanted) or by_org.get(user.preferred_org_id) or (memberships[0] if memberships else None)
    if active is not None and active.org_id != wanted:
        storage[ORG_KEY] = active.org_id
    identify(user_id=user.id, org_id=active.org_id if active is not None else None)  # for the request's log line
    return PageContext(user=user, memberships=memberships, membership=active, session_key=key, storage=storage,
                       unread=unread, jobs=recent_jobs)


def _asked_org(by_org: dict[int, Membership]) -> int | None:
    """The organization the address asks for (`?org=ID`: the link of a mail that says "X added you to ORG"), when
    the visitor is in it; it becomes the active one, as if chosen in the switcher."""
    try:
        asked = context.client.request.query_params.get('org', '')
    except (RuntimeError, AttributeError):  # not building a page
        return None
    return int(asked) if asked.isdigit() and int(asked) in by_org else None


def watch(ctx: PageContext) -> None:
    """Keep this page's visitor in the page's client storage for `still_current`, and re-check it now and then, so
    that a page left open stops showing data soon after its visitor was removed, demoted or logged out."""
    context.client.storage[WATCH_KEY] = ctx
    ui.timer(WATCH_SECONDS, ctx.refresh, immediate=False)


def _watched() -> PageContext | None:
    """The visitor the page was built for, once the page is in the browser; None while it is being built (its
    context was read a moment ago) and outside pages (an HTTP route, a task without a client)."""
    try:
        client = context.client
    except RuntimeError:
        return None
    return client.storage.get(WATCH_KEY) if client.has_socket_connection else None


async def still_current() -> bool:
    """Before a page action: whether the page's visitor is still who it was built for (see PageContext.refresh).
    True on pages that have no visitor (log-in, sign-up, kiosk) and while the page is being built."""
    ctx = _watched()
    return True if ctx is None else await ctx.refresh()
