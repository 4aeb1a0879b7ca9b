"""The browser's session cookie, and the guard that sends anonymous visitors of a page to /login.

Who is logged in is a random session key kept in the browser's signed session cookie (starlette's
SessionMiddleware, the same cookie that carries NiceGUI's browser id); the database keeps only its digest. How the
pages log in and out, and what a page knows of its visitor, is ui/session.py; the API authenticates with tokens
(api/deps.py) and never reads this cookie.
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from nicegui import app
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse

from models import i18n
from models.access import membership
from models.accounts import service as accounts
from models.accounts.tables import User
from models.errors import NotFound
from models.orgs.tables import Membership
from settings import Settings

from .logs import identify
from .operations import PUBLIC_PATHS as OPERATIONS_PATHS

SESSION_KEY = 'session'  # in the session cookie
VISITOR_STATE = 'rubrica.visitor'  # in a request's state: the user the page guard found for it
SESSION_COOKIE_AGE = int(timedelta(days=30).total_seconds())

# Everything else needs a logged-in user: deny by default, so a new page cannot be left open by mistake.
PUBLIC_PREFIXES = ('/_nicegui/', '/api/', '/login', '/signup', '/forgot-password', '/reset-password', '/kiosk',
                   '/favicon.ico', '/docs', '/redoc', '/openapi.json', *OPERATIONS_PATHS,
                   '/dav', '/.well-known/carddav')  # CardDAV: HTTP Basic with an app password on every request


def session_cookie(settings: Settings) -> dict:
    """How the session cookie is set (starlette's SessionMiddleware; it is always HttpOnly): sent back over HTTPS
    only when people reach Rubrica by https (RUBRICA_PUBLIC_URL), so a plain-http request never carries it."""
    return {'max_age': SESSION_COOKIE_AGE, 'same_site': 'lax',
            'https_only': settings.public_url.lower().startswith('https://')}


def session_key() -> object:
    """The session key the browser sent with this request (page or HTTP route)."""
    return app.storage.browser.get(SESSION_KEY)


async def signed_in_user() -> User | None:
    return await accounts.user_for_session(session_key())


async def request_visitor(request: Request | None) -> User | None:
    """The logged-in visitor of a page's request: the one the guard (AuthMiddleware) found for this very request
    a moment ago, else the session looked up now. A page open reads the session once, not twice."""
    state = (getattr(request, 'scope', None) or {}).get('state') or {}
    if VISITOR_STATE in state:
        return state[VISITOR_STATE]
    return await signed_in_user()


async def session_membership(org: int, what: str) -> Membership:
    """For the pages' HTTP routes (downloads): the logged-in visitor's membership of `org`. NotFound(what) when
    nobody is logged in, or when they are not in that organization. From here on the answer speaks the language
    the visitor chose, as their pages do (else their browser's, as web/language.py set it)."""
    user = await signed_in_user()
    if user is None:
        raise NotFound(what)
    identify(user_id=user.id)
    if i18n.supported(user.language):
        i18n.use(user.language)
    found = await membership(user, org)
    identify(org_id=found.org_id)
    return found


class AuthMiddleware(BaseHTTPMiddleware):
    """A GET of any path outside PUBLIC_PREFIXES without a logged-in visitor is sent to /login, and back after."""

    async def dispatch(self, request: Request, call_next):
        path = request.url.path
        if request.method == 'GET' and not path.startswith(PUBLIC_PREFIXES):
            user = await signed_in_user()
            if user is None:
                wanted = path + (f'?{request.url.query}' if request.url.query else '')
                return RedirectResponse(f'/login?next={quote(wanted, safe="")}', status_code=303)
            identify(user_id=user.id)  # for the request's log line
            request.scope.setdefault('state', {})[VISITOR_STATE] = user
        return await call_next(request)
