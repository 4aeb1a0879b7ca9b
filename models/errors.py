"""The errors of the data layer. ui/ shows them as messages, api/ maps them to status codes."""
from __future__ import annotations

from .labels import field_label


class RubricaError(Exception):
    """Base of every error a user can be told about."""

    def __init__(self, message: str = '') -> None:
        super().__init__(message)
        self.message = message


class NotFound(RubricaError):
    """The thing does not exist, or the caller may not see it: the two look the same."""

    def __init__(self, what: str = 'record') -> None:
        super().__init__(f'{what} not found')


class Forbidden(RubricaError):
    """The caller's role does not allow this action."""


class Conflict(RubricaError):
    """The action clashes with the current state (a stale version, a duplicate, the last owner)."""


class TooLarge(RubricaError):
    """A body or a file is too large, or an upload would pass the organization's quota."""


class Unauthorized(RubricaError):
    """Wrong credentials, or an unknown or revoked token."""


class RateLimited(RubricaError):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ValidationFailed(RubricaError):
    """One or more fields have bad values; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__('; '.join(f'{field_label(field)}: {message}' for field, message in errors.items()))
        self.errors = errors

    @classmethod
    def one(cls, field: str, message: str) -> 'ValidationFailed':
        return cls({field: message})
