"""Another user's contacts list while hostile files are uploaded for import (target: every answer within 200 ms).

Starts Rubrica as a process (`python main.py`, with tests/server.py) on a free port with a fresh data dir,
creates an attacker with an organization and a victim with another one holding 200 contacts. Then, for each
scenario, the attacker uploads the file again and again for --seconds (at least once, each upload waited for up
to --timeout s) while the victim asks for `GET /api/v1/orgs/{org}/contacts` every 20 ms; prints the victim's
latency (p50, p95, max) during each scenario, the status codes the uploads got, and how busy the server
process was (its CPU time over the scenario's wall time; the worker processes that read the files are apart). The victim runs in a
process of its own, so that the attackers' threads in this one do not slow its measurements; the attackers run
at a lower priority (--attackers-nice) since on a real server their CPU would be another machine's.

    .venv/bin/python bench/hostile_uploads.py [--seconds 5] [--timeout 120] [--database-url URL]

The hostile files (1 MB each unless said): a vCard of BEGIN:VCARD lines with no END (the card splitter used to
rescan the rest of the file from each of them), a CSV of lines made of -' pairs (csv.Sniffer's regular
expressions backtrack on them), a CSV with a million columns (2 MB). The last scenarios send all of them at
once, and a valid 20,000-row import for comparison.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import account, fresh_server  # noqa: E402

TARGET_MS = 200


def hostile_vcard(size: int) -> bytes:
    return b'BEGIN:VCARD\r\n' * (size // 13)


def crafted_csv(size: int) -> bytes:
    line = "-'a" * 1000 + '\n'  # 20 such lines are the separator guess's sample: 60 KB of -' pairs
    return (line * (size // len(line))).encode()


def million_columns() -> bytes:
    return ','.join(['c'] * 1_000_000).encode() + b'\n' + b'x\n'


def valid_csv(rows: int) -> bytes:
    lines = ['Nome,Cognome,Email,Telefono,Citta'] + \
        [f'Nome{n},Cognome{n},bench{n}@example.com,02 {1000 + n // 10000:04d} {n % 10000:04d},Milano'
         for n in range(rows)]
    return '\n'.join(lines).encode()


def victim(url: str, path: str, headers: dict[str, str], stop, results) -> None:
    """In its own process (so that the attackers' threads do not slow its clock): lists its contacts every 20 ms
    until `stop` is set, then sends back (moment, latency ms, ok) for each request."""
    samples = []
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        while not stop.is_set():
            started = time.monotonic()
            try:
                ok = client.get(path).status_code == 200
            except httpx.HTTPError:
                ok = False
            samples.append((started, (time.monotonic() - started) * 1000, ok))
            time.sleep(0.02)
    results.send(samples)


class Attacker(threading.Thread):
    """Sends one kind of upload again and again until `until`, at least once."""

    def __init__(self, url: str, headers: dict[str, str], path: str, filename: str, data: bytes, form: dict,
                 until: float, timeout: float) -> None:
        super().__init__(daemon=True)
        self.url, self.headers, self.path = url, headers, path
        self.filename, self.data, self.form = filename, data, form
        self.until, self.timeout = until, timeout
        self.statuses: Counter[str] = Counter()
        self.durations: list[float] = []
        self.detail = ''

    def run(self) -> None:
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=self.timeout) as client:
            while True:
                started = time.perf_counter()
                try:
                    response = client.post(self.path, files={'file': (self.filename, self.data)}, data=self.form)
                    self.statuses[str(response.status_code)] += 1
                    if response.status_code >= 400:
                        detail = response.json().get('detail')
                        self.detail = detail[0]['msg'] if isinstance(detail, list) else str(detail)
                except httpx.TimeoutException:
                    self.statuses['timeout'] += 1
                self.durations.append(time.perf_counter() - started)
                if time.perf_counter() >= self.until:
                    return


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seconds', type=float, default=5, help='how long each scenario uploads (default 5)')
    parser.add_argument('--timeout', type=float, default=120, help='how long one upload is waited for (default 120)')
    parser.add_argument('--size-kb', type=int, default=1000, help='size of the hostile vCard and CSV (default 1000)')
    parser.add_argument('--database-url', default='', help='a PostgreSQL database the bench may fill (default: '
                                                            'SQLite in the fresh data dir)')
    parser.add_argument('--attackers-nice', type=int, default=10,
                        help='priority given to the uploading threads of this script once the server and the '
                             'victim run (default 10): they stand for clients on other machines, whose CPU is not '
                             "the server's; 0 lets them compete with the server for this machine's cores")
    args = parser.parse_args()
    with fresh_server(database_url=args.database_url, start_timeout=120, stop_timeout=60) as ((url, process), _):
        return attack(args, url, process)


def attack(args, url: str, process: subprocess.Popen) -> int:
    """Every scenario against the server at `url`, and the table of what the victim saw."""
    size = args.size_kb * 1000
    with httpx.Client(base_url=url, timeout=120) as http:
        attacker, attacker_org = account(http, 'attacker@example.com', 'Attacker')
        victim_auth, victim_org = account(http, 'victim@example.com', 'Victim')
        http.post(f'/api/v1/orgs/{victim_org}/imports', files={'file': ('mine.csv', valid_csv(200))},
                  headers=victim_auth).raise_for_status()
    base = f'/api/v1/orgs/{attacker_org}'
    vcard, csv_file, wide = hostile_vcard(size), crafted_csv(size), million_columns()
    uploads = {
        'vCard, BEGIN without END -> contacts/import.vcf': [('/contacts/import.vcf', 'x.vcf', vcard, {})],
        'vCard, BEGIN without END -> imports': [('/imports', 'x.vcf', vcard, {'format': 'vcard'})],
        'CSV crafted for csv.Sniffer -> imports/preview': [('/imports/preview', 'x.csv', csv_file, {})],
        'CSV crafted for csv.Sniffer -> imports': [('/imports', 'x.csv', csv_file, {})],
        'CSV, 1,000,000 columns -> imports/preview': [('/imports/preview', 'wide.csv', wide, {})],
        'CSV, 1,000,000 columns -> imports': [('/imports', 'wide.csv', wide, {})],
    }
    scenarios = {'no upload (baseline)': []} | uploads
    scenarios['all six hostile uploads at once'] = [u for ups in uploads.values() for u in ups]
    scenarios['for comparison: a valid 20,000-row CSV import'] = [('/imports', 'valid.csv', valid_csv(20_000),
                                                                    {})]

    context = multiprocessing.get_context('spawn')
    stop = context.Event()
    receiving, sending = context.Pipe(duplex=False)
    watcher = context.Process(target=victim, args=(url, f'/api/v1/orgs/{victim_org}/contacts?limit=50', victim_auth,
                                                   stop, sending))
    watcher.start()
    time.sleep(3)  # the victim's process starts
    os.nice(args.attackers_nice)  # this process only: the server and the victim keep their priority
    windows = []
    for name, sends in scenarios.items():
        until = time.perf_counter() + args.seconds
        attackers = [Attacker(url, attacker, base + path, filename, data, form, until, args.timeout)
                     for path, filename, data, form in sends]
        started, cpu = time.monotonic(), cpu_seconds(process.pid)
        for a in attackers:
            a.start()
        for a in attackers:
            a.join()
        if not attackers:
            time.sleep(args.seconds)
        busy = (cpu_seconds(process.pid) - cpu) / (time.monotonic() - started)
        windows.append((name, attackers, started, time.monotonic(), busy))
        for detail in sorted({a.detail for a in attackers if a.detail}):
            print(f'  {name}: {detail[:150]}')
    stop.set()
    samples = receiving.recv()
    watcher.join()

    table = []
    for name, attackers, started, ended, busy in windows:
        during = [ms for moment, ms, _ in samples if started <= moment < ended]
        failed = sum(1 for moment, _, ok in samples if started <= moment < ended and not ok)
        statuses: Counter[str] = Counter()
        for a in attackers:
            statuses.update(a.statuses)
        longest = max((d for a in attackers for d in a.durations), default=0.0)
        p95 = statistics.quantiles(during, n=20, method='inclusive')[-1] if len(during) >= 2 \
            else max(during, default=0.0)
        worst = max(during, default=0.0)
        table.append([name, sum(statuses.values()),
                      ', '.join(f'{code} x{count}' for code, count in sorted(statuses.items())) or '-',
                      f'{longest:.2f}', len(during), f'{statistics.median(during):.0f}' if during else '-',
                      f'{p95:.0f}', f'{worst:.0f}', 'yes' if during and worst < TARGET_MS and not failed else 'NO',
                      f'{busy:.0%}'])

    headers = ['scenario', 'uploads', 'status', 'slowest upload s', 'victim requests', 'p50 ms', 'p95 ms',
               'max ms', f'all < {TARGET_MS} ms', 'server CPU']
    widths = [max(len(str(row[i])) for row in [headers, *table]) for i in range(len(headers))]
    print()
    print(' | '.join(h.ljust(w) for h, w in zip(headers, widths)))
    print('-+-'.join('-' * w for w in widths))
    for row in table:
        print(' | '.join(str(c).ljust(w) for c, w in zip(row, widths)))
    return 0 if all(row[-2] == 'yes' for row in table[:-1]) else 2


if __name__ == '__main__':
    sys.exit(main())
