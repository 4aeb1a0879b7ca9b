"""Validation and normalization of single values, with libraries made for each job.

Every function takes the field name so that the error it raises names the field.
"""
from __future__ import annotations

import pycountry
from email_validator import EmailNotValidError, validate_email

from .errors import ValidationFailed

NAME_MAX = 200
DESCRIPTION_MAX = 20_000
PASSWORD_MIN = 8
PASSWORD_MAX = 1024  # argon2 hashes anything, but a megabyte password is an attack, not a password


def clean_text(field: str, value: object, *, required: bool = False, max_length: int = NAME_MAX) -> str:
    """Trimmed text without control characters that break display (NUL, etc.); '' when empty."""
    if value is None:
        value = ''
    if not isinstance(value, str):
        raise ValidationFailed.one(field, 'must be text')
    if '\x00' in value:
        raise ValidationFailed.one(field, 'must not contain NUL characters')
    text = value.strip()
    if required and not text:
        raise ValidationFailed.one(field, 'is required')
    if len(text) > max_length:
        raise ValidationFailed.one(field, f'must be at most {max_length} characters')
    return text


def normalize_email(field: str, value: object) -> str:
    """A syntactically valid address (no DNS lookups), its domain in lower case."""
    text = clean_text(field, value, required=True, max_length=254)
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as e:
        raise ValidationFailed.one(field, f'is not a valid email address ({e})') from None


def account_email(field: str, value: object) -> str:
    """Account emails compare case-insensitively, so they are stored in lower case."""
    return normalize_email(field, value).lower()


def check_password(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValidationFailed.one(field, 'must be text')
    if len(value) < PASSWORD_MIN:
        raise ValidationFailed.one(field, f'must be at least {PASSWORD_MIN} characters')
    if len(value) > PASSWORD_MAX:
        raise ValidationFailed.one(field, f'must be at most {PASSWORD_MAX} characters')
    return value


def country_code(field: str, value: object, *, required: bool = True) -> str:
    """An ISO 3166-1 alpha-2 code in upper case."""
    text = clean_text(field, value, required=required, max_length=2).upper()
    if not text:
        return ''
    if len(text) != 2 or pycountry.countries.get(alpha_2=text) is None:
        raise ValidationFailed.one(field, f'{text!r} is not an ISO 3166 two-letter country code')
    return text


class FieldErrors:
    """Runs several field checks and reports every failing field at once, not just the first."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def check(self, validate, field: str, value: object, **options):
        try:
            return validate(field, value, **options)
        except ValidationFailed as e:
            self.errors.update(e.errors)
            return None

    def add(self, field: str, message: str) -> None:
        self.errors[field] = message

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
