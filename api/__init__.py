"""The JSON REST API v1: a FastAPI router over the same models/ functions the pages call."""
from __future__ import annotations

from fastapi import APIRouter, FastAPI

from . import accounts, attachments, copy, dashboard, errors, imports, kiosk, orgs, records, work
from .limits import JsonBodyLimit

PREFIX = '/api/v1'


def build_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    for module in (accounts, orgs, imports, records, attachments, copy, work, kiosk, dashboard):
        router.include_router(module.router)
    return router


def install(app: FastAPI) -> None:
    errors.install(app)
    app.add_middleware(JsonBodyLimit)
    app.add_middleware(imports.ImportBodyLimit)
    app.include_router(build_router())
