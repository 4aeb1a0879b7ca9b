"""CardDAV: the organization's directory in every phone and mail client (RFC 6352, RFC 4918, RFC 6578, RFC 6764).

- server.py: the one endpoint under /dav/ and the /.well-known/carddav redirect: HTTP Basic with an app password,
  PROPFIND, REPORT (addressbook-multiget, addressbook-query, sync-collection), GET, PUT, DELETE.
- xml.py: reading WebDAV request bodies and writing 207 Multi-Status answers as streamed text.
- query.py: the addressbook-query filter.

Thin, like api/: what an address book holds, sync tokens and writes are models/carddav's. dav/ imports models/ and
web/, never ui/ or api/.
"""
from __future__ import annotations

from starlette.applications import Starlette

from . import server


def install(app: Starlette) -> None:
    """The routes, on the app's own ASGI stack (main.configure): the middleware, the body limit and the start-up
    wait apply as to every route; the page guard lets /dav/ through (web/session.PUBLIC_PREFIXES)."""
    app.add_route('/.well-known/carddav', server.well_known, methods=list(server.METHODS), include_in_schema=False)
    app.add_route('/dav', server.endpoint, methods=list(server.METHODS), include_in_schema=False)
    app.add_route('/dav/{path:path}', server.endpoint, methods=list(server.METHODS), include_in_schema=False)
