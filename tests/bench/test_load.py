"""bench/load.py keeps working: a few people for a few seconds on a tiny generated database, with no error.

It is a smoke test, not a measurement: nothing here is timed."""
from __future__ import annotations

import subprocess
import sys

from tests.server import ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=240)


def test_three_people_for_five_seconds_print_the_table_and_no_error(tmp_path):
    url = f'sqlite://{tmp_path / "tiny.sqlite3"}'
    generated = run('bench/generate.py', '--contacts', '300', '--companies', '30', '--members', '3',
                    '--database-url', url)
    assert generated.returncode == 0, generated.stderr
    bench = run('bench/load.py', '--database-url', url, '--people', '3', '--seconds', '5', '--think', '0.2-0.5')
    assert bench.returncode == 0, bench.stderr
    out = bench.stdout
    assert 'action' in out and 'p95 ms' in out and 'p99 ms' in out
    for action in ('open list', 'search keystroke', 'api search keystroke'):  # both kinds of people worked
        assert f'\n{action} ' in out, out
    assert 'errors: 0' in out, out + bench.stderr
    assert 'server :' in out and 'RSS peak MiB' in out


def test_two_processes_behind_the_deploy_guides_nginx_work_too(tmp_path):
    url = f'sqlite://{tmp_path / "tiny.sqlite3"}'
    generated = run('bench/generate.py', '--contacts', '100', '--companies', '10', '--members', '2',
                    '--database-url', url)
    assert generated.returncode == 0, generated.stderr
    bench = run('bench/load.py', '--database-url', url, '--people', '2', '--seconds', '4', '--think', '0.2-0.5',
                '--processes', '2')
    assert bench.returncode == 0, bench.stderr
    assert 'errors: 0' in bench.stdout, bench.stdout + bench.stderr
    assert bench.stdout.count('server :') == 2 and 'nginx' in bench.stdout, bench.stdout
