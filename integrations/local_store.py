"""Uploaded files on the local disk, under the data dir, named by generated keys (never by the user's filename).

A file is streamed into a temporary file under `.tmp/`, flushed and fsynced, then renamed into place, so a
crash leaves at most a temporary file or an unreferenced one; both are removed at the next start, and by the
server's periodic sweep (models/files/storage.py).
"""
from __future__ import annotations

import asyncio
import os
import re
import secrets
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path

import aiofiles
import aiofiles.os

from .storage import FileMissing, StoredFile, TooBig

CHUNK_SIZE = 256 * 1024
TEMPORARY = '.tmp'
_KEY = re.compile(r'^[0-9a-f]{32}$')


class LocalStore:
    """The FileStore of uploaded files: `<root>/<first two characters of the key>/<key>`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):  # keys are ours; anything else never reaches the disk
            raise FileMissing(key)
        return self.root / key[:2] / key

    async def save(self, chunks: AsyncIterable[bytes], *, limit: int) -> StoredFile:
        key = secrets.token_hex(16)
        temporary_dir = self.root / TEMPORARY
        await aiofiles.os.makedirs(temporary_dir, exist_ok=True)
        temporary = temporary_dir / f'{key}.part'
        size = 0
        try:
            async with aiofiles.open(temporary, 'xb') as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > limit:
                        raise TooBig(limit)
                    await out.write(chunk)
                await out.flush()
                await asyncio.to_thread(os.fsync, out.fileno())
            final = self._path(key)
            await aiofiles.os.makedirs(final.parent, exist_ok=True)
            await aiofiles.os.replace(temporary, final)
            await asyncio.to_thread(_fsync_dir, final.parent)
        except BaseException:
            await _unlink(temporary)
            raise
        return StoredFile(key=key, size=size)

    async def read(self, key: str, *, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await aiofiles.open(path, 'rb')
        except FileNotFoundError:
            raise FileMissing(key) from None
        try:
            while chunk := await handle.read(chunk_size):
                yield chunk
        finally:
            await handle.close()

    async def exists(self, key: str) -> bool:
        try:
            return await aiofiles.os.path.isfile(self._path(key))
        except FileMissing:
            return False

    async def delete(self, key: str) -> None:
        try:
            await _unlink(self._path(key))
        except FileMissing:
            pass

    async def remove_unreferenced(self, referenced: Referenced, older_than: datetime) -> int:
        """Remove leftover temporary files and files no attachment refers to; files newer than `older_than`
        are kept, since an upload may be between its rename and its database row.

        `referenced` is the set of keys in use, or an async function that says which of a batch of keys are: the
        store then asks one directory (1/256 of the files) at a time, so no list of every key is ever loaded."""
        before = older_than.timestamp()
        removed = 0
        for directory in await asyncio.to_thread(self._directories):
            stale = await asyncio.to_thread(_stale_files, directory, before)
            if not stale:
                continue
            if directory.name == TEMPORARY:
                kept: set[str] = set()
            elif callable(referenced):
                kept = set(await referenced(sorted(name for name in stale if _KEY.match(name))))
            else:
                kept = set(referenced) & set(stale)
            removed += await asyncio.to_thread(_unlink_all, [stale[name] for name in stale if name not in kept])
        return removed

    def _directories(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [Path(entry.path) for entry in os.scandir(self.root) if entry.is_dir(follow_symlinks=False)]


Referenced = set[str] | Callable[[list[str]], Awaitable[set[str]]]


def _stale_files(directory: Path, before: float) -> dict[str, str]:
    """The files of one directory last written before `before`: name -> path."""
    found = {}
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return found
    for entry in entries:
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < before:
                found[entry.name] = entry.path
        except FileNotFoundError:
            continue
    return found


def _unlink_all(paths: list[str]) -> int:
    removed = 0
    for path in paths:
        try:
            os.unlink(path)
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


async def _unlink(path: Path) -> None:
    try:
        await aiofiles.os.remove(path)
    except FileNotFoundError:
        pass
