"""One mapping from the data layer's errors to HTTP answers, the same for every route of the app (the API's and
the pages' HTTP routes); and 422 answers that never echo large input back. The API declares these answers in its
schema with api/errors.py."""
from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from models import errors, i18n
from models.i18n import N_, _

# FastAPI's own validation messages (pydantic's, in English) in the reader's language, by error type; `{names}` are
# the error's context. An English reader gets pydantic's text as it is, and so does a type not listed here.
_PYDANTIC_MESSAGES = {
    'missing': N_('Field required'),
    'extra_forbidden': N_('Extra inputs are not permitted'),
    'string_type': N_('Input should be a valid string'),
    'int_type': N_('Input should be a valid integer'),
    'int_parsing': N_('Input should be a valid integer, unable to parse string as an integer'),
    'int_from_float': N_('Input should be a valid integer, got a number with a fractional part'),
    'float_type': N_('Input should be a valid number'),
    'float_parsing': N_('Input should be a valid number, unable to parse string as a number'),
    'bool_type': N_('Input should be a valid boolean'),
    'bool_parsing': N_('Input should be a valid boolean, unable to interpret input'),
    'list_type': N_('Input should be a valid list'),
    'dict_type': N_('Input should be a valid dictionary'),
    'model_attributes_type': N_('Input should be a valid dictionary or object to extract fields from'),
    'string_too_short': N_('String should have at least {min_length} characters'),
    'string_too_long': N_('String should have at most {max_length} characters'),
    'too_short': N_('List should have at least {min_length} items'),
    'too_long': N_('List should have at most {max_length} items'),
    'greater_than': N_('Input should be greater than {gt}'),
    'greater_than_equal': N_('Input should be greater than or equal to {ge}'),
    'less_than': N_('Input should be less than {lt}'),
    'less_than_equal': N_('Input should be less than or equal to {le}'),
    'literal_error': N_('Input should be {expected}'),
    'enum': N_('Input should be {expected}'),
}

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
        context = error.get('ctx')
        if item['type'] in _PYDANTIC_MESSAGES and i18n.current() != i18n.DEFAULT:
            item['msg'] = _short(_translated(item['type'], context), MESSAGE_MAX)
        value = error.get('input', _LEAVE_OUT)
        if isinstance(value, (bytes, bytearray)) and loc == ['body']:  # a body FastAPI did not read as JSON
            item['msg'] = _('the body must be JSON, sent with {header}', header='Content-Type: application/json')
        echoed = _echo(value)
        if echoed is not _LEAVE_OUT:
            item['input'] = echoed
        if item['type'] == 'json_invalid' and isinstance(context, dict) and context.get('error'):
            item['msg'] = _short(_('the body is not valid JSON: {reason}', reason=context['error']), MESSAGE_MAX)
        if isinstance(context, dict):
            item['ctx'] = {_short(str(k), FIELD_MAX): v if _echo(v) is v and not isinstance(v, str)
                           else _short(str(v), ECHO_MAX) for k, v in context.items()}
        cleaned.append(item)
    return cleaned


def _translated(error_type: str, context: object) -> str:
    values = context if isinstance(context, dict) else {}
    try:
        return _(_PYDANTIC_MESSAGES[error_type], **{str(name): value for name, value in values.items()})
    except (KeyError, IndexError, ValueError):  # a context without the value the text names: the bare text
        return _(_PYDANTIC_MESSAGES[error_type])


async def handle_validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse({'detail': validation_errors(exc.errors())}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.RubricaError, handle_rubrica_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
