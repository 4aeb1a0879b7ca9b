"""Every setting of Rubrica, read once from RUBRICA_* environment variables (the table in the README)."""
from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

from redis.connection import URL_QUERY_ARGUMENT_PARSERS, parse_url

from models.db import DEFAULT_SQLITE_READERS, MAX_SQLITE_READERS
from models.mail.smtp import SmtpServer

SIGNUP_MODES = ('open', 'invite')
LOG_FORMATS = ('text', 'json')
JOB_MODES = ('inside', 'workers')  # background jobs run inside the server, or in `python main.py worker` processes
POSTGRES_SCHEMES = ('postgres://', 'postgresql://', 'asyncpg://', 'psycopg://')


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
    trash_days: int = 30  # a deleted contact or company stays this many days in the trash, then is purged
    smtp: SmtpServer | None = None  # None: no mail is sent (RUBRICA_SMTP_URL empty)
    mail_from: str = ''
    log_format: str = 'text'  # RUBRICA_LOG_FORMAT: text for people, json (one object per line) for machines
    metrics_token: str = ''  # RUBRICA_METRICS_TOKEN: GET /metrics answers only with it; empty: no /metrics
    # RUBRICA_REDIS_URL: NiceGUI's storage and the live events shared by every process; empty: one process alone.
    # Out of the repr: it may hold a password, and settings end up in tracebacks.
    redis_url: str = field(default='', repr=False)
    redis_prefix: str = 'rubrica:'  # RUBRICA_REDIS_PREFIX: before every key and channel, for installs sharing a Redis
    sqlite_readers: int = DEFAULT_SQLITE_READERS  # RUBRICA_SQLITE_READERS: SQLite connections that read beside the writer; 0: one connection
    jobs: str = 'inside'  # RUBRICA_JOBS: inside (the server runs the background jobs) or workers (PostgreSQL only)
    # where the cloud providers are reached; changed only to point the SDKs at a test server
    google_auth_url: str = 'https://accounts.google.com/o/oauth2/auth'
    google_token_url: str = 'https://oauth2.googleapis.com/token'
    google_api_url: str = 'https://www.googleapis.com'
    dropbox_web_url: str = 'https://www.dropbox.com'
    dropbox_api_url: str = 'https://api.dropboxapi.com'

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / UPLOADS_DIR

    @property
    def job_files_dir(self) -> Path:
        return self.data_dir / JOB_FILES_DIR

    @property
    def sessions_dir(self) -> Path:
        return self.data_dir / 'sessions'

    @property
    def secret_file(self) -> Path:
        return self.data_dir / SECRET_FILE


UPLOADS_DIR = 'files'  # in the data dir
JOB_FILES_DIR = 'job-files'  # in the data dir: what background jobs make for their owner (exports), kept a day
SECRET_FILE = 'secret'  # in the data dir, when RUBRICA_SECRET is not set


def _secret_from_file(data_dir: Path) -> str:
    """The secret generated once into the data dir, readable by its owner only."""
    path = data_dir / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding='ascii').strip()
    with os.fdopen(fd, 'w', encoding='ascii') as f:
        f.write(secrets.token_urlsafe(48))
    return path.read_text(encoding='ascii').strip()


def storage_settings(env: os._Environ[str] | dict[str, str] | None = None) -> tuple[Path, str]:
    """Where the data lives: the data dir and the database URL, read without creating anything (`admin restore`
    must find an empty data dir as the operator left it, not one with a new secret in it)."""
    env = os.environ if env is None else env
    data_dir = Path(env.get('RUBRICA_DATA_DIR') or './data').resolve()
    return data_dir, env.get('RUBRICA_DATABASE_URL') or f'sqlite://{data_dir / "rubrica.sqlite3"}'


def load_settings(env: os._Environ[str] | dict[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    data_dir, database_url = storage_settings(env)
    data_dir.mkdir(parents=True, exist_ok=True)

    signup = env.get('RUBRICA_SIGNUP', 'open')
    if signup not in SIGNUP_MODES:
        raise SettingsError(f'RUBRICA_SIGNUP must be one of {", ".join(SIGNUP_MODES)}, not {signup!r}')
    port_text = env.get('RUBRICA_PORT', '8080')
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingsError(f'RUBRICA_PORT must be a port number, not {port_text!r}')
    host = env.get('RUBRICA_HOST', '127.0.0.1')
    smtp = smtp_server(env.get('RUBRICA_SMTP_URL', ''))
    mail_from = env.get('RUBRICA_MAIL_FROM', '').strip()
    if smtp is not None and not _is_address(mail_from):
        raise SettingsError('RUBRICA_MAIL_FROM must be the address mail is sent from (rubrica@example.com or '
                            f'"Rubrica <rubrica@example.com>") when RUBRICA_SMTP_URL is set, not {mail_from!r}')
    trash_days = env.get('RUBRICA_TRASH_DAYS', '30').strip()
    if not trash_days.isascii() or not trash_days.isdigit() or int(trash_days) < 1:
        raise SettingsError(f'RUBRICA_TRASH_DAYS must be a whole number of days from 1, not {trash_days!r}')
    log_format = env.get('RUBRICA_LOG_FORMAT', 'text').strip().lower() or 'text'
    if log_format not in LOG_FORMATS:
        raise SettingsError(f'RUBRICA_LOG_FORMAT must be one of {", ".join(LOG_FORMATS)}, not {log_format!r}')
    metrics_token = env.get('RUBRICA_METRICS_TOKEN', '').strip()
    if metrics_token and (len(metrics_token) < 16 or not metrics_token.isascii() or not metrics_token.isprintable()
                          or ' ' in metrics_token):
        # a short token is guessed; a space or a non-ASCII character cannot travel in an Authorization header
        raise SettingsError('RUBRICA_METRICS_TOKEN must be at least 16 printable ASCII characters without spaces')
    redis = redis_url(env.get('RUBRICA_REDIS_URL', ''))
    redis_prefix = env.get('RUBRICA_REDIS_PREFIX', 'rubrica:').strip()
    if not redis_prefix or len(redis_prefix) > 100 or not redis_prefix.isascii() or not redis_prefix.isprintable() \
            or ' ' in redis_prefix:
        raise SettingsError('RUBRICA_REDIS_PREFIX must be 1 to 100 printable ASCII characters without spaces, not '
                            f'{redis_prefix!r}')
    jobs = job_mode(env, database_url)
    sqlite_readers = env.get('RUBRICA_SQLITE_READERS', str(DEFAULT_SQLITE_READERS)).strip()
    if not sqlite_readers.isascii() or not sqlite_readers.isdigit() or int(sqlite_readers) > MAX_SQLITE_READERS:
        raise SettingsError(f'RUBRICA_SQLITE_READERS must be a whole number of connections from 0 to '
                            f'{MAX_SQLITE_READERS}, not {sqlite_readers!r}')
    max_upload_mb = env.get('RUBRICA_MAX_UPLOAD_MB', '200')
    if not max_upload_mb.isdigit() or int(max_upload_mb) < 1:
        raise SettingsError(f'RUBRICA_MAX_UPLOAD_MB must be a whole number of MiB, not {max_upload_mb!r}')

    return Settings(
        data_dir=data_dir,
        database_url=database_url,
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
        trash_days=int(trash_days),
        smtp=smtp,
        mail_from=mail_from,
        log_format=log_format,
        metrics_token=metrics_token,
        redis_url=redis,
        redis_prefix=redis_prefix,
        jobs=jobs,
        sqlite_readers=int(sqlite_readers),
        **{name: _base_url(env, variable) for name, variable in _PROVIDER_URLS.items() if env.get(variable)},
    )


def job_mode(env, database_url: str) -> str:
    """RUBRICA_JOBS: `inside` by default on SQLite, `workers` on PostgreSQL; separate workers share their queue through
    PostgreSQL, so they need it."""
    on_postgres = database_url.startswith(POSTGRES_SCHEMES)
    mode = env.get('RUBRICA_JOBS', '').strip().lower() or ('workers' if on_postgres else 'inside')
    if mode not in JOB_MODES:
        raise SettingsError(f'RUBRICA_JOBS must be one of {", ".join(JOB_MODES)}, not {mode!r}')
    if mode == 'workers' and not on_postgres:
        raise SettingsError('RUBRICA_JOBS=workers needs PostgreSQL (RUBRICA_DATABASE_URL=postgres://…): the workers '
                            'share their queue through it; with SQLite the server runs the jobs itself (inside)')
    return mode


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


SMTP_SCHEMES = {'smtp': 25, 'smtps': 465}  # and their default ports (587 for smtp://…?starttls=1)
_YES, _NO = ('1', 'true', 'yes', 'on'), ('0', 'false', 'no', 'off', '')


def smtp_server(url: str) -> SmtpServer | None:
    """RUBRICA_SMTP_URL: `smtp://user:pass@host:port` (`?starttls=1` to upgrade), `smtps://…` (implicit TLS);
    None when empty. A refusal names what is wrong and shows the URL with its password hidden."""
    url = url.strip()
    if not url:
        return None
    parts, port, refuse = _server_url('RUBRICA_SMTP_URL', url, SMTP_SCHEMES, 'must start with smtp:// or smtps://',
                                      'names no host (smtp://user:password@host:port)')
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    if unknown := set(options) - {'starttls'}:
        raise refuse(f'unknown option {sorted(unknown)[0]!r} (the only one is starttls=1)')
    starttls = options.get('starttls', '').lower()
    if starttls not in _YES + _NO:
        raise refuse(f'starttls must be 1 or 0, not {starttls!r}')
    starttls_on = starttls in _YES
    if starttls_on and parts.scheme == 'smtps':
        raise refuse('smtps:// is TLS from the start: starttls=1 is for smtp://')
    return SmtpServer(host=parts.hostname, port=port or (587 if starttls_on else SMTP_SCHEMES[parts.scheme]),
                      username=unquote(parts.username or ''), password=unquote(parts.password or ''),
                      implicit_tls=parts.scheme == 'smtps', starttls=starttls_on)


def _server_url(variable: str, url: str, schemes, wrong_scheme: str, no_host: str
                ) -> tuple[SplitResult, int | None, Callable[[str], SettingsError]]:
    """A service's URL split, its scheme, host and port checked; and how to refuse it further (the variable named,
    the URL shown with its password hidden)."""
    parts = urlsplit(url)

    def refuse(problem: str) -> SettingsError:
        return SettingsError(f'{variable} {shown_url(url)!r}: {problem}')

    if parts.scheme not in schemes:
        raise refuse(wrong_scheme)
    if not parts.hostname:
        raise refuse(no_host)
    try:
        port = parts.port
    except ValueError:
        raise refuse('the port must be a number from 1 to 65535') from None
    if port == 0:
        raise refuse('the port must be a number from 1 to 65535')
    return parts, port, refuse


def shown_url(url: str) -> str:
    """A URL as it may be shown or logged: its password, whatever it holds (even a / or a #), as ***."""
    return re.sub(r'(://[^:/@]*:).*@', r'\1***@', url)


REDIS_SCHEMES = ('redis', 'rediss')  # rediss: TLS


def redis_url(url: str) -> str:
    """RUBRICA_REDIS_URL: `redis://[user:password@]host[:port][/db]` (`rediss://` for TLS), '' when empty. A
    refusal names what is wrong and shows the URL with its password hidden."""
    url = url.strip()
    if not url:
        return ''
    parts, _port, refuse = _server_url(
        'RUBRICA_REDIS_URL', url, REDIS_SCHEMES, 'must start with redis:// or rediss:// (TLS)',
        'names no host (redis://:password@host:6379/0; a / or # in the password is written %2F, %23)')
    database = parts.path.strip('/')
    if database and not (database.isascii() and database.isdigit()):
        raise refuse(f'the database after the host must be a number (/0, /1…), not {database!r}')
    if unknown := {name for name, _value in parse_qsl(parts.query, keep_blank_values=True)} - \
            set(URL_QUERY_ARGUMENT_PARSERS):
        raise refuse(f'unknown option {sorted(unknown)[0]!r}')
    try:
        parse_url(url)
    except ValueError as e:  # an option with a value redis-py cannot read; its message names the option only
        raise refuse(str(e)) from None
    return url


def _is_address(value: str) -> bool:
    _, address = parseaddr(value)
    local, at, domain = address.rpartition('@')
    return bool(at and local and domain and ' ' not in address)
