"""The one small interface between Rubrica and the places files live: the local store and the cloud drives.

models/ calls these; pages and the API never touch an SDK. Every method is async: the SDKs block, so the
providers run them in threads.
"""
from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Protocol, runtime_checkable

# An access token this close to its expiry is refreshed before use.
EXPIRY_MARGIN = timedelta(seconds=60)


class StorageError(Exception):
    """A store could not do what was asked."""


class FileMissing(StorageError):
    """No such file (deleted, moved, or never there)."""


class TooBig(StorageError):
    """More bytes arrived than the caller allowed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f'more than {limit} bytes')
        self.limit = limit


class Revoked(StorageError):
    """The provider refused the account's tokens (revoked, or the refresh token is no longer valid)."""


class Refused(StorageError):
    """The provider refused a request for another reason (a bad authorization code, a bad file id...)."""


@dataclass(frozen=True)
class StoredFile:
    """A file written into the local store: its generated key and its exact size."""
    key: str
    size: int


@dataclass(frozen=True)
class FileEntry:
    """A file or folder in a cloud drive, as the picker shows it and as an attachment links it."""
    id: str
    name: str
    is_folder: bool = False
    size: int | None = None
    content_type: str = ''
    web_link: str = ''
    modified: datetime | None = None


@dataclass
class Tokens:
    """An account's OAuth tokens. Providers update them in place when they refresh the access token."""
    access_token: str
    refresh_token: str = ''
    expires_at: datetime | None = None  # aware, UTC
    account_id: str = ''
    extra: dict = field(default_factory=dict)

    def expired(self, now: datetime | None = None) -> bool:
        if self.expires_at is None:
            return False
        return (now or datetime.now(timezone.utc)) + EXPIRY_MARGIN >= self.expires_at

    def as_dict(self) -> dict:
        return {'access_token': self.access_token, 'refresh_token': self.refresh_token,
                'expires_at': self.expires_at.isoformat() if self.expires_at else None,
                'account_id': self.account_id, 'extra': self.extra}

    @classmethod
    def from_dict(cls, data: dict) -> 'Tokens':
        expires = data.get('expires_at')
        return cls(access_token=data['access_token'], refresh_token=data.get('refresh_token') or '',
                   expires_at=datetime.fromisoformat(expires) if expires else None,
                   account_id=data.get('account_id') or '', extra=data.get('extra') or {})


@dataclass(frozen=True)
class Authorization:
    """Where to send the browser to ask the user's consent, and what to keep until the provider calls back."""
    url: str
    state: str
    code_verifier: str


@dataclass(frozen=True)
class Opened:
    """How to open a linked file: a URL to send the browser to, or the bytes themselves."""
    redirect: str | None = None
    chunks: AsyncIterator[bytes] | None = None


@runtime_checkable
class FileStore(Protocol):
    """Where uploaded files are kept, named by generated keys."""

    async def save(self, chunks: AsyncIterable[bytes], *, limit: int) -> StoredFile:
        """Write the chunks to a new file; raise TooBig past `limit` bytes (nothing is left behind)."""

    def read(self, key: str) -> AsyncIterator[bytes]:
        """The file's bytes, in chunks; FileMissing if there is no such file."""

    async def exists(self, key: str) -> bool:
        """Whether the file is there."""

    async def delete(self, key: str) -> None:
        """Remove the file; a missing file is not an error."""

    async def remove_unreferenced(self, referenced: set[str] | Callable[[list[str]], Awaitable[set[str]]],
                                  older_than: datetime) -> int:
        """Remove files (and leftover temporary files) not referenced and older than `older_than`. `referenced`
        is the set of keys in use, or an async function returning which of the given keys are in use."""


@runtime_checkable
class CloudStore(Protocol):
    """A user's cloud drive, reached with OAuth 2 tokens."""
    provider: str
    label: str

    @property
    def configured(self) -> bool:
        """Whether the operator gave this provider's client id and secret."""

    def authorization(self, redirect_uri: str) -> Authorization:
        """Start the authorization-code flow (with PKCE)."""

    async def exchange(self, *, code: str, redirect_uri: str, code_verifier: str) -> Tokens:
        """Trade the code the provider sent back for tokens."""

    async def browse(self, tokens: Tokens, folder_id: str | None = None) -> list[FileEntry]:
        """The files and folders in a folder (the root when None)."""

    async def search(self, tokens: Tokens, query: str) -> list[FileEntry]:
        """Files whose name matches the query."""

    async def describe(self, tokens: Tokens, file_id: str) -> FileEntry:
        """One file's name, size, type and web link."""

    async def open(self, tokens: Tokens, entry: FileEntry) -> Opened:
        """How the browser gets the file's content."""
