"""CardDAV at 100,000 contacts: Rubrica against Radicale (its file-system storage), the same cards, the same client.

Both servers run as processes on loopback and hold the same N contacts (Rubrica: written into its database as a real
save writes them, the change sequence filled by its triggers; Radicale: one .vcf file each in its collection folder,
as its storage keeps them). Then one client, a small httpx client doing what DAVx5 does, measures against each:
- first full sync: sync-collection without a token (names and ETags), then addressbook-multiget of every card, in
  batches of 1,000, with the vCards;
- incremental sync after 10 changes (made beforehand: 10 contacts edited): sync-collection with the token, then a
  multiget of what it named.
Each server gets one untimed PROPFIND Depth 1 first (Radicale builds its item cache; both warm their disk caches):
a phone meets a server that has held its data for a while. Peak memory is the server's peak resident set (VmHWM,
reset before each phase) during the phase.

    .venv/bin/python bench/carddav.py [--contacts 100000]
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tortoise.transactions import in_transaction  # noqa: E402

from bench.common import account, fresh_server, print_table  # noqa: E402
from bench.generate import FIRST, LAST, mobile  # noqa: E402
from bench.upload_memory import memory, reset_peak  # noqa: E402
from models.db import Database  # noqa: E402
from models.records.service import derive_columns, lookup_keys  # noqa: E402
from models.records.tables import CONTACT, Contact, RecordKey  # noqa: E402
from tests.server import free_port  # noqa: E402

DAV = '{DAV:}'
CARD = '{urn:ietf:params:xml:ns:carddav}'
BATCH = 1000
CHUNK = 5000


def people(count: int) -> list[dict]:
    rng = random.Random(7)
    return [{'first_name': rng.choice(FIRST), 'last_name': f'{rng.choice(LAST)} {n}',
             'emails': [f'person{n}@example.com'], 'phones': [mobile(n).replace(' ', '')],
             'description': f'Customer since {2000 + n % 25}'} for n in range(count)]


def vcard(n: int, person: dict) -> str:
    return (f'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:bench-{n}\r\nFN:{person["first_name"]} {person["last_name"]}\r\n'
            f'N:{person["last_name"]};{person["first_name"]};;;\r\nEMAIL;TYPE=INTERNET:{person["emails"][0]}\r\n'
            f'TEL;TYPE=VOICE:{person["phones"][0]}\r\nNOTE:{person["description"]}\r\nEND:VCARD\r\n')


# ---------------------------------------------------------------- the client, the same against both

class Client:
    def __init__(self, book_url: str, user: str, password: str) -> None:
        auth = base64.b64encode(f'{user}:{password}'.encode()).decode()
        self.http = httpx.Client(headers={'Authorization': f'Basic {auth}'}, timeout=600)
        self.book = book_url
        self.token = ''

    def report(self, body: str) -> ET.Element:
        answer = self.http.request('REPORT', self.book, content=body.encode(),
                                   headers={'Depth': '1', 'Content-Type': 'application/xml; charset=utf-8'})
        assert answer.status_code == 207, (answer.status_code, answer.text[:500])
        return ET.fromstring(answer.content)

    def propfind(self) -> int:
        answer = self.http.request('PROPFIND', self.book, headers={'Depth': '1'},
                                   content=b'<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>')
        assert answer.status_code == 207, answer.status_code
        return answer.content.count(b'<d:response') + answer.content.count(b'<response')

    def sync(self) -> tuple[int, int]:
        """One sync: the changed names and ETags since the token, then their cards. (cards fetched, removals)."""
        root = self.report('<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>'
                           f'{self.token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/>'
                           '</d:prop></d:sync-collection>')
        self.token = root.findtext(f'{DAV}sync-token')
        changed, removed = [], 0
        for response in root.findall(f'{DAV}response'):
            if response.find(f'.//{DAV}getetag') is not None and response.findtext(f'.//{DAV}getetag'):
                changed.append(response.findtext(f'{DAV}href'))
            else:
                removed += 1
        cards = 0
        for start in range(0, len(changed), BATCH):
            hrefs = ''.join(f'<d:href>{href}</d:href>' for href in changed[start:start + BATCH])
            root = self.report('<?xml version="1.0"?><c:addressbook-multiget xmlns:d="DAV:" '
                               'xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><c:address-data/>'
                               f'</d:prop>{hrefs}</c:addressbook-multiget>')
            cards += sum(1 for data in root.iter(f'{CARD}address-data') if data.text and 'BEGIN:VCARD' in data.text)
        return cards, removed


def measured(pid: int, action) -> tuple[float, float, object]:
    """(seconds, the server's peak RSS in MiB during the action, the action's result)."""
    reset_peak(pid)
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    return seconds, memory(pid)['VmHWM'] / 2 ** 20, result


# ---------------------------------------------------------------- Rubrica

async def load_rubrica(database_url: str, org_id: int, user_id: int, everyone: list[dict]) -> list[int]:
    database = Database(database_url)
    await database.open()
    try:
        ids = []
        for start in range(0, len(everyone), CHUNK):
            rows = []
            for person in everyone[start:start + CHUNK]:
                contact = Contact(org_id=org_id, created_by_id=user_id, updated_by_id=user_id, **person)
                derive_columns(CONTACT, contact)
                rows.append(contact)
            async with in_transaction():
                await Contact.bulk_create(rows)
                created = await Contact.filter(org_id=org_id).order_by('-id').limit(len(rows))
                await RecordKey.bulk_create([key for contact in created for key in lookup_keys(CONTACT, contact)])
            ids += [contact.id for contact in created]
        return sorted(ids)
    finally:
        await database.close()


def bench_rubrica(everyone: list[dict]) -> dict[str, object]:
    with fresh_server(start_timeout=120) as ((url, process), settings):
        http = httpx.Client(base_url=url, timeout=120)
        auth, org = account(http, 'bench@example.com', 'Bench')
        me = http.get('/api/v1/me', headers=auth).json()['id']
        start = time.perf_counter()
        ids = asyncio.run(load_rubrica(settings['RUBRICA_DATABASE_URL'], org, me, everyone))
        load = time.perf_counter() - start
        app_password = auth['Authorization'].removeprefix('Bearer ')
        client = Client(f'{url}/dav/books/{org}/', 'bench@example.com', app_password)
        return run_client(client, process.pid, load,
                          lambda n: _rubrica_change(http, auth, org, ids[n * 997 % len(ids)]))


def _rubrica_change(http: httpx.Client, auth: dict, org: int, contact_id: int) -> None:
    current = http.get(f'/api/v1/orgs/{org}/contacts/{contact_id}', headers=auth).json()
    http.patch(f'/api/v1/orgs/{org}/contacts/{contact_id}', headers=auth,
               json={'description': current['description'] + ' (changed)', 'version': current['version']}
               ).raise_for_status()


# ---------------------------------------------------------------- Radicale

def bench_radicale(everyone: list[dict]) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix='radicale-bench-'))
    book = folder / 'collection-root' / 'bench' / 'book'
    start = time.perf_counter()
    book.mkdir(parents=True)
    (book / '.Radicale.props').write_text(json.dumps({'tag': 'VADDRESSBOOK', 'D:displayname': 'Bench'}))
    for n, person in enumerate(everyone):
        (book / f'bench-{n}.vcf').write_text(vcard(n, person), newline='')
    load = time.perf_counter() - start
    port = free_port()
    process = subprocess.Popen([sys.executable, '-m', 'radicale', '--config', '', '--server-hosts',
                                f'127.0.0.1:{port}', '--storage-filesystem-folder', str(folder),
                                '--auth-type', 'none', '--logging-level', 'warning'],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f'http://127.0.0.1:{port}/', timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError('Radicale did not start') from None
                time.sleep(0.2)
        client = Client(f'http://127.0.0.1:{port}/bench/book/', 'bench', 'bench')

        def change(n: int) -> None:
            index = n * 997 % len(everyone)
            person = dict(everyone[index], description=everyone[index]['description'] + ' (changed)')
            client.http.put(f'{client.book}bench-{index}.vcf', content=vcard(index, person).encode(),
                            headers={'Content-Type': 'text/vcard'}).raise_for_status()
        return run_client(client, process.pid, load, change)
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- both

def run_client(client: Client, pid: int, load: float, change) -> dict[str, object]:
    listed = client.propfind()  # untimed warm-up: see the module's docstring
    idle = memory(pid)['VmRSS'] / 2 ** 20
    first, first_peak, (cards, _) = measured(pid, client.sync)
    for n in range(10):
        change(n)
    again, again_peak, (changed, _) = measured(pid, client.sync)
    return {'load': load, 'listed': listed, 'idle': idle, 'first': first, 'first_peak': first_peak, 'cards': cards,
            'again': again, 'again_peak': again_peak, 'changed': changed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--contacts', type=int, default=100_000)
    args = parser.parse_args()
    everyone = people(args.contacts)
    results = {'Rubrica': bench_rubrica(everyone), 'Radicale': bench_radicale(everyone)}
    print(f'\n{args.contacts:,} contacts; one client (sync-collection + multiget of {BATCH:,}) against each server\n')
    rows = []
    for name, r in results.items():
        rows.append([name, f'{r["first"]:.1f} s', f'{r["cards"]:,}', f'{r["first_peak"]:.0f} MiB',
                     f'{r["again"] * 1000:.0f} ms', r['changed'], f'{r["again_peak"]:.0f} MiB',
                     f'{r["idle"]:.0f} MiB', f'{r["load"]:.0f} s'])
    print_table(['server', 'first full sync', 'cards', 'peak RSS', 'sync after 10 changes', 'cards',
                 'peak RSS', 'RSS before', 'loading'], rows)
    return 0


if __name__ == '__main__':
    sys.exit(main())
