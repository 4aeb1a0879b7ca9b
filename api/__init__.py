"""The JSON REST API v1: a FastAPI router over the same models/ functions the pages call."""
from __future__ import annotations

from functools import cache

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from web.limits import UploadRoute

from . import accounts, attachments, copy, dashboard, duplicates, errors, history, imports, kiosk, orgs, password_reset
from . import jobs, notifications, records, search, work
from .deps import current_user, org_membership
from .schemas import JsonRoute

PREFIX = '/api/v1'
UPLOAD_ROUTES: tuple[UploadRoute, ...] = (*imports.UPLOAD_ROUTES, attachments.UPLOAD_ROUTE)


def _calls(dependant: Dependant) -> set:
    found, pending = set(), [dependant]
    while pending:
        current = pending.pop()
        found.add(current.call)
        pending.extend(current.dependencies)
    return found


def _declare_errors(route: APIRoute) -> None:
    """The error responses every route of a kind can give: 413 any (a body past the limit), 401 those that need a
    token, 403 and 404 those under /orgs/{org} (the caller's role; an organization they are not in)."""
    calls = _calls(route.dependant)
    codes = [413]
    if current_user in calls:
        codes.append(401)
    if org_membership in calls:
        codes += [403, 404]
    route.responses = errors.responses(*codes) | route.responses


@cache
def build_router() -> APIRouter:
    """Built once per process: the routes depend on no setting, and building them (a validator per parameter and
    body) is the slow part of configuring the app, which the tests do once per test."""
    router = APIRouter(prefix=PREFIX)
    # imports before records: `contacts/export.csv` must not be read as a record id
    for module in (accounts, password_reset, orgs, imports, records, history, attachments, copy, work, kiosk,
                   dashboard, duplicates, search, notifications, jobs):
        for route in module.router.routes:
            assert isinstance(route, JsonRoute), f'{route.path}: make its router with route_class=JsonRoute'
            _declare_errors(route)
        router.include_router(module.router)
    return router


def install(app: FastAPI) -> None:
    """The routes. Their error answers (web/errors.py) and the body limit (web/limits.py's BodyLimit with
    UPLOAD_ROUTES) are wired by main.py, over the whole app."""
    app.include_router(build_router())
