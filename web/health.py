"""GET /healthz and GET /readyz: for a load balancer, a container runtime or a monitor, without log-in.

- /healthz: the process answers (200). It answers even while start-up runs (web/startup.py lets it through): a
  process busy migrating is alive, and must not be killed for being slow.
- /readyz: whether this process can serve people now: start-up finished, the database answers, and every
  migration of this code is applied. 200 `{"status": "ok", "database": "ok", "migrations": "ok", "startup": "ok"}`,
  or 503 with `"status": "unavailable"` and each failing check saying what is wrong ("unreachable", "pending",
  "running"). With RUBRICA_REDIS_URL set, `"redis"` joins the checks: "unreachable" when it does not answer (the
  live events and the browsers' storage of every process go through it).

Neither tells anything about the data, the versions or the settings.
"""
from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from models import db

log = logging.getLogger(__name__)

LIVENESS_PATH = '/healthz'
READINESS_PATH = '/readyz'
PATHS = (LIVENESS_PATH, READINESS_PATH)
CHECK_TIMEOUT = 3.0  # seconds per check: a database that does not answer within it is unreachable
NO_STORE = {'Cache-Control': 'no-store'}


async def liveness(request: Request) -> Response:
    return JSONResponse({'status': 'ok'}, headers=NO_STORE)


async def _database() -> str:
    try:
        await asyncio.wait_for(db.ping(), CHECK_TIMEOUT)
    except Exception:  # noqa: BLE001 - whatever the reason, the database does not serve; the log says why
        log.warning('readiness: the database does not answer', exc_info=True)
        return 'unreachable'
    return 'ok'


async def _migrations() -> str:
    try:
        pending = await asyncio.wait_for(db.pending_migrations(), CHECK_TIMEOUT)
    except Exception:  # noqa: BLE001
        log.warning('readiness: the applied migrations could not be read', exc_info=True)
        return 'unknown'
    if pending:
        log.warning('readiness: migrations not applied: %s', ', '.join(pending))
        return 'pending'
    return 'ok'


async def _redis(relay) -> str:
    try:
        await asyncio.wait_for(relay.ping(), CHECK_TIMEOUT)
    except Exception:  # noqa: BLE001 - whatever the reason; the relay's own log lines say where Redis is
        log.warning('readiness: Redis does not answer')  # the exception would show its URL, password and all
        return 'unreachable'
    return 'ok'


async def readiness(request: Request) -> Response:
    started: asyncio.Event = request.app.state.started
    relay = getattr(request.app.state, 'redis_relay', None)  # main.install_live_events: None without Redis
    checks = {'startup': 'ok' if started.is_set() else 'running', 'database': 'running', 'migrations': 'running'}
    if relay is not None:
        checks['redis'] = 'running'
    if started.is_set():
        checks['database'] = await _database()
        checks['migrations'] = await _migrations() if checks['database'] == 'ok' else 'unknown'
        if relay is not None:
            checks['redis'] = await _redis(relay)
    ready = all(value == 'ok' for value in checks.values())
    return JSONResponse({'status': 'ok' if ready else 'unavailable', **checks}, status_code=200 if ready else 503,
                        headers=NO_STORE)
