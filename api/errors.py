"""The error responses as the API's OpenAPI schema declares them (the answers themselves: web/errors.py)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Message(BaseModel):
    detail: str


class StaleVersion(Message):
    current_version: int | None = None
    changed_by: str | None = None  # the name of who saved it
    changed_at: str | None = None


DESCRIPTIONS = {
    400: 'The body could not be read (a malformed multipart body)',
    401: 'No token, or an unknown or revoked token',
    403: "The caller's role does not allow this",
    404: 'The organization or the record does not exist, or is not visible to the caller',
    409: 'Conflict with the current state (a stale version, a duplicate, the last owner)',
    413: 'The body or the file is too large, or the upload would pass the quota',
    429: 'Too many attempts: wait the seconds in Retry-After',
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error responses of a route, for `responses=` (FastAPI declares 422 itself where there is input)."""
    return {code: {'model': StaleVersion if code == 409 else Message, 'description': DESCRIPTIONS[code]}
            for code in codes}
