"""Dropbox through the official `dropbox` SDK: consent with PKCE and an offline (refresh) token, list_folder,
search_v2 and get_temporary_link.

The SDK always builds https://api.dropboxapi.com/... URLs; when the operator (or a test) points Rubrica at
another address, the requests session given to the SDK sends those requests there instead.
"""
from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Callable
from datetime import timezone
from typing import TypeVar

import dropbox
import requests
from dropbox import files as dropbox_files
from dropbox.exceptions import ApiError, AuthError, DropboxException
from dropbox.oauth import DropboxOAuth2Flow, OAuth2FlowNoRedirectResult
from requests.adapters import HTTPAdapter

from .storage import Authorization, FileEntry, FileMissing, Opened, Refused, Revoked, Tokens

DEFAULT_API = 'https://api.dropboxapi.com'
DEFAULT_WEB = 'https://www.dropbox.com'
CSRF_KEY = 'dropbox-csrf'
TIMEOUT = 30
SEARCH_LIMIT = 100

T = TypeVar('T')


class _Rebased(HTTPAdapter):
    """Sends requests meant for one base URL to another one (the SDK's hosts are fixed)."""

    def __init__(self, bases: dict[str, str]) -> None:
        super().__init__()
        self.bases = bases

    def send(self, request, **kwargs):
        for original, target in self.bases.items():
            if request.url.startswith(original + '/'):
                request.url = target + request.url[len(original):]
                break
        return super().send(request, **kwargs)


def _entry(metadata, web_url: str) -> FileEntry:
    is_folder = isinstance(metadata, dropbox_files.FolderMetadata)
    path = metadata.path_display or ''
    name = metadata.name
    return FileEntry(
        id=metadata.id, name=name, is_folder=is_folder,
        size=None if is_folder else metadata.size,
        content_type='' if is_folder else (mimetypes.guess_type(name)[0] or 'application/octet-stream'),
        web_link=f'{web_url}/home{path}' if is_folder else f'{web_url}/preview{path}',
        modified=None if is_folder else metadata.server_modified.replace(tzinfo=timezone.utc))


class DropboxStore:
    provider = 'dropbox'
    label = 'Dropbox'

    def __init__(self, *, app_key: str, app_secret: str, web_url: str = DEFAULT_WEB,
                 api_url: str = DEFAULT_API) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.web_url = web_url.rstrip('/')
        self.api_url = api_url.rstrip('/')

    @property
    def configured(self) -> bool:
        return bool(self.app_key and self.app_secret)

    def _session(self) -> requests.Session:
        session = requests.Session()
        if self.api_url != DEFAULT_API:
            session.mount('https://', _Rebased({DEFAULT_API: self.api_url}))
        return session

    # ------------------------------------------------------------ consent

    def _flow(self, redirect_uri: str, csrf: dict) -> DropboxOAuth2Flow:
        return DropboxOAuth2Flow(self.app_key, redirect_uri, csrf, CSRF_KEY, consumer_secret=self.app_secret,
                                 use_pkce=True, token_access_type='offline', timeout=TIMEOUT)

    def authorization(self, redirect_uri: str) -> Authorization:
        csrf: dict = {}
        flow = self._flow(redirect_uri, csrf)
        url = flow.start()
        if url.startswith(DEFAULT_WEB + '/'):
            url = self.web_url + url[len(DEFAULT_WEB):]
        return Authorization(url=url, state=csrf[CSRF_KEY], code_verifier=flow.code_verifier)

    async def exchange(self, *, code: str, redirect_uri: str, code_verifier: str) -> Tokens:
        def run() -> OAuth2FlowNoRedirectResult:
            state = 'checked-by-rubrica-' + '0' * 8  # the caller compared the state already
            flow = self._flow(redirect_uri, {CSRF_KEY: state})
            flow.code_verifier = code_verifier
            flow.requests_session = self._session()
            try:
                return flow.finish({'code': code, 'state': state})
            except (requests.RequestException, DropboxException, ValueError, KeyError) as e:
                raise Refused(f'Dropbox refused the authorization ({type(e).__name__})') from None
            finally:
                flow.requests_session.close()

        result = await asyncio.to_thread(run)
        expires = result.expires_at.replace(tzinfo=timezone.utc) if result.expires_at else None
        return Tokens(access_token=result.access_token, refresh_token=result.refresh_token or '', expires_at=expires,
                      account_id=result.account_id or '')

    # ------------------------------------------------------------ API calls

    def _call(self, tokens: Tokens, work: Callable[[dropbox.Dropbox], T]) -> T:
        expiry = tokens.expires_at.astimezone(timezone.utc).replace(tzinfo=None) if tokens.expires_at else None
        session = self._session()
        client = dropbox.Dropbox(oauth2_access_token=tokens.access_token,
                                 oauth2_refresh_token=tokens.refresh_token or None,
                                 oauth2_access_token_expiration=expiry, app_key=self.app_key,
                                 app_secret=self.app_secret, session=session, timeout=TIMEOUT,
                                 max_retries_on_error=1, max_retries_on_rate_limit=1)
        try:
            if tokens.expired() and tokens.refresh_token:
                client.refresh_access_token()
            return work(client)
        except AuthError as e:
            raise Revoked('Dropbox no longer accepts this account\'s tokens') from e
        except ApiError as e:
            raise FileMissing('not found in Dropbox') from e
        except (DropboxException, requests.RequestException) as e:
            raise Refused(f'Dropbox refused the request ({type(e).__name__})') from e
        finally:
            # the SDK keeps a refreshed token only on the client object
            refreshed = getattr(client, '_oauth2_access_token', None)
            if refreshed and refreshed != tokens.access_token:
                tokens.access_token = refreshed
                expiration = getattr(client, '_oauth2_access_token_expiration', None)
                tokens.expires_at = expiration.replace(tzinfo=timezone.utc) if expiration else None
            session.close()

    async def _run(self, tokens: Tokens, work: Callable[[dropbox.Dropbox], T]) -> T:
        return await asyncio.to_thread(self._call, tokens, work)

    async def browse(self, tokens: Tokens, folder_id: str | None = None) -> list[FileEntry]:
        def work(client: dropbox.Dropbox) -> list[FileEntry]:
            result = client.files_list_folder(folder_id or '', limit=500)
            entries = [e for e in result.entries
                       if isinstance(e, (dropbox_files.FileMetadata, dropbox_files.FolderMetadata))]
            return sorted((_entry(e, self.web_url) for e in entries), key=lambda e: (not e.is_folder, e.name.lower()))
        return await self._run(tokens, work)

    async def search(self, tokens: Tokens, query: str) -> list[FileEntry]:
        def work(client: dropbox.Dropbox) -> list[FileEntry]:
            result = client.files_search_v2(query, options=dropbox_files.SearchOptions(max_results=SEARCH_LIMIT))
            found = []
            for match in result.matches:
                metadata = match.metadata.get_metadata() if match.metadata.is_metadata() else None
                if isinstance(metadata, (dropbox_files.FileMetadata, dropbox_files.FolderMetadata)):
                    found.append(_entry(metadata, self.web_url))
            return found
        return await self._run(tokens, work)

    async def describe(self, tokens: Tokens, file_id: str) -> FileEntry:
        def work(client: dropbox.Dropbox) -> FileEntry:
            return _entry(client.files_get_temporary_link(file_id).metadata, self.web_url)
        return await self._run(tokens, work)

    async def open(self, tokens: Tokens, entry: FileEntry) -> Opened:
        """A short-lived direct link from Dropbox, made with the account that linked the file."""
        link = await self._run(tokens, lambda client: client.files_get_temporary_link(entry.id).link)
        return Opened(redirect=link)
