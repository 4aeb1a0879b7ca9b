"""What the operator's tools use, wired onto the app in one call from main.py: the health checks (web/health.py),
the metrics (web/metrics.py), and the request log with its request id (web/request_log.py).

None of these routes needs a log-in (web/session.py lets PUBLIC_PATHS through) and none is in the API's OpenAPI
schema: they are not part of the API, and the API's fuzz test has no business with them.
"""
from __future__ import annotations

import asyncio

from fastapi import FastAPI

from . import health, metrics
from .request_log import RequestLog

PUBLIC_PATHS = (*health.PATHS, metrics.PATH)


def install(app: FastAPI, *, started: asyncio.Event) -> None:
    """The routes, and RequestLog as the outermost of our middleware (call it after adding the others, before
    WaitForStart): it sees every answer, the refusals of the body limit and of the page guard included."""
    app.state.started = started
    app.add_api_route(health.LIVENESS_PATH, health.liveness, methods=['GET', 'HEAD'], include_in_schema=False)
    app.add_api_route(health.READINESS_PATH, health.readiness, methods=['GET', 'HEAD'], include_in_schema=False)
    app.add_api_route(metrics.PATH, metrics.metrics_endpoint, methods=['GET'], include_in_schema=False)
    app.add_middleware(RequestLog)
