"""One mapping from the data layer's errors to HTTP status codes, the same for every endpoint."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from models import errors

STATUS = {
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.TooLarge: 413,
    errors.ValidationFailed: 422,
    errors.RateLimited: 429,
}


def field_errors(errors_by_field: dict[str, str]) -> list[dict]:
    """The same shape FastAPI uses for its own validation errors, so clients read one format."""
    return [{'loc': ['body', *field.replace('[', '.').replace(']', '').split('.')], 'field': field,
             'msg': message, 'type': 'value_error'} for field, message in errors_by_field.items()]


async def handle_rubrica_error(_: Request, exc: errors.RubricaError) -> JSONResponse:
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
    headers = {}
    if isinstance(exc, errors.ValidationFailed):
        detail: object = field_errors(exc.errors)
    else:
        detail = exc.message
    body: dict = {'detail': detail}
    if hasattr(exc, 'current_version'):  # a stale save: tell the client what it is behind
        body |= {'current_version': exc.current_version, 'changed_by': exc.changed_by,
                 'changed_at': exc.changed_at.isoformat()}
    if isinstance(exc, errors.RateLimited):
        headers['Retry-After'] = str(exc.retry_after)
    if isinstance(exc, errors.Unauthorized):
        headers['WWW-Authenticate'] = 'Bearer'
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.RubricaError, handle_rubrica_error)
