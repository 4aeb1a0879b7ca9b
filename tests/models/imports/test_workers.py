"""Import files are read in worker processes: a refusal there comes back as itself, and a worker that dies is
replaced."""
from __future__ import annotations

import asyncio
import os
import signal

import pytest

from models.errors import ValidationFailed
from models.imports.reading import read_upload
from models.imports import workers
from models.imports.workers import off_loop, shutdown_workers, start_workers


def refusal(error: pytest.ExceptionInfo) -> str:
    assert list(error.value.errors) == ['file']
    return error.value.errors['file']


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def test_files_are_read_in_a_worker_process_and_a_dead_worker_is_replaced():
    assert await off_loop(os.getpid) != os.getpid()
    with pytest.raises(ValidationFailed) as error:  # a refusal in the worker comes back as itself
        await read_upload(b'BEGIN:VCARD\r\n' * 10, 'vcard')
    assert 'has no END:VCARD' in refusal(error)
    with pytest.raises(ValidationFailed) as error:
        await off_loop(_die)
    assert refusal(error) == 'could not be read: the process reading it stopped. Try again, or split the file'
    parsed = await read_upload(b'Name;Email\nAda;ada@example.com\n', 'csv')
    assert (parsed.delimiter, parsed.rows) == (';', [['Ada', 'ada@example.com']])


async def test_a_server_stopped_before_its_workers_are_due_does_not_start_them_afterwards():
    """Start-up asks for the workers a moment later; a server (or a test's app) stopped within that moment must
    not leave a pool of processes started behind it."""
    await shutdown_workers()
    start_workers(delay=0.3)
    await shutdown_workers()
    await asyncio.sleep(0.6)
    assert workers._pool is None
