"""Rubrica as a real process, started the way `make run` does (`python main.py`), for the tests and the bench
scripts that need a real server (bench/ takes it from here: the one harness; nothing of the app imports tests/)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def server_env(**settings: str) -> dict[str, str]:
    """The environment with these RUBRICA_* settings, without the variables that make NiceGUI think it runs under
    pytest."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTEST_', 'NICEGUI_'))}
    env.setdefault('RUBRICA_JOBS', 'inside')  # the server runs its jobs itself unless a test starts workers
    env.update(settings)
    return env


class Server(NamedTuple):
    url: str
    process: subprocess.Popen


@contextmanager
def running_server(port: int, *, log: Path | None = None, start_timeout: float = 30, stop_timeout: float = 15,
                   **settings: str) -> Iterator[Server]:
    """`python main.py` on this port with these RUBRICA_* settings until the block ends, once it answers.

    Its output goes to `log`, by default `server-PORT.log` next to its data dir. At the end it is stopped
    gracefully, as an operator would (SIGTERM, then SIGKILL after `stop_timeout`), unless it stopped already (a test
    may kill it). A server that exits, or does not answer within `start_timeout` seconds, is a RuntimeError."""
    env = server_env(RUBRICA_PORT=str(port), **settings)
    log = log or Path(env['RUBRICA_DATA_DIR']).parent / f'server-{port}.log'
    url = f'http://127.0.0.1:{port}'
    with open(log, 'ab') as output:
        process = subprocess.Popen([sys.executable, 'main.py'], cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                                   env=env)
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                try:
                    httpx.get(f'{url}/login', timeout=1)
                    break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f'the server did not start; see {log}') from None
                    time.sleep(0.2)
            yield Server(url, process)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=stop_timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
