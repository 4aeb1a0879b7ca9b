"""One mapping from the data layer's errors to HTTP answers, the same for every route of the app (the API's and
the pages' HTTP routes); and 422 answers that never echo large input back. The API declares these answers in its
schema with api/errors.py."""
from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
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

FIELD_MAX = 200  # characters of a field name (or of a path, query or body key) an error repeats
MESSAGE_MAX = 500  # characters of a message
ECHO_MAX = 100  # characters of an input value a 422 repeats back; longer values are left out


def _short(text: str, most: int) -> str:
    """At most `most` characters, and always encodable (a lone surrogate becomes '?')."""
    if len(text) > most:
        text = text[:most] + '…'
    return text.encode('utf-8', 'replace').decode('utf-8')


def field_errors(errors_by_field: dict[str, str]) -> list[dict]:
    """The same shape FastAPI uses for its own validation errors, so clients read one format."""
    found = []
    for field, message in errors_by_field.items():
        field = _short(str(field), FIELD_MAX)
        found.append({'loc': ['body', *field.replace('[', '.').replace(']', '').split('.')], 'field': field,
                      'msg': _short(str(message), MESSAGE_MAX), 'type': 'value_error'})
    return found


async def handle_rubrica_error(_: Request, exc: errors.RubricaError) -> JSONResponse:
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
    headers = {}
    if isinstance(exc, errors.ValidationFailed):
        detail: object = field_errors(exc.errors)
    else:
        detail = _short(exc.message, MESSAGE_MAX)
    body: dict = {'detail': detail}
    if hasattr(exc, 'current_version'):  # a stale save: tell the client what it is behind
        body |= {'current_version': exc.current_version, 'changed_by': exc.changed_by,
                 'changed_at': exc.changed_at.isoformat()}
    if isinstance(exc, errors.RateLimited):
        headers['Retry-After'] = str(exc.retry_after)
    if isinstance(exc, errors.Unauthorized):
        headers['WWW-Authenticate'] = 'Bearer'
    return JSONResponse(body, status_code=status, headers=headers)


_LEAVE_OUT = object()


def _echo(value: Any) -> Any:
    """What a 422 may repeat of a value: a short scalar as it is; nothing of a long string, bytes, a list, an
    object, or a number JSON cannot write."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 10 ** ECHO_MAX else _LEAVE_OUT
    if isinstance(value, float):
        return value if math.isfinite(value) else _LEAVE_OUT
    if isinstance(value, str) and len(value) <= ECHO_MAX:
        return _short(value, ECHO_MAX)
    return _LEAVE_OUT


def validation_errors(raw_errors: Any) -> list[dict]:
    """FastAPI's validation errors made safe to send back: short, JSON-writable, and without large input."""
    cleaned = []
    for error in list(raw_errors)[:100]:
        loc = [part if isinstance(part, int) and not isinstance(part, bool) else _short(str(part), FIELD_MAX)
               for part in error.get('loc', ())]
        item: dict[str, Any] = {'type': _short(str(error.get('type', 'value_error')), FIELD_MAX), 'loc': loc,
                                'msg': _short(str(error.get('msg', '')), MESSAGE_MAX)}
        value = error.get('input', _LEAVE_OUT)
        if isinstance(value, (bytes, bytearray)) and loc == ['body']:  # a body FastAPI did not read as JSON
            item['msg'] = 'the body must be JSON, sent with Content-Type: application/json'
        echoed = _echo(value)
        if echoed is not _LEAVE_OUT:
            item['input'] = echoed
        context = error.get('ctx')
        if item['type'] == 'json_invalid' and isinstance(context, dict) and context.get('error'):
            item['msg'] = _short(f'the body is not valid JSON: {context["error"]}', MESSAGE_MAX)
        if isinstance(context, dict):
            item['ctx'] = {_short(str(k), FIELD_MAX): v if _echo(v) is v and not isinstance(v, str)
                           else _short(str(v), ECHO_MAX) for k, v in context.items()}
        cleaned.append(item)
    return cleaned


async def handle_validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse({'detail': validation_errors(exc.errors())}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.RubricaError, handle_rubrica_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
