"""Where a request comes from: the key of the per-address allowance of log-ins and sign-ups (models/accounts.py),
for the pages and the API alike."""
from __future__ import annotations

from starlette.requests import HTTPConnection


def client_address(request: HTTPConnection) -> str:
    """The address a request (starlette's, the API's or a page's) came from: the key of the per-address limit.

    It is the address uvicorn reports, which behind a reverse proxy on the same machine is the one the proxy puts in
    X-Forwarded-For (uvicorn trusts 127.0.0.1 and ::1 by default). A request without one shares the bucket 'unknown'.
    """
    client = getattr(request, 'client', None)
    return (getattr(client, 'host', None) or 'unknown') if client else 'unknown'
