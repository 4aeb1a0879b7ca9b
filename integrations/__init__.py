"""What talks to the outside world: the local file store, Google Drive, Dropbox — one small interface.

`build(settings)` makes them once per process (main.py's configure); models/ receives the result and calls
the interface in integrations/storage.py, never an SDK.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .storage import CloudStore, FileStore


@dataclass(frozen=True)
class Integrations:
    files: FileStore
    clouds: dict[str, CloudStore] = field(default_factory=dict)
    secret: str = ''  # the key of the tokens' encryption is derived from it
    public_url: str = ''  # OAuth redirect URIs start with it
    max_upload_bytes: int = 0
    # where background jobs write the files they make for their owner (exports): a directory of the data dir that
    # every process running jobs or serving their downloads shares; None: no job may make one
    job_files: Path | None = None

    def cloud(self, provider: str) -> CloudStore | None:
        return self.clouds.get(provider)


def build(settings) -> Integrations:
    from .dropbox_store import DropboxStore
    from .google_drive import GoogleDrive
    from .local_store import LocalStore

    clouds: dict[str, CloudStore] = {
        'google_drive': GoogleDrive(client_id=settings.google_client_id, client_secret=settings.google_client_secret,
                                    auth_url=settings.google_auth_url, token_url=settings.google_token_url,
                                    api_url=settings.google_api_url),
        'dropbox': DropboxStore(app_key=settings.dropbox_app_key, app_secret=settings.dropbox_app_secret,
                                web_url=settings.dropbox_web_url, api_url=settings.dropbox_api_url),
    }
    return Integrations(files=LocalStore(settings.uploads_dir), clouds=clouds, secret=settings.secret,
                        public_url=settings.public_url, max_upload_bytes=settings.max_upload_bytes,
                        job_files=settings.job_files_dir)
