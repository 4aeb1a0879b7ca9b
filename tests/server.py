"""Start Rubrica as a real process, the way `make run` does, for tests that need a real server."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def server_env(**settings: str) -> dict[str, str]:
    """This test's RUBRICA_* settings, without the variables that make NiceGUI think it runs under pytest."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTEST_', 'NICEGUI_'))}
    env.update(settings)
    return env


@contextmanager
def running_server(port: int, **settings: str):
    """`python main.py` on this port until the block ends; stopped gracefully, as an operator would."""
    log = open(Path(os.environ['RUBRICA_DATA_DIR']).parent / f'server-{port}.log', 'ab')
    process = subprocess.Popen([sys.executable, 'main.py'], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               env=server_env(RUBRICA_PORT=str(port), **settings))
    url = f'http://127.0.0.1:{port}'
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f'{url}/login', timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f'the server did not start; see {log.name}') from None
                time.sleep(0.2)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
