"""Every setting of Rubrica, read once from RUBRICA_* environment variables (the table in the README)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

SIGNUP_MODES = ('open', 'invite')


class SettingsError(ValueError):
    """A setting has a value Rubrica cannot start with."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    host: str
    port: int
    secret: str
    signup: str
    google_client_id: str
    google_client_secret: str
    dropbox_app_key: str
    dropbox_app_secret: str
    public_url: str
    max_upload_bytes: int
    # where the cloud providers are reached; changed only to point the SDKs at a test server
    google_auth_url: str = 'https://accounts.google.com/o/oauth2/auth'
    google_token_url: str = 'https://oauth2.googleapis.com/token'
    google_api_url: str = 'https://www.googleapis.com'
    dropbox_web_url: str = 'https://www.dropbox.com'
    dropbox_api_url: str = 'https://api.dropboxapi.com'

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / 'files'

    @property
    def sessions_dir(self) -> Path:
        return self.data_dir / 'sessions'


def _secret_from_file(data_dir: Path) -> str:
    """The secret generated once into the data dir, readable by its owner only."""
    path = data_dir / 'secret'
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding='ascii').strip()
    with os.fdopen(fd, 'w', encoding='ascii') as f:
        f.write(secrets.token_urlsafe(48))
    return path.read_text(encoding='ascii').strip()


def load_settings(env: os._Environ[str] | dict[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    data_dir = Path(env.get('RUBRICA_DATA_DIR') or './data').resolve()
    data_dir.mkdir(parents=True, exist_ok=True)

    signup = env.get('RUBRICA_SIGNUP', 'open')
    if signup not in SIGNUP_MODES:
        raise SettingsError(f'RUBRICA_SIGNUP must be one of {", ".join(SIGNUP_MODES)}, not {signup!r}')
    port_text = env.get('RUBRICA_PORT', '8080')
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingsError(f'RUBRICA_PORT must be a port number, not {port_text!r}')
    host = env.get('RUBRICA_HOST', '127.0.0.1')
    max_upload_mb = env.get('RUBRICA_MAX_UPLOAD_MB', '200')
    if not max_upload_mb.isdigit() or int(max_upload_mb) < 1:
        raise SettingsError(f'RUBRICA_MAX_UPLOAD_MB must be a whole number of MiB, not {max_upload_mb!r}')

    return Settings(
        data_dir=data_dir,
        database_url=env.get('RUBRICA_DATABASE_URL') or f'sqlite://{data_dir / "rubrica.sqlite3"}',
        host=host,
        port=int(port_text),
        secret=env.get('RUBRICA_SECRET') or _secret_from_file(data_dir),
        signup=signup,
        google_client_id=env.get('RUBRICA_GOOGLE_CLIENT_ID', ''),
        google_client_secret=env.get('RUBRICA_GOOGLE_CLIENT_SECRET', ''),
        dropbox_app_key=env.get('RUBRICA_DROPBOX_APP_KEY', ''),
        dropbox_app_secret=env.get('RUBRICA_DROPBOX_APP_SECRET', ''),
        public_url=(env.get('RUBRICA_PUBLIC_URL') or f'http://{host}:{port_text}').rstrip('/'),
        max_upload_bytes=int(max_upload_mb) * 1024 * 1024,
        **{name: _base_url(env, variable) for name, variable in _PROVIDER_URLS.items() if env.get(variable)},
    )


_PROVIDER_URLS = {
    'google_auth_url': 'RUBRICA_GOOGLE_AUTH_URL',
    'google_token_url': 'RUBRICA_GOOGLE_TOKEN_URL',
    'google_api_url': 'RUBRICA_GOOGLE_API_URL',
    'dropbox_web_url': 'RUBRICA_DROPBOX_WEB_URL',
    'dropbox_api_url': 'RUBRICA_DROPBOX_API_URL',
}


def _base_url(env, variable: str) -> str:
    value = env[variable].rstrip('/')
    if not value.startswith(('https://', 'http://')):
        raise SettingsError(f'{variable} must be an http(s) URL, not {value!r}')
    return value
