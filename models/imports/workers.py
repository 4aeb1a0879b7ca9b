"""The worker processes that read files and check rows, off the server's event loop.

There are WORKERS of them, at a lower priority than the server and with a cap on their memory; they end with the
server. More requests than workers wait their turn in the pool's queue.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .. import i18n
from ..errors import TooLarge, ValidationFailed
from ..i18n import _

# The modules whose functions run in the workers: the forkserver imports them once, before forking any worker.
WORKER_MODULES = ['models.imports.reading', 'models.imports.preparing']
WORKERS = max(1, min(2, os.cpu_count() or 1))  # processes that read files and check rows
WORKER_MEMORY = 3 * 1024 ** 3  # address space one worker may use: a file that needs more is refused

_pool: ProcessPoolExecutor | None = None


def process_identity(pid: int) -> str | None:
    """The process's start time (Linux), to tell it from a later process given the same id; None once it has
    ended (or is a zombie)."""
    try:
        with open(f'/proc/{pid}/stat') as stat:
            fields = stat.read().rsplit(')', 1)[1].split()
        return None if fields[0] in ('Z', 'X') else fields[19]
    except FileNotFoundError:
        return None
    except OSError:  # no /proc: whether the id is taken at all
        try:
            os.kill(pid, 0)
            return ''
        except ProcessLookupError:
            return None


def _watch_server(pid: int, identity: str | None) -> None:
    """A worker outlives a server that was killed (its task queue stays open, and the worker holds it open
    itself): it ends once the server has gone."""
    while process_identity(pid) == identity:
        time.sleep(0.5)
    os._exit(0)


def _worker_started(server_pid: int, server_identity: str | None) -> None:
    """In each worker process: a lower priority than the server's, a cap on its memory, and an end with the
    server's."""
    threading.Thread(target=_watch_server, args=(server_pid, server_identity), daemon=True).start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the server, which then stops its workers
    try:
        os.nice(10)
    except OSError:
        pass
    try:
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    except (ValueError, OSError):
        pass


_pool_lock = threading.Lock()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # forkserver: workers are forked from a small clean process, not from the threaded server
            context = multiprocessing.get_context('forkserver')
            context.set_forkserver_preload(WORKER_MODULES)
            _pool = ProcessPoolExecutor(max_workers=WORKERS, mp_context=context, initializer=_worker_started,
                                        initargs=(os.getpid(), process_identity(os.getpid())))
        return _pool


_prestart: threading.Timer | None = None


def start_workers(delay: float = 2.0) -> None:
    """Start the worker processes in the background, `delay` seconds from now (once the server listens, so that
    they do not slow its start): the first upload then does not wait the seconds a worker takes to start."""
    global _prestart

    def start() -> None:
        pool = _executor()
        for _ in range(WORKERS):
            pool.submit(int)
    _prestart = threading.Timer(delay, start)
    _prestart.name, _prestart.daemon = 'import-workers', True
    _prestart.start()


def _in_worker(language: str, function, *args):
    """Runs in a worker, in the language of whoever asked (its messages and notes are theirs to read). The data
    layer's refusals travel back as plain values (they do not pickle as such)."""
    i18n.use(language)
    try:
        return 'ok', function(*args)
    except ValidationFailed as e:
        return 'invalid', e.errors
    except TooLarge as e:
        return 'too large', e.message
    except MemoryError:
        return 'invalid', {'file': _('needs more than {size} GiB of memory to read: split it',
                                     size=WORKER_MEMORY // 1024 ** 3)}


async def off_loop(function, *args):
    """`function(*args)` in a worker process; the event loop serves everyone else meanwhile."""
    global _pool
    pool = _executor()
    try:
        # submit() starts a worker process when none is idle, and waits for the forkserver to fork it (for the
        # first one, until the forkserver has imported the app): not in the event loop
        future = await asyncio.to_thread(pool.submit, _in_worker, i18n.current(), function, *args)
        outcome, value = await asyncio.wrap_future(future)
    except BrokenProcessPool:  # a worker died (killed, out of memory): the next call starts new ones
        if _pool is pool:
            _pool = None
        pool.shutdown(wait=False, cancel_futures=True)
        raise ValidationFailed.one('file', _('could not be read: the process reading it stopped. Try again, or '
                                             'split the file')) from None
    if outcome == 'invalid':
        raise ValidationFailed(value)
    if outcome == 'too large':
        raise TooLarge(value)
    return value


async def shutdown_workers() -> None:
    """At server stop: what is queued is dropped, a file being read is finished, then the workers end."""
    global _pool, _prestart
    if _prestart is not None:  # a server stopped before its workers were due does not start them afterwards
        _prestart.cancel()
        await asyncio.to_thread(_prestart.join)
        _prestart = None
    pool, _pool = _pool, None
    if pool is not None:
        await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
