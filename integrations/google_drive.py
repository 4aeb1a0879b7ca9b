"""Google Drive through Google's own clients: google-auth-oauthlib for consent, google-api-python-client for Drive v3.

Every SDK call blocks, so each runs in a thread. Expired access tokens are refreshed before use (and the SDK
refreshes again on a 401); the refreshed tokens are written back into the `Tokens` the caller passed.
"""
from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from typing import TypeVar

import google.auth.transport.requests
import requests
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import build_from_document
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseDownload
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from .storage import Authorization, FileEntry, FileMissing, Opened, Refused, Revoked, Tokens

SCOPES = ['https://www.googleapis.com/auth/drive.readonly']
FOLDER = 'application/vnd.google-apps.folder'
NATIVE_PREFIX = 'application/vnd.google-apps.'  # Docs, Sheets...: no bytes to download, opened in Google's editor
FIELDS = 'id, name, mimeType, size, webViewLink, modifiedTime'
PAGE_SIZE = 100
DOWNLOAD_CHUNK = 1024 * 1024
TIMEOUT = 30

T = TypeVar('T')


@lru_cache(maxsize=1)
def _discovery_document() -> dict:
    """Drive v3's description, as shipped inside google-api-python-client (nothing is fetched at run time)."""
    text = resources.files('googleapiclient').joinpath('discovery_cache/documents/drive.v3.json').read_text('utf-8')
    return json.loads(text)


def _quote(text: str) -> str:
    """A string literal of Drive's query language."""
    return "'" + text.replace('\\', '\\\\').replace("'", "\\'") + "'"


def _entry(item: dict) -> FileEntry:
    modified = item.get('modifiedTime')
    return FileEntry(id=item['id'], name=item.get('name', ''), is_folder=item.get('mimeType') == FOLDER,
                     size=int(item['size']) if item.get('size') is not None else None,
                     content_type=item.get('mimeType', ''), web_link=item.get('webViewLink', ''),
                     modified=datetime.fromisoformat(modified.replace('Z', '+00:00')) if modified else None)


class GoogleDrive:
    provider = 'google_drive'
    label = 'Google Drive'

    def __init__(self, *, client_id: str, client_secret: str, auth_url: str, token_url: str, api_url: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.auth_url = auth_url
        self.token_url = token_url
        self.api_url = api_url.rstrip('/')

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)

    # ------------------------------------------------------------ consent

    def _flow(self, redirect_uri: str, code_verifier: str | None = None) -> Flow:
        config = {'web': {'client_id': self.client_id, 'client_secret': self.client_secret,
                          'auth_uri': self.auth_url, 'token_uri': self.token_url}}
        return Flow.from_client_config(config, scopes=SCOPES, redirect_uri=redirect_uri, code_verifier=code_verifier,
                                       autogenerate_code_verifier=code_verifier is None)

    def authorization(self, redirect_uri: str) -> Authorization:
        flow = self._flow(redirect_uri)
        url, state = flow.authorization_url(access_type='offline', prompt='consent', include_granted_scopes='true')
        return Authorization(url=url, state=state, code_verifier=flow.code_verifier)

    async def exchange(self, *, code: str, redirect_uri: str, code_verifier: str) -> Tokens:
        def run() -> Tokens:
            flow = self._flow(redirect_uri, code_verifier)
            try:
                flow.fetch_token(code=code, timeout=TIMEOUT)
            except (OAuth2Error, requests.RequestException, ValueError) as e:
                raise Refused(f'Google refused the authorization ({type(e).__name__})') from None
            credentials = flow.credentials
            return Tokens(access_token=credentials.token, refresh_token=credentials.refresh_token or '',
                          expires_at=credentials.expiry.replace(tzinfo=timezone.utc) if credentials.expiry else None)
        return await asyncio.to_thread(run)

    # ------------------------------------------------------------ Drive calls

    def _credentials(self, tokens: Tokens) -> Credentials:
        expiry = tokens.expires_at.astimezone(timezone.utc).replace(tzinfo=None) if tokens.expires_at else None
        return Credentials(token=tokens.access_token, refresh_token=tokens.refresh_token or None,
                           token_uri=self.token_url, client_id=self.client_id, client_secret=self.client_secret,
                           scopes=SCOPES, expiry=expiry)

    def _service(self, credentials: Credentials):
        return build_from_document(_discovery_document(), credentials=credentials,
                                   client_options={'api_endpoint': f'{self.api_url}/drive/v3/'})

    def _call(self, tokens: Tokens, work: Callable[[object], T], credentials: Credentials | None = None) -> T:
        """Run one piece of Drive work with fresh tokens, in the calling (worker) thread; `work` gets the
        Drive service, or the credentials themselves when they are given (a download under way)."""
        given = credentials is not None
        credentials = credentials or self._credentials(tokens)
        try:
            if tokens.expired():
                with requests.Session() as session:
                    credentials.refresh(google.auth.transport.requests.Request(session))
            return work(credentials if given else self._service(credentials))
        except RefreshError as e:
            raise Revoked('Google Drive no longer accepts this account\'s tokens') from e
        except HttpError as e:
            if e.status_code == 401:
                raise Revoked('Google Drive no longer accepts this account\'s tokens') from e
            if e.status_code == 404:
                raise FileMissing('not found in Google Drive') from e
            raise Refused(f'Google Drive answered {e.status_code}') from e
        finally:
            if credentials.token and credentials.token != tokens.access_token:
                tokens.access_token = credentials.token
                tokens.expires_at = credentials.expiry.replace(tzinfo=timezone.utc) if credentials.expiry else None
                if credentials.refresh_token:
                    tokens.refresh_token = credentials.refresh_token

    async def _run(self, tokens: Tokens, work: Callable[[object], T]) -> T:
        return await asyncio.to_thread(self._call, tokens, work)

    async def browse(self, tokens: Tokens, folder_id: str | None = None) -> list[FileEntry]:
        query = f'{_quote(folder_id or "root")} in parents and trashed = false'
        return await self._list(tokens, query)

    async def search(self, tokens: Tokens, query: str) -> list[FileEntry]:
        return await self._list(tokens, f'name contains {_quote(query)} and trashed = false')

    async def _list(self, tokens: Tokens, query: str) -> list[FileEntry]:
        def work(service) -> list[FileEntry]:
            found = service.files().list(q=query, fields=f'files({FIELDS})', pageSize=PAGE_SIZE,
                                         orderBy='folder,name', spaces='drive').execute()
            return [_entry(item) for item in found.get('files', [])]
        return await self._run(tokens, work)

    async def describe(self, tokens: Tokens, file_id: str) -> FileEntry:
        def work(service) -> FileEntry:
            return _entry(service.files().get(fileId=file_id, fields=FIELDS).execute())
        return await self._run(tokens, work)

    async def open(self, tokens: Tokens, entry: FileEntry) -> Opened:
        """Google's own documents open in Google's editor; other files are streamed through (get_media), with
        the account that linked them, so everyone who may see the record can open them."""
        if entry.content_type.startswith(NATIVE_PREFIX):
            return Opened(redirect=(await self.describe(tokens, entry.id)).web_link or entry.web_link)
        credentials = self._credentials(tokens)
        first, rest = await asyncio.to_thread(
            self._call, tokens, lambda c: self._start_download(self._service(c), entry.id), credentials)
        return Opened(chunks=self._chunks(tokens, credentials, first, rest))

    @staticmethod
    def _start_download(service, file_id: str):
        """The first chunk now (so a missing file is known before any byte is sent), the rest later."""
        buffer = io.BytesIO()
        downloader = MediaIoBaseDownload(buffer, service.files().get_media(fileId=file_id), chunksize=DOWNLOAD_CHUNK)
        _, done = downloader.next_chunk(num_retries=1)
        first = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return first, (None if done else (downloader, buffer))

    async def _chunks(self, tokens: Tokens, credentials: Credentials, first: bytes, rest) -> AsyncIterator[bytes]:
        if first:
            yield first
        if rest is None:
            return
        downloader, buffer = rest

        def next_chunk() -> tuple[bytes, bool]:
            _, done = self._call(tokens, lambda _: downloader.next_chunk(num_retries=1), credentials)
            data = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            return data, done

        done = False
        while not done:
            data, done = await asyncio.to_thread(next_chunk)
            if data:
                yield data
