"""A small stand-in for Google's and Dropbox's servers on 127.0.0.1, serving exactly the endpoints Rubrica calls:

Google: the consent page (it consents at once), the OAuth token endpoint, Drive v3 files.list, files.get and
files.get with alt=media. Dropbox: the consent page, oauth2/token, files/list_folder, files/search_v2 and
files/get_temporary_link. Tokens are checked like the real servers do (PKCE, expiry, revocation), so the real
SDK clients see real successes and real failures. Tests read `calls` to see what was asked.
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.server import free_port

GOOGLE_CLIENT = ('google-client-id', 'google-client-secret')
DROPBOX_APP = ('dropbox-app-key', 'dropbox-app-secret')
FOLDER = 'application/vnd.google-apps.folder'


@dataclass
class DriveFile:
    id: str
    name: str
    mime: str
    parent: str = 'root'
    content: bytes = b''

    def json(self, base: str) -> dict:
        data = {'id': self.id, 'name': self.name, 'mimeType': self.mime,
                'webViewLink': f'{base}/drive-view/{self.id}', 'modifiedTime': '2026-01-02T03:04:05.000Z'}
        if self.mime != FOLDER:
            data['size'] = str(len(self.content))
        return data


@dataclass
class DropboxEntry:
    id: str
    path: str
    folder: bool = False
    content: bytes = b''

    @property
    def name(self) -> str:
        return self.path.rsplit('/', 1)[-1]

    def json(self) -> dict:
        data = {'.tag': 'folder' if self.folder else 'file', 'name': self.name, 'id': self.id,
                'path_lower': self.path.lower(), 'path_display': self.path}
        if not self.folder:
            data |= {'client_modified': '2026-01-02T03:04:05Z', 'server_modified': '2026-01-02T03:04:05Z',
                     'rev': '0123456789abcdef', 'size': len(self.content), 'is_downloadable': True,
                     'content_hash': 'a' * 64}
        return data


@dataclass
class Provider:
    """One provider's accounts: issued codes, access tokens (with their expiry) and refresh tokens."""
    codes: dict[str, dict] = field(default_factory=dict)
    access: dict[str, float] = field(default_factory=dict)  # token -> expiry (epoch seconds)
    refresh: set[str] = field(default_factory=set)
    lifetime: int = 3600

    def issue(self) -> tuple[str, str]:
        access, refresh = 'at-' + secrets.token_urlsafe(24), 'rt-' + secrets.token_urlsafe(24)
        self.access[access] = time.time() + self.lifetime
        self.refresh.add(refresh)
        return access, refresh

    def valid(self, request: Request) -> bool:
        scheme, _, token = request.headers.get('authorization', '').partition(' ')
        return scheme.lower() == 'bearer' and self.access.get(token, 0) > time.time()

    def revoke_everything(self) -> None:
        self.access.clear()
        self.refresh.clear()

    def expire_access_tokens(self) -> None:
        for token in self.access:
            self.access[token] = 0


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip('=')


class FakeClouds:
    def __init__(self) -> None:
        self.port = free_port()
        self.base = f'http://127.0.0.1:{self.port}'
        self.google = Provider()
        self.dropbox = Provider(lifetime=14400)
        self.calls: list[str] = []
        self.drive_files: dict[str, DriveFile] = {}
        self.dropbox_entries: dict[str, DropboxEntry] = {}
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------ setup
    def settings(self) -> dict[str, str]:
        return {'RUBRICA_GOOGLE_CLIENT_ID': GOOGLE_CLIENT[0], 'RUBRICA_GOOGLE_CLIENT_SECRET': GOOGLE_CLIENT[1],
                'RUBRICA_DROPBOX_APP_KEY': DROPBOX_APP[0], 'RUBRICA_DROPBOX_APP_SECRET': DROPBOX_APP[1],
                'RUBRICA_GOOGLE_AUTH_URL': f'{self.base}/o/oauth2/auth',
                'RUBRICA_GOOGLE_TOKEN_URL': f'{self.base}/token',
                'RUBRICA_GOOGLE_API_URL': self.base,
                'RUBRICA_DROPBOX_WEB_URL': f'{self.base}/dropbox-web',
                'RUBRICA_DROPBOX_API_URL': f'{self.base}/dropbox-api'}

    def add_drive_file(self, file_id: str, name: str, content: bytes = b'', mime: str = 'application/pdf',
                       parent: str = 'root') -> DriveFile:
        self.drive_files[file_id] = DriveFile(file_id, name, mime, parent, content)
        return self.drive_files[file_id]

    def add_dropbox_entry(self, entry_id: str, path: str, content: bytes = b'', folder: bool = False) -> None:
        self.dropbox_entries[entry_id] = DropboxEntry(entry_id, path, folder, content)

    def start(self) -> 'FakeClouds':
        app = Starlette(routes=[
            Route('/o/oauth2/auth', self.google_consent),
            Route('/token', self.google_token, methods=['POST']),
            Route('/drive/v3/files', self.drive_list),
            Route('/drive/v3/files/{file_id}', self.drive_get),
            Route('/drive-view/{file_id}', self.drive_view),
            Route('/dropbox-web/oauth2/authorize', self.dropbox_consent),
            Route('/dropbox-api/oauth2/token', self.dropbox_token, methods=['POST']),
            Route('/dropbox-api/2/files/list_folder', self.dropbox_list_folder, methods=['POST']),
            Route('/dropbox-api/2/files/search_v2', self.dropbox_search, methods=['POST']),
            Route('/dropbox-api/2/files/get_temporary_link', self.dropbox_temporary_link, methods=['POST']),
            Route('/dropbox-content/{entry_id}', self.dropbox_content),
        ])
        config = uvicorn.Config(app, host='127.0.0.1', port=self.port, log_level='warning', lifespan='off')
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError('the fake cloud server did not start')
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server:
            self._server.should_exit = True
        if self._thread:
            self._thread.join(timeout=10)

    # ------------------------------------------------ consent pages: the user always agrees
    def _consent(self, request: Request, name: str, client_id: str, provider: Provider) -> Response:
        """Back to the redirect URI with a new code, remembered with the request's query for the token endpoint."""
        q = request.query_params
        self.calls.append(f'{name} consent')
        assert q['client_id'] == client_id and q['response_type'] == 'code'
        code = f'{name[0]}c-' + secrets.token_urlsafe(12)
        provider.codes[code] = dict(q)
        return RedirectResponse(f'{q["redirect_uri"]}?{urlencode({"code": code, "state": q["state"]})}', 302)

    async def google_consent(self, request: Request) -> Response:
        return self._consent(request, 'google', GOOGLE_CLIENT[0], self.google)

    async def dropbox_consent(self, request: Request) -> Response:
        return self._consent(request, 'dropbox', DROPBOX_APP[0], self.dropbox)

    # ------------------------------------------------ token endpoints
    async def google_token(self, request: Request) -> Response:
        form = await request.form()
        grant = form.get('grant_type')
        self.calls.append(f'google token {grant}')
        if (form.get('client_id'), form.get('client_secret')) != GOOGLE_CLIENT:
            basic = request.headers.get('authorization', '')
            if basic != 'Basic ' + base64.b64encode(':'.join(GOOGLE_CLIENT).encode()).decode():
                return JSONResponse({'error': 'invalid_client'}, 401)
        if grant == 'authorization_code':
            issued = self.google.codes.pop(form.get('code'), None)
            if issued is None or issued['redirect_uri'] != form.get('redirect_uri') or \
                    (issued.get('code_challenge') and
                     _challenge(form.get('code_verifier', '')) != issued['code_challenge']):
                return JSONResponse({'error': 'invalid_grant'}, 400)
            access, refresh = self.google.issue()
            return JSONResponse({'access_token': access, 'refresh_token': refresh, 'expires_in': self.google.lifetime,
                                 'token_type': 'Bearer', 'scope': 'https://www.googleapis.com/auth/drive.readonly'})
        if grant == 'refresh_token':
            if form.get('refresh_token') not in self.google.refresh:
                return JSONResponse({'error': 'invalid_grant', 'error_description': 'Token has been expired or revoked.'},
                                    400)
            access, _ = self.google.issue()
            return JSONResponse({'access_token': access, 'expires_in': self.google.lifetime, 'token_type': 'Bearer',
                                 'scope': 'https://www.googleapis.com/auth/drive.readonly'})
        return JSONResponse({'error': 'unsupported_grant_type'}, 400)

    async def dropbox_token(self, request: Request) -> Response:
        form = await request.form()
        grant = form.get('grant_type')
        self.calls.append(f'dropbox token {grant}')
        if form.get('client_id') != DROPBOX_APP[0]:
            return JSONResponse({'error': 'invalid_client'}, 400)
        if grant == 'authorization_code':
            issued = self.dropbox.codes.pop(form.get('code'), None)
            if issued is None or issued['redirect_uri'] != form.get('redirect_uri') \
                    or issued.get('code_challenge_method') != 'S256' \
                    or _challenge(form.get('code_verifier', '')) != issued.get('code_challenge'):
                return JSONResponse({'error': 'invalid_grant', 'error_description': 'bad code or verifier'}, 400)
            access, refresh = self.dropbox.issue()
            body = {'access_token': access, 'token_type': 'bearer', 'expires_in': self.dropbox.lifetime,
                    'scope': 'files.metadata.read files.content.read', 'uid': '12345', 'account_id': 'dbid:fake'}
            if issued.get('token_access_type') == 'offline':
                body['refresh_token'] = refresh
            return JSONResponse(body)
        if grant == 'refresh_token':
            if form.get('refresh_token') not in self.dropbox.refresh:
                return JSONResponse({'error': 'invalid_grant', 'error_description': 'refresh token is invalid or revoked'},
                                    400)
            access, _ = self.dropbox.issue()
            return JSONResponse({'access_token': access, 'token_type': 'bearer', 'expires_in': self.dropbox.lifetime})
        return JSONResponse({'error': 'unsupported_grant_type'}, 400)

    # ------------------------------------------------ Google Drive v3
    def _drive_denied(self) -> Response:
        return JSONResponse({'error': {'code': 401, 'message': 'Request had invalid authentication credentials.',
                                       'status': 'UNAUTHENTICATED'}}, 401)

    async def drive_list(self, request: Request) -> Response:
        self.calls.append(f'drive list {request.query_params.get("q")}')
        if not self.google.valid(request):
            return self._drive_denied()
        query = request.query_params.get('q', '')
        files = list(self.drive_files.values())
        if ' in parents' in query:
            parent = query.split("'")[1]
            files = [f for f in files if f.parent == parent]
        if 'name contains ' in query:
            needle = query.split('name contains ', 1)[1].split("'")[1].lower()
            files = [f for f in files if needle in f.name.lower()]
        files.sort(key=lambda f: (f.mime != FOLDER, f.name))
        return JSONResponse({'files': [f.json(self.base) for f in files]})

    async def drive_get(self, request: Request) -> Response:
        file_id = request.path_params['file_id']
        media = request.query_params.get('alt') == 'media'
        self.calls.append(f'drive {"media" if media else "get"} {file_id}')
        if not self.google.valid(request):
            return self._drive_denied()
        found = self.drive_files.get(file_id)
        if found is None:
            return JSONResponse({'error': {'code': 404, 'message': f'File not found: {file_id}.'}}, 404)
        if not media:
            return JSONResponse(found.json(self.base))
        content = found.content
        wanted = request.headers.get('range', '')
        if wanted.startswith('bytes='):
            start, end = (int(x) for x in wanted[6:].split('-'))
            part = content[start:end + 1]
            return Response(part, 206, media_type=found.mime,
                            headers={'Content-Range': f'bytes {start}-{start + len(part) - 1}/{len(content)}'})
        return Response(content, media_type=found.mime)

    async def drive_view(self, request: Request) -> Response:
        return Response(f'Drive viewer for {request.path_params["file_id"]}', media_type='text/plain')

    # ------------------------------------------------ Dropbox
    def _dropbox_denied(self) -> Response:
        return JSONResponse({'error_summary': 'invalid_access_token/', 'error': {'.tag': 'invalid_access_token'}}, 401)

    async def _dropbox_args(self, request: Request, name: str) -> dict | Response:
        self.calls.append(f'dropbox {name}')
        if not self.dropbox.valid(request):
            return self._dropbox_denied()
        return json.loads(await request.body() or b'{}')

    def _dropbox_find(self, path: str) -> DropboxEntry | None:
        if path.startswith('id:'):
            return self.dropbox_entries.get(path)
        return next((e for e in self.dropbox_entries.values() if e.path.lower() == path.lower()), None)

    async def dropbox_list_folder(self, request: Request) -> Response:
        args = await self._dropbox_args(request, 'list_folder')
        if isinstance(args, Response):
            return args
        if args['path'] == '':
            folder_path = ''
        else:
            folder = self._dropbox_find(args['path'])
            if folder is None or not folder.folder:
                return JSONResponse({'error_summary': 'path/not_found/',
                                     'error': {'.tag': 'path', 'path': {'.tag': 'not_found'}}}, 409)
            folder_path = folder.path.lower()
        entries = [e.json() for e in self.dropbox_entries.values() if e.path.lower().rsplit('/', 1)[0] == folder_path]
        return JSONResponse({'entries': entries, 'cursor': 'cursor-1', 'has_more': False})

    async def dropbox_search(self, request: Request) -> Response:
        args = await self._dropbox_args(request, 'search_v2')
        if isinstance(args, Response):
            return args
        needle = args['query'].lower()
        matches = [{'metadata': {'.tag': 'metadata', 'metadata': e.json()}, 'match_type': {'.tag': 'filename'}}
                   for e in self.dropbox_entries.values() if needle in e.name.lower()]
        return JSONResponse({'matches': matches, 'has_more': False})

    async def dropbox_temporary_link(self, request: Request) -> Response:
        args = await self._dropbox_args(request, 'get_temporary_link')
        if isinstance(args, Response):
            return args
        found = self._dropbox_find(args['path'])
        if found is None or found.folder:
            return JSONResponse({'error_summary': 'path/not_found/',
                                 'error': {'.tag': 'path', 'path': {'.tag': 'not_found'}}}, 409)
        return JSONResponse({'metadata': found.json(), 'link': f'{self.base}/dropbox-content/{found.id}'})

    async def dropbox_content(self, request: Request) -> Response:
        found = self.dropbox_entries.get(request.path_params['entry_id'])
        return Response(found.content if found else b'', media_type='application/octet-stream')
