"""The errors of the data layer. ui/ shows them as messages, api/ maps them to status codes.

Messages are written when the error is raised, in the language of whoever the task serves (models/i18n.py)."""
from __future__ import annotations

from .i18n import N_, _
from .labels import field_label

# What was not found, as a whole sentence to translate (not a word put into one); any other thing reads
# '<thing> not found'.
_NOT_FOUND = {
    'record': N_('record not found'), 'contact': N_('contact not found'), 'company': N_('company not found'),
    'organization': N_('organization not found'), 'member': N_('member not found'),
    'invitation': N_('invitation not found'), 'token': N_('token not found'), 'import': N_('import not found'),
    'export': N_('export not found'), 'merge': N_('merge not found'), 'attachment': N_('attachment not found'),
    'file': N_('file not found'), 'cloud provider': N_('cloud provider not found'),
    'kiosk link': N_('kiosk link not found'), 'connection': N_('connection not found'),
    'project': N_('project not found'), 'task': N_('task not found'), 'ticket': N_('ticket not found'),
}


class RubricaError(Exception):
    """Base of every error a user can be told about."""

    def __init__(self, message: str = '') -> None:
        super().__init__(message)
        self.message = message


class NotFound(RubricaError):
    """The thing does not exist, or the caller may not see it: the two look the same. `message` says it in other
    words than '<what> not found'."""

    def __init__(self, what: str = 'record', *, message: str = '') -> None:
        known = _NOT_FOUND.get(what)
        super().__init__(message or (_(known) if known else _('{what} not found', what=what)))


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
    """One or more fields have bad values; `errors` maps each field to what is wrong with it (its key stays the
    field's name in English; the message and the field's label are in the reader's language)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__('; '.join(_('{field}: {problem}', field=field_label(field), problem=message)
                                   for field, message in errors.items()))
        self.errors = errors

    @classmethod
    def one(cls, field: str, message: str) -> 'ValidationFailed':
        return cls({field: message})
