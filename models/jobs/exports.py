"""An export of many records as a background job: started from a list page or the API, run as its owner by whichever
process runs jobs (the access gate as that member when it runs), written by records.exports.write_export — the same
writer as the streamed downloads, so the file is the same, byte for byte — into the job files' directory of the data
dir (Integrations.job_files), then downloadable by its owner alone for KEPT.

Files: `<job id>.part` while it is written, renamed to `<job id>-<token>` once whole (`token` is in the job's result,
so a file is only ever found through its finished job). A cancelled or failed run removes its partial file; a run cut
off by a dead or stopping process is taken back (its partial file removed) and runs again from the start, as the
other kinds. The periodic sweep (`sweep`, every 10 minutes with the sweep of uploads) removes the files of expired
exports and what a crash left behind.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import aiofiles

from integrations import Integrations

from ..access import membership
from ..accounts.tables import User
from ..errors import NotFound
from ..i18n import _, current
from ..orgs.tables import Membership
from ..records.exports import ExportRequest, check_export, count_export, write_export
from . import store
from .store import DONE, Progress
from .tables import Job, Status

KIND = 'export'
STEP = 'exporting'
BACKGROUND_FROM = 5000  # the list pages export more records than this as a job (fewer: a download at once)
KEPT = timedelta(hours=24)  # a finished export's file can be downloaded this long, then it is removed
CHUNK_SIZE = 256 * 1024  # bytes read at a time when the file is sent
PARTIAL = '.part'
STALE_PARTIAL = 600.0  # seconds: a partial file not written for this long, of a job not running, is a leftover
_FINISHED_NAME = re.compile(r'^(\d+)-([0-9a-f]{32})$')
_PARTIAL_NAME = re.compile(r'^(\d+)\.part$')


async def start(actor: Membership, *, filename: str, q: str = '', filters: dict | None = None,
                 separator: object = 'comma', ids: list | None = None) -> Job:
    """A queued export job of the caller's (the caller defers it): what the streamed export would refuse (an unknown
    file, a role that may not see records, a bad separator, too many ids) is refused here, at once."""
    request = check_export(actor, filename, q=q, filters=filters, separator=separator, ids=ids)
    params = {'filename': request.filename, 'q': request.q, 'filters': request.filters,
              'separator': request.separator, 'ids': request.ids,
              'language': current()}  # the CSV's headers are in the language of whoever asked for it
    return await store.create(actor, KIND, params)


def _request(job: Job) -> ExportRequest:
    params = job.params
    return ExportRequest(params['filename'], params.get('q', ''), dict(params.get('filters') or {}),
                         params.get('separator', 'comma'), params.get('ids'))


def _directory(integrations: Integrations | None) -> Path:
    if integrations is None or integrations.job_files is None:
        raise RuntimeError('exports as jobs need the job files directory (Integrations.job_files)')
    return integrations.job_files


def partial_path(directory: Path, job_id: int) -> Path:
    return directory / f'{job_id}{PARTIAL}'


def file_path(directory: Path, job_id: int, token: str) -> Path:
    return directory / f'{job_id}-{token}'


async def run(job: Job, progress: Progress, integrations: Integrations | None = None) -> dict:
    """Write the export as its owner, who must still see records in that organization, into `<id>.part`, then
    rename it into place; a cancel (or any failure) on the way removes the partial file."""
    directory = _directory(integrations)
    actor = await membership(await User.get_or_none(id=job.owner_id), job.org_id)
    request = _request(job)
    total = await count_export(actor, request)
    written = 0

    async def advanced(done: int) -> None:
        nonlocal written
        written = done
        await progress(STEP, done, max(total, done))  # records added meanwhile: never more than all of them

    await progress(STEP, 0, total)
    export = write_export(actor, request, progress=advanced)
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    partial = partial_path(directory, job.id)
    token = secrets.token_hex(16)
    size = 0
    try:
        async with aiofiles.open(partial, 'wb') as out:  # 'wb': what a run cut off before left is overwritten
            async for chunk in export.chunks:
                size += len(chunk)
                await out.write(chunk)
            await out.flush()
            await asyncio.to_thread(os.fsync, out.fileno())
        await asyncio.to_thread(os.replace, partial, file_path(directory, job.id, token))
    except BaseException:
        await asyncio.to_thread(_unlink, partial)
        raise
    await progress(DONE, written, max(total, written))
    return {'filename': request.filename, 'content_type': export.content_type, 'records': written, 'size': size,
            'file': token, 'expires_at': (store.now() + KEPT).isoformat()}


async def take_back(job: Job, *, again: bool, integrations: Integrations | None = None) -> None:
    """What a cut-off run wrote: its partial file, and a whole file its run had no time to report."""
    directory = integrations.job_files if integrations is not None else None
    if directory is None:
        return  # no directory known here: the periodic sweep removes them
    await asyncio.to_thread(_remove_files_of, directory, job.id)


def _remove_files_of(directory: Path, job_id: int) -> None:
    _unlink(partial_path(directory, job_id))
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(directory):
            found = _FINISHED_NAME.match(entry.name)
            if found and int(found.group(1)) == job_id:
                _unlink(Path(entry.path))


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def expires_at(job: Job) -> datetime | None:
    """Until when a finished export can be downloaded (None: it never made a file)."""
    if job.kind != KIND or job.status != Status.SUCCEEDED.value or job.finished_at is None:
        return None
    return job.finished_at + KEPT


def downloadable(job: Job) -> bool:
    moment = expires_at(job)
    return moment is not None and store.now() < moment


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    size: int
    chunks: AsyncIterator[bytes]


async def open_file(user_id: int, job_id: object, integrations: Integrations | None) -> ExportFile:
    """The file of one of the caller's finished exports, while it is kept. Anyone else's job, a job that is not an
    export, not finished, expired or whose file is gone: NotFound, the same for all."""
    job = await store.get(user_id, job_id)
    result = job.result or {}
    token = result.get('file')
    if not downloadable(job) or not isinstance(token, str) or not re.fullmatch(r'[0-9a-f]{32}', token) \
            or integrations is None or integrations.job_files is None:
        raise NotFound(message=_('This export has no file to download: it is not finished, or it expired'))
    path = file_path(integrations.job_files, job.id, token)
    try:
        handle = await aiofiles.open(path, 'rb')
    except FileNotFoundError:
        raise NotFound(message=_('This export has no file to download: it is not finished, or it expired')) \
            from None
    size = (await asyncio.to_thread(os.fstat, handle.fileno())).st_size

    async def chunks() -> AsyncIterator[bytes]:
        try:
            while chunk := await handle.read(CHUNK_SIZE):
                yield chunk
        finally:
            await handle.close()

    return ExportFile(str(result.get('filename') or 'export'), str(result.get('content_type') or ''), size, chunks())


async def sweep(integrations: Integrations | None) -> int:
    """Remove the files of exports past KEPT (and of jobs gone or not succeeded), and partial files no running job
    writes that were left alone for STALE_PARTIAL; how many were removed. The periodic sweep's, every 10 minutes."""
    directory = integrations.job_files if integrations is not None else None
    if directory is None:
        return 0
    entries = await asyncio.to_thread(_entries, directory)
    if not entries:
        return 0
    ids = sorted({job_id for _name, job_id, _token, _mtime in entries})
    jobs = {job.id: job for job in await Job.filter(id__in=ids, kind=KIND)}
    stale_before = time.time() - STALE_PARTIAL
    removed = []
    for name, job_id, token, mtime in entries:
        job = jobs.get(job_id)
        if job is not None and job.status == Status.RUNNING.value and token is not None:
            continue  # renamed into place a moment before its job is marked finished
        if token is None:  # a partial file
            if (job is None or job.status != Status.RUNNING.value) and mtime < stale_before:
                removed.append(directory / name)
        elif job is None or not downloadable(job) or (job.result or {}).get('file') != token:
            removed.append(directory / name)
    for path in removed:
        await asyncio.to_thread(_unlink, path)
    return len(removed)


def _entries(directory: Path) -> list[tuple[str, int, str | None, float]]:
    """The job files: (name, job id, token or None for a partial file, last written)."""
    found = []
    try:
        scanned = list(os.scandir(directory))
    except FileNotFoundError:
        return []
    for entry in scanned:
        whole, partial = _FINISHED_NAME.match(entry.name), _PARTIAL_NAME.match(entry.name)
        if whole or partial:
            with contextlib.suppress(FileNotFoundError):
                found.append((entry.name, int((whole or partial).group(1)), whole.group(2) if whole else None,
                              entry.stat().st_mtime))
    return found
