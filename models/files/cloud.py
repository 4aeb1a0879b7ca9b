"""Users' Google Drive and Dropbox accounts: connecting with OAuth 2, tokens encrypted at rest, refreshing,
and noticing when a provider no longer accepts them.

Cloud files are for premium organizations. The account belongs to the user (one per provider); the tokens
are stored only as Fernet ciphertext under a key derived from RUBRICA_SECRET.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TypeVar

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from tortoise.exceptions import IntegrityError

from integrations import Integrations
from integrations.storage import (Authorization, CloudStore, FileEntry, FileMissing, Refused, Revoked, StorageError,
                                  Tokens)

from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..i18n import _
from ..orgs.tables import Membership
from ..validation import clean_text
from .storage import now
from .tables import CloudAccount, CloudStatus

T = TypeVar('T')
PROVIDERS = ('google_drive', 'dropbox')
SEARCH_MAX = 200


class NotConnected(Forbidden):
    """The user has no working account of this provider (never connected, disconnected, or revoked)."""


# ---------------------------------------------------------------- encryption at rest

@lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b'rubrica cloud tokens',
               info=b'fernet key v1').derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, tokens: Tokens) -> str:
    return _fernet(secret).encrypt(json.dumps(tokens.as_dict()).encode()).decode('ascii')


def unseal(secret: str, sealed: str) -> Tokens:
    return Tokens.from_dict(json.loads(_fernet(secret).decrypt(sealed.encode('ascii'))))


# ---------------------------------------------------------------- rules

def require_premium(actor: Membership) -> None:
    if actor.org.plan != 'premium':
        raise Forbidden(_('Files from Google Drive and Dropbox are available to premium organizations'))


def store_for(integrations: Integrations, provider: object) -> CloudStore:
    store = integrations.cloud(provider) if isinstance(provider, str) else None
    if store is None:
        raise NotFound('cloud provider')
    return store


def redirect_uri(integrations: Integrations, provider: str) -> str:
    return f'{integrations.public_url}/cloud/{provider}/callback'


# ---------------------------------------------------------------- connecting

async def start_connection(*, actor: Membership, provider: object, integrations: Integrations) -> Authorization:
    """Where to send the user to consent; the caller keeps the returned state and verifier for the callback."""
    require_premium(actor)
    store = store_for(integrations, provider)
    if not store.configured:
        raise Forbidden(_('{store} is not set up on this server (the operator has not given its client id)',
                          store=store.label))
    return store.authorization(redirect_uri(integrations, store.provider))


async def finish_connection(*, user, provider: object, code: object, state: object, pending: object,
                            integrations: Integrations) -> CloudAccount:
    """Trade the provider's code for tokens, after checking the state against the one kept at the start."""
    store = store_for(integrations, provider)
    if not (isinstance(pending, dict) and pending.get('provider') == store.provider and isinstance(state, str)
            and state and pending.get('state') == state):
        raise ValidationFailed.one('state', _('does not match the connection you started; connect again'))
    if not isinstance(code, str) or not code:
        raise ValidationFailed.one('code', _('{store} sent no authorization code; connect again', store=store.label))
    try:
        tokens = await store.exchange(code=code, redirect_uri=redirect_uri(integrations, store.provider),
                                      code_verifier=pending.get('code_verifier') or '')
    except Refused:
        raise ValidationFailed.one('code', _('{store} refused the authorization; connect again',
                                             store=store.label)) from None
    sealed = seal(integrations.secret, tokens)
    values = {'tokens': sealed, 'expires_at': tokens.expires_at, 'status': CloudStatus.CONNECTED.value,
              'connected_at': now()}
    try:
        account, created = await CloudAccount.get_or_create(user_id=user.id, provider=store.provider, defaults=values)
    except IntegrityError:  # the same user finished twice at once
        account, created = await CloudAccount.get(user_id=user.id, provider=store.provider), False
    if not created:
        for name, value in values.items():
            setattr(account, name, value)
        await account.save()
    return account


async def disconnect(*, user, provider: object) -> None:
    """Forget the account and its tokens (links made with it then open through the provider's own page)."""
    if provider not in PROVIDERS:
        raise NotFound('cloud provider')
    await CloudAccount.filter(user_id=user.id, provider=provider).delete()


@dataclass(frozen=True)
class AccountState:
    provider: str
    label: str
    configured: bool
    status: str  # 'connected', 'revoked' or 'disconnected'
    connected_at: datetime | None = None


async def account_states(*, user, integrations: Integrations) -> list[AccountState]:
    accounts = {a.provider: a for a in await CloudAccount.filter(user_id=user.id)}
    states = []
    for provider in PROVIDERS:
        store = store_for(integrations, provider)
        account = accounts.get(provider)
        states.append(AccountState(provider, store.label, store.configured,
                                   account.status if account else 'disconnected',
                                   account.connected_at if account else None))
    return states


# ---------------------------------------------------------------- using an account

async def with_account(user_id: int | None, provider: str, integrations: Integrations,
                       work: Callable[[CloudStore, Tokens], Awaitable[T]]) -> T:
    """Run `work` with the user's tokens: refreshed tokens are saved (encrypted) afterwards, and tokens the
    provider refuses mark the account revoked, so Settings can ask the user to reconnect."""
    store = store_for(integrations, provider)
    account = await CloudAccount.get_or_none(user_id=user_id, provider=store.provider) if user_id else None
    if account is None:
        raise NotConnected(_('Connect your {store} account in Settings first', store=store.label))
    if account.status == CloudStatus.REVOKED.value:
        raise NotConnected(_('{store} no longer accepts this account: reconnect it in Settings', store=store.label))
    try:
        tokens = unseal(integrations.secret, account.tokens)
    except (InvalidToken, ValueError, KeyError):  # the secret changed: the tokens cannot be read any more
        await _mark_revoked(account)
        raise NotConnected(_('{store} needs to be reconnected in Settings', store=store.label)) from None
    before = tokens.as_dict()
    revoked = False
    try:
        return await work(store, tokens)
    except Revoked:
        revoked = True
        await _mark_revoked(account)
        raise NotConnected(_('{store} no longer accepts this account: reconnect it in Settings',
                             store=store.label)) from None
    except FileMissing:
        raise NotFound('file', message=_('file in {store} not found', store=store.label)) from None
    except Refused:
        raise Conflict(_('{store} refused the request; try again later', store=store.label)) from None
    except StorageError:
        raise Conflict(_('{store} could not be reached; try again later', store=store.label)) from None
    finally:
        if not revoked and tokens.as_dict() != before:
            await CloudAccount.filter(id=account.id).update(tokens=seal(integrations.secret, tokens),
                                                            expires_at=tokens.expires_at, updated_at=now())


async def _mark_revoked(account: CloudAccount) -> None:
    await CloudAccount.filter(id=account.id).update(status=CloudStatus.REVOKED.value, updated_at=now())


async def browse(*, actor: Membership, provider: object, folder_id: str | None,
                 integrations: Integrations) -> list[FileEntry]:
    """The caller's files and folders in one folder of their drive (the top when None)."""
    require_premium(actor)
    if folder_id is not None and (not isinstance(folder_id, str) or len(folder_id) > 255):
        raise ValidationFailed.one('folder_id', _('is not a folder id'))
    return await with_account(actor.user_id, store_for(integrations, provider).provider, integrations,
                              lambda store, tokens: store.browse(tokens, folder_id))


async def search(*, actor: Membership, provider: object, query: object,
                 integrations: Integrations) -> list[FileEntry]:
    """The caller's files whose names match."""
    require_premium(actor)
    text = clean_text('query', query, required=True, max_length=SEARCH_MAX)
    return await with_account(actor.user_id, store_for(integrations, provider).provider, integrations,
                              lambda store, tokens: store.search(tokens, text))
