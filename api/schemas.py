"""What every request of the API may carry: ids, page bounds and JSON bodies.

- `Id`: every id in a path, a query or a body. Ids are database integers: past their range (or below 1) a
  number names no record, and is refused with 422 before it reaches the database (which would fail on it).
- `Body`: request bodies. Unknown fields are refused, so a misspelt field is an error, not silently ignored.
- `JsonRoute`: every route of the API reads its JSON body strictly: UTF-8, no NaN or Infinity, no lone UTF-16
  surrogate, not nested past what the parser can follow; anything else is a 422 naming the problem.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from annotated_types import Ge, Le
from fastapi import Query
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import Response

from models.access import MAX_ID

Id = Annotated[int, Ge(1), Le(MAX_ID)]
Version = Annotated[int, Ge(0), Le(MAX_ID)]  # a record's version number, as returned with it
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]


class Body(BaseModel):
    model_config = ConfigDict(extra='forbid')


# ---------------------------------------------------------------- strict JSON bodies

class _NotJson(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NotJson(f'{name} is not a JSON value')


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotJson(f'the number {text[:40]} is too large')
    return value


def _lone_surrogate(value: Any) -> bool:
    """Whether a string anywhere in the parsed value (keys included) holds an unpaired UTF-16 surrogate, which
    `\\ud800`-style escapes can produce and no UTF-8 text (nor the database) can hold. Iterative: any depth."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode('utf-8')
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def parse_json(raw: bytes) -> Any:
    """The body as JSON, or json.JSONDecodeError saying what is wrong (FastAPI answers that with a 422)."""
    try:
        text = raw.decode('utf-8-sig')
    except UnicodeDecodeError as e:
        raise json.JSONDecodeError('the body is not UTF-8 text', raw.decode('latin-1'), e.start) from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError('the JSON is nested too deeply', text, 0) from None
    except ValueError as e:  # _NotJson, or an integer of more digits than Python converts
        raise json.JSONDecodeError(str(e).split(';')[0], text, 0) from None
    if '\\' in text and _lone_surrogate(value):
        raise json.JSONDecodeError('a string holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text',
                                   text, 0)
    return value


class _StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, '_json'):
            self._json = parse_json(await self.body())
        return self._json


class JsonRoute(APIRoute):
    """A route whose JSON body is parsed by `parse_json`: every router of the API is made with it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_json_handler(request: Request) -> Response:
            return await handler(_StrictJsonRequest(request.scope, request.receive, request._send))

        return strict_json_handler
