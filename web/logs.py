"""The server's log: one format for every line (RUBRICA_LOG_FORMAT: `text` for people, `json` for machines), and
what each line knows of the request it was written in (its id, the user, the organization).

`configure` is called by `main.py serve` (in the tests' simulated app too: a second call replaces its own handler and
leaves pytest's alone). Everything that logs — Rubrica's loggers, NiceGUI's, uvicorn's — goes to standard error
through the one handler it installs, so a `json` log is JSON on every line. uvicorn's access log stays off: it
writes the path with its query string, where a password reset link carries its token; RequestLog
(web/request_log.py) writes the route template instead.

What a request knows of itself lives in a `RequestInfo` that the request's middleware puts in a context variable
before anything runs: code deeper in the request (the API's token check, a page's visitor) fills in who is calling
with `identify`. The object is shared, not copied, so the middleware sees what was filled in even when the app ran
in another task (BaseHTTPMiddleware's), and every line logged during the request carries its id.
"""
from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timezone

REQUESTS_LOGGER = 'rubrica.requests'


@dataclass
class RequestInfo:
    request_id: str
    user_id: int | None = None
    org_id: int | None = None


current_request: ContextVar[RequestInfo | None] = ContextVar('rubrica_request', default=None)


def identify(*, user_id: int | None = None, org_id: int | None = None) -> None:
    """Who the current request is for, as soon as it is known (a no-op outside a request)."""
    info = current_request.get()
    if info is None:
        return
    if user_id is not None:
        info.user_id = user_id
    if org_id is not None:
        info.org_id = org_id


# The fields a line may carry besides its message, in this order; `extra={...}` of a logging call sets them.
FIELDS = ('method', 'route', 'status', 'duration_ms', 'request_id', 'user_id', 'org_id')


class RequestContext(logging.Filter):
    """Every line written during a request carries the request's id, user and organization (when known)."""

    def filter(self, record: logging.LogRecord) -> bool:
        info = current_request.get()
        if info is not None:
            for name in ('request_id', 'user_id', 'org_id'):
                if getattr(record, name, None) is None:
                    setattr(record, name, getattr(info, name))
        return True


def _fields(record: logging.LogRecord) -> dict[str, object]:
    return {name: value for name in FIELDS if (value := getattr(record, name, None)) is not None}


def _time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec='milliseconds')


class TextFormatter(logging.Formatter):
    """`2026-11-29T15:46:36.123+00:00 INFO rubrica.requests GET /api/v1/me 200 3.1ms request_id=… user_id=4`"""

    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        if record.name == REQUESTS_LOGGER:  # the request line leads with what a person scans for
            fields.pop('method', None), fields.pop('route', None), fields.pop('status', None)
            fields.pop('duration_ms', None)
        line = ' '.join([_time(record), record.levelname, record.name, record.getMessage(),
                         *(f'{name}={value}' for name, value in fields.items())])
        if record.exc_info:
            line += '\n' + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's fields, and a traceback as one
    string (its newlines escaped), so a log collector never splits an entry."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {'time': _time(record), 'level': record.levelname, 'logger': record.name,
                                    'message': record.getMessage(), **_fields(record)}
        if record.exc_info:
            entry['exception'] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# Rubrica's own loggers write from INFO up; the libraries' only warnings and errors: some of them log whole URLs at
# INFO (httpx, Google's client), and a URL may carry a token in its query.
OWN_LOGGERS = ('rubrica', 'models', 'web', 'ui', 'api', 'integrations')
_handler: logging.Handler | None = None


def configure(log_format: str) -> None:
    """The process's logging: one handler on standard error with the chosen format."""
    global _handler
    root = logging.getLogger()
    if _handler is not None:  # configured again (the tests' app runs main.py each time): replaced, not doubled
        root.removeHandler(_handler)
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(JsonFormatter() if log_format == 'json' else TextFormatter())
    _handler.addFilter(RequestContext())
    root.addHandler(_handler)
    root.setLevel(logging.WARNING)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


def uvicorn_options() -> dict[str, object]:
    """For ui.run: uvicorn installs no handlers of its own (its lines go through ours, in our format) and writes
    no access log (paths with query strings)."""
    return {'log_config': None, 'access_log': False}
