"""GET /metrics in Prometheus' text format (prometheus-client), for the operator's monitoring.

Off unless RUBRICA_METRICS_TOKEN is set: then it answers only a request with `Authorization: Bearer <that token>`
(401 without one, 403 with another, compared in constant time); without the setting it is 404, as if it did not
exist. It shows counts and timings only, never a name, an address or a path with its values.

What it holds:
- requests by route template, method and status, and their latency (RequestLog, web/request_log.py, observes
  every HTTP request);
- page connections open now (NiceGUI clients with a live websocket);
- the database: whether it answers, and on PostgreSQL the connection pool's use;
- the outbox (waiting, retrying, sent, given up), imports and background jobs by status, counted from their tables at each scrape,
  so that every process reports the same numbers;
- the process's CPU, memory and open files (prometheus-client's process collector).

The metric objects live in this process's registry, made once at import: each test configures the app again,
and must find the same series rather than register them twice.
"""
from __future__ import annotations

import asyncio
import hmac
import logging

from nicegui import Client
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import GCCollector, PlatformCollector, ProcessCollector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from models import db
from models.i18n import _
from models.imports.reports import batch_counts
from models.jobs.store import counts as job_counts
from models.mail import outbox

log = logging.getLogger(__name__)

PATH = '/metrics'
SCRAPE_QUERY_TIMEOUT = 5.0  # seconds: a database that does not answer is reported as down, not waited for
METHODS = frozenset({'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'})  # any other is counted as OTHER

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

REQUESTS = Counter('rubrica_http_requests', 'HTTP requests answered, by route template, method and status',
                   ['route', 'method', 'status'], registry=REGISTRY)
LATENCY = Histogram('rubrica_http_request_duration_seconds', 'Time to answer an HTTP request, by route template',
                    ['route', 'method'], registry=REGISTRY,
                    buckets=(.005, .01, .025, .05, .1, .2, .5, 1, 2.5, 5, 10, 30))
PAGE_CONNECTIONS = Gauge('rubrica_page_connections', 'Pages open now with a live websocket (NiceGUI clients)',
                         registry=REGISTRY)
PAGE_CLIENTS = Gauge('rubrica_page_clients', 'Page clients this process keeps, connected or waiting to reconnect',
                     registry=REGISTRY)
DATABASE_UP = Gauge('rubrica_database_up', '1 when the database answered at this scrape, else 0', registry=REGISTRY)
POOL = Gauge('rubrica_database_pool_connections',
             'PostgreSQL connection pool, or SQLite reader connections: open, idle and maximum connections',
             ['state'], registry=REGISTRY)
MAILS = Gauge('rubrica_outbox_mails', 'Mails in the outbox by state: waiting, retrying (an attempt failed), sent, '
                                      'given_up (kept 30 days)', ['state'], registry=REGISTRY)
IMPORTS = Gauge('rubrica_imports', 'Imports by status: running, done, failed, undone', ['status'],
                registry=REGISTRY)
JOBS = Gauge('rubrica_jobs', 'Background jobs by status: queued (the queue\'s depth), running, succeeded, failed, '
             'cancelled', ['status'], registry=REGISTRY)


def observe_request(*, method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else 'OTHER'
    REQUESTS.labels(route=route, method=method, status=str(status)).inc()
    LATENCY.labels(route=route, method=method).observe(seconds)


async def _database_numbers() -> None:
    """The gauges read from the database; all set to nothing known (and database_up 0) when it does not answer."""
    try:
        mails, imports, jobs = await asyncio.wait_for(asyncio.gather(outbox.counts(), batch_counts(), job_counts()),
                                                      SCRAPE_QUERY_TIMEOUT)
    except Exception:  # noqa: BLE001 - unreachable, locked, timed out: the scrape still answers, saying so
        log.warning('metrics: the database did not answer', exc_info=True)
        DATABASE_UP.set(0)
        MAILS.clear()
        IMPORTS.clear()
        JOBS.clear()
        return
    DATABASE_UP.set(1)
    for state, count in mails.items():
        MAILS.labels(state=state).set(count)
    for status, count in imports.items():
        IMPORTS.labels(status=status).set(count)
    for status, count in jobs.items():
        JOBS.labels(status=status).set(count)


def _process_numbers() -> None:
    clients = list(Client.instances.values())
    PAGE_CLIENTS.set(len(clients))
    PAGE_CONNECTIONS.set(sum(1 for client in clients if client.has_socket_connection))
    POOL.clear()
    for state, count in db.pool_use().items():
        POOL.labels(state=state).set(count)


def refused(request: Request, token: str) -> Response | None:
    """The answer to a scrape that may not see the metrics, or None when it may."""
    if not token:
        return JSONResponse({'detail': 'Not Found'}, status_code=404)
    scheme, _space, given = request.headers.get('authorization', '').partition(' ')
    if scheme.lower() != 'bearer' or not given.strip():
        return JSONResponse({'detail': _('The metrics need the bearer token: {header}',
                                         header='Authorization: Bearer <token>')}, status_code=401,
                            headers={'WWW-Authenticate': 'Bearer'})
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        return JSONResponse({'detail': _('This is not the metrics token')}, status_code=403)
    return None


async def metrics_endpoint(request: Request) -> Response:
    refusal = refused(request, request.app.state.settings.metrics_token)
    if refusal is not None:
        return refusal
    _process_numbers()
    await _database_numbers()
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
