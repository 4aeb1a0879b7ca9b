"""The JSON REST API v1: a FastAPI router over the same models/ functions the pages call."""
from __future__ import annotations

from fastapi import APIRouter, FastAPI

from . import accounts, attachments, copy, dashboard, duplicates, errors, imports, kiosk, orgs, records, search, work
from .limits import JsonBodyLimit

PREFIX = '/api/v1'


def build_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    # imports before records: `contacts/export.csv` must not be read as a record id
    for module in (accounts, orgs, imports, records, attachments, copy, work, kiosk, dashboard, duplicates,
                   search):
        router.include_router(module.router)
    return router


def install(app: FastAPI) -> None:
    errors.install(app)
    app.add_middleware(JsonBodyLimit)
    app.add_middleware(imports.ImportBodyLimit)
    app.include_router(build_router())
