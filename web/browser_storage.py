"""NiceGUI's browser storage (`app.storage.user`) in Redis when RUBRICA_REDIS_URL is set, so that a browser's
storage (its organization, a log-in under way) is the same on every process.

NiceGUI gives every request a browser id, and a storage for each new id: with Redis, each storage opens its own
connections (a read and a subscription to its changes). An API script, a phone's CardDAV sync or a health probe
sends no cookie, so every one of its requests would open new Redis connections for a storage nobody reads (measured:
300 such requests, 325 connections, twice the time per request). Those requests get a storage in memory instead:
a request to these paths that comes without a browser id of its own.
"""
from __future__ import annotations

from nicegui import app
from nicegui.persistence.pseudo_persistent_dict import PseudoPersistentDict
from nicegui.storage import Storage, request_contextvar

from .operations import PUBLIC_PATHS as OPERATIONS_PATHS

# where no browser page is: the REST API, CardDAV and its discovery, the operator's checks
NO_BROWSER = ('/api/', '/dav', '/.well-known/', *OPERATIONS_PATHS)
SESSION_COOKIE = 'session'  # starlette's SessionMiddleware, which carries NiceGUI's browser id


def configure(redis_url: str, prefix: str) -> None:
    """Browser storage in Redis under `prefix` (NiceGUI reads NICEGUI_REDIS_URL when it is imported: Rubrica's own
    setting is given here instead), or in files of the data dir without `redis_url`."""
    Storage.redis_url = redis_url or None
    Storage.redis_key_prefix = f'{prefix}nicegui:'
    storage = app.storage
    if not hasattr(storage, 'rubrica_create_user_storage'):  # once per process (configure runs once per test)
        storage.rubrica_create_user_storage = storage._create_user_storage  # NiceGUI's own

        async def create_user_storage(session_id: str) -> None:
            request = request_contextvar.get()
            if Storage.redis_url and request is not None and request.url.path.startswith(NO_BROWSER) \
                    and SESSION_COOKIE not in request.cookies:
                # A browser whose very first request here is one of these keeps this storage in this process while
                # it is in use (nginx keeps a browser on one process anyway); after that it gets the Redis one.
                storage._users[session_id] = PseudoPersistentDict()
                return
            await storage.rubrica_create_user_storage(session_id)
        storage._create_user_storage = create_user_storage
