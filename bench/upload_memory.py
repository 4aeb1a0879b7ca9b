"""How much a 200 MiB upload raises the server's peak memory (target: under 50 MiB).

Starts Rubrica as a process (`python main.py`, with tests/server.py) on a fresh data dir, creates an account,
an organization with room for the file, and a contact; then uploads a file of --mib MiB through the API as a
streamed multipart body, sampling the server's VmRSS and VmHWM from /proc while it runs.

    .venv/bin/python bench/upload_memory.py [--mib 200]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import account, fresh_server  # noqa: E402
from tests.server import server_env  # noqa: E402

CHUNK = 1024 * 1024
MIB = 1024 * 1024


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak resident set) in bytes."""
    values = {}
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        name, _, rest = line.partition(':')
        if name in ('VmRSS', 'VmHWM'):
            values[name] = int(rest.split()[0]) * 1024
    return values


def reset_peak(pid: int) -> bool:
    """Linux resets VmHWM to the current RSS when 5 is written to clear_refs (needs the process's owner)."""
    try:
        Path(f'/proc/{pid}/clear_refs').write_text('5')
        return True
    except OSError:
        return False


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            try:
                self.peak_rss = max(self.peak_rss, memory(self.pid)['VmRSS'])
            except (FileNotFoundError, KeyError):
                return
            time.sleep(0.01)


def body(boundary: str, size: int):
    yield (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
           'Content-Type: application/octet-stream\r\n\r\n').encode()
    block = os.urandom(CHUNK)
    sent = 0
    while sent < size:
        piece = block[:min(CHUNK, size - sent)]
        sent += len(piece)
        yield piece
    yield f'\r\n--{boundary}--\r\n'.encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--mib', type=int, default=200, help='size of the uploaded file in MiB (default 200)')
    args = parser.parse_args()
    size = args.mib * MIB

    with fresh_server(RUBRICA_MAX_UPLOAD_MB=str(args.mib + 1)) as ((url, process), settings):
        return measure(url, process, size, settings)


def measure(url: str, process: subprocess.Popen, size: int, settings: dict[str, str]) -> int:
    """Uploads `size` bytes to the server at `url` (started with these settings) and prints the table."""
    with httpx.Client(base_url=url, timeout=600) as http:
        auth, org = account(http, 'bench@example.com', 'Bench')
        contact = http.post(f'/api/v1/orgs/{org}/contacts', json={'last_name': 'Bench'}, headers=auth).json()['id']
        # room for the file: the operator's command, as in production
        subprocess.run([sys.executable, 'main.py', 'admin', 'plan', str(org), 'premium'], cwd=ROOT,
                       env=server_env(**settings), check=True, capture_output=True)

        hwm_reset = reset_peak(process.pid)
        before = memory(process.pid)
        sampler = Sampler(process.pid)
        sampler.start()
        boundary = 'rubrica-bench-boundary'
        started = time.perf_counter()
        response = http.post(f'/api/v1/orgs/{org}/contacts/{contact}/attachments', content=body(boundary, size),
                             headers={**auth, 'Content-Type': f'multipart/form-data; boundary={boundary}'})
        elapsed = time.perf_counter() - started
        sampler.running = False
        sampler.join()
        after = memory(process.pid)
        if response.status_code != 201:
            print(f'upload failed: {response.status_code} {response.text}', file=sys.stderr)
            return 1
        assert response.json()['size'] == size

    peak_increase = max(after['VmHWM'] - before['VmHWM'], sampler.peak_rss - before['VmRSS'], 0)
    rows = [
        ('file uploaded', f'{size / MIB:,.0f} MiB'),
        ('time', f'{elapsed:,.1f} s ({size / MIB / elapsed:,.0f} MiB/s)'),
        ('server RSS before', f'{before["VmRSS"] / MIB:,.1f} MiB'),
        ('server peak RSS before (VmHWM)', f'{before["VmHWM"] / MIB:,.1f} MiB'
                                           + (' (reset to RSS)' if hwm_reset else ' (could not reset)')),
        ('server peak RSS after (VmHWM)', f'{after["VmHWM"] / MIB:,.1f} MiB'),
        ('highest sampled RSS during upload', f'{sampler.peak_rss / MIB:,.1f} MiB'),
        ('peak increase', f'{peak_increase / MIB:,.1f} MiB'),
        ('target', '< 50 MiB'),
        ('result', 'PASS' if peak_increase < 50 * MIB else 'FAIL'),
    ]
    width = max(len(name) for name, _ in rows)
    print(f'{"measure":<{width}} | value')
    print(f'{"-" * width}-+-{"-" * 24}')
    for name, value in rows:
        print(f'{name:<{width}} | {value}')
    return 0 if peak_increase < 50 * MIB else 2


if __name__ == '__main__':
    sys.exit(main())
