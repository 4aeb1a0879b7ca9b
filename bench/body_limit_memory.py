"""What a hostile body does to the server: a 300 MiB multipart/form-data body sent to `POST /api/v1/tokens`
(no login, a JSON route whose limit is 1 MiB), once declaring its length and once streamed in chunks.

Starts Rubrica as a process on a fresh data dir and sends the body over a plain socket, stopping as soon as the
server answers; prints the answer, how much of the body had been sent by then, the size of the answer, and how
much the server's peak memory rose (before the fix: 413 never came, the body was read whole, memory rose by more
than 1 GiB and the 422 echoed the body back).

    .venv/bin/python bench/body_limit_memory.py [--mib 300]
"""
from __future__ import annotations

import argparse
import select
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_server  # noqa: E402
from bench.upload_memory import Sampler, memory, reset_peak  # noqa: E402

MIB = 1024 * 1024
CHUNK = 256 * 1024
BOUNDARY = b'rubrica-bench-boundary'


def send_body(port: int, size: int, *, declared: bool) -> tuple[str, int, int]:
    """(status line, bytes of the body sent before the answer came, bytes of the answer)."""
    head = b'--' + BOUNDARY + b'\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'
    length = f'Content-Length: {size}\r\n' if declared else 'Transfer-Encoding: chunked\r\n'
    request = (f'POST /api/v1/tokens HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n'
               f'Content-Type: multipart/form-data; boundary={BOUNDARY.decode()}\r\n{length}\r\n').encode()
    block = b'x' * CHUNK
    sent = 0
    with socket.create_connection(('127.0.0.1', port)) as connection:
        connection.sendall(request)
        while sent < size:
            if select.select([connection], [], [], 0)[0]:
                break  # the server answered: stop sending, as a client reading its answer would
            piece = (head if sent == 0 else block)[:size - sent]
            try:
                connection.sendall(piece if declared else f'{len(piece):x}\r\n'.encode() + piece + b'\r\n')
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        if sent >= size and not declared:
            connection.sendall(b'0\r\n\r\n')
        connection.settimeout(300)
        head, received, expected = b'', 0, None
        try:
            while chunk := connection.recv(1024 * 1024):
                received += len(chunk)
                if expected is None:
                    head += chunk
                    if b'\r\n\r\n' in head:
                        headers = head.split(b'\r\n\r\n', 1)[0]
                        lengths = [line for line in headers.split(b'\r\n')
                                   if line.lower().startswith(b'content-length:')]
                        expected = len(headers) + 4 + int(lengths[0].split(b':')[1]) if lengths else -1
                if expected is not None and 0 <= expected <= received:
                    break
        except (ConnectionResetError, socket.timeout):
            pass
    return head.split(b'\r\n', 1)[0].decode(errors='replace'), sent, received


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--mib', type=int, default=300, help='size of the body in MiB (default 300)')
    args = parser.parse_args()
    with fresh_server() as ((url, process), _):
        print(f'{"body":<34} | {"answer":<38} | {"body sent before it":>19} | {"answer size":>11} | peak RSS rise')
        for declared in (True, False):
            reset_peak(process.pid)
            before = memory(process.pid)
            sampler = Sampler(process.pid)
            sampler.start()
            status, sent, answer_size = send_body(urlsplit(url).port, args.mib * MIB, declared=declared)
            time.sleep(0.5)
            sampler.running = False
            sampler.join()
            after = memory(process.pid)
            rise = max(after['VmHWM'] - before['VmHWM'], sampler.peak_rss - before['VmRSS'], 0)
            kind = f'{args.mib} MiB multipart, ' + ('Content-Length' if declared else 'chunked')
            print(f'{kind:<34} | {status:<38} | {sent / MIB:>15,.1f} MiB | {answer_size:>9,} B | '
                  f'{rise / MIB:,.1f} MiB')
    return 0

if __name__ == '__main__':
    sys.exit(main())
