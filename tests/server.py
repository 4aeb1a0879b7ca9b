"""Rubrica as a real process, started the way `make run` does (`python main.py`), for the tests and the bench
scripts that need a real server (bench/ takes it from here: the one harness; nothing of the app imports tests/)."""
from __future__ import annotations

import os
import re
import shutil
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


def wait_until_answering(url: str, process: subprocess.Popen, timeout: float, failure: str) -> None:
    """Until `url` answers (any status): RuntimeError(failure) when the process exits or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(failure) from None
            time.sleep(0.1)


@contextmanager
def running_server(port: int, *, log: Path | None = None, start_timeout: float = 120, stop_timeout: float = 15,
                   **settings: str) -> Iterator[Server]:
    """`python main.py` on this port with these RUBRICA_* settings until the block ends, once it answers.

    Its output goes to `log`, by default `server-PORT.log` next to its data dir. At the end it is stopped
    gracefully, as an operator would (SIGTERM, then SIGKILL after `stop_timeout`), unless it stopped already (a test
    may kill it). A server that exits, or does not answer within `start_timeout` seconds, is a RuntimeError: a
    generous wait, as a server that migrates a fresh PostgreSQL database on a busy 2-core machine took more than
    30 s to answer (a CI run), and a server that answers sooner is not waited for."""
    env = server_env(RUBRICA_PORT=str(port), **settings)
    log = log or Path(env['RUBRICA_DATA_DIR']).parent / f'server-{port}.log'
    url = f'http://127.0.0.1:{port}'
    with open(log, 'ab') as output:
        process = subprocess.Popen([sys.executable, 'main.py'], cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                                   env=env)
        try:
            wait_until_answering(f'{url}/login', process, start_timeout, f'the server did not start; see {log}')
            yield Server(url, process)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=stop_timeout)
                except subprocess.TimeoutExpired:
                    process.kill()


NGINX_CONFIG = ROOT / 'docs' / 'deploy' / 'nginx-rubrica.conf'  # the deploy guide's, run as it is but for ports


@contextmanager
def running_proxy(port: int, upstreams: list[int], workdir: Path, *, extra: str = '', config: Path = NGINX_CONFIG,
                  access_log: bool = True) -> Iterator[Server]:
    """nginx with docs/deploy/nginx-rubrica.conf (or `config`, written the same way) in front of Rubrica processes
    on these ports, listening on `port` (127.0.0.1) until the block ends. The file's two upstream servers become
    `upstreams` and its `listen 80` the given port; everything else is the deploy guide's as written. `extra` goes
    into its location (a test may add a header naming the upstream). Files and logs go to `workdir`; `access_log`
    False writes none (the load bench: a line per request would cost nginx more than proxying does)."""
    nginx = shutil.which('nginx') or '/usr/sbin/nginx'
    workdir.mkdir(parents=True, exist_ok=True)
    site = config.read_text()
    servers = re.findall(r'^\s*server 127\.0\.0\.1:\d+[^;]*;\n', site, flags=re.M)
    assert len(servers) == 2, 'the deploy config names its two upstream servers as 127.0.0.1:PORT'
    site = site.replace(''.join(servers), ''.join(f'    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n'
                                                  for p in upstreams))
    assert 'listen 80;' in site and 'location / {' in site
    site = site.replace('listen 80;', f'listen 127.0.0.1:{port};')
    site = site.replace('location / {', f'location / {{\n        {extra}')  # where it joins the add_header there
    (workdir / 'rubrica.conf').write_text(site)
    temp = {name: workdir / name for name in ('client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi')}
    main = '\n'.join([
        'user root;' if os.geteuid() == 0 else '',  # its workers must reach the test's private directories
        'daemon off;', 'worker_processes 1;', f'pid {workdir / "nginx.pid"};', f'error_log {workdir / "error.log"};',
        'events { worker_connections 4096; }',  # a page is two connections through it: the load bench has hundreds
        'http {', f'  access_log {workdir / "access.log"};' if access_log else '  access_log off;',
        *(f'  {name}_temp_path {path};' for name, path in temp.items()),
        f'  include {workdir / "rubrica.conf"};', '}'])
    (workdir / 'nginx.conf').write_text(main)
    with open(workdir / 'nginx.out', 'ab') as output:
        process = subprocess.Popen([nginx, '-p', str(workdir), '-c', str(workdir / 'nginx.conf'),
                                    '-e', str(workdir / 'error.log')], stdout=output, stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}'
    try:
        wait_until_answering(f'{url}/healthz', process, 10, f'nginx did not start; see {workdir}/error.log')
        yield Server(url, process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # fast: a graceful one would wait for the open websockets
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
