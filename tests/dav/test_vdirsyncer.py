"""A real CardDAV client, vdirsyncer (its command line, from the venv), syncs Acme's address book with a folder,
against Rubrica running as a real server: discovery from the server's base address, each person's own set of cards,
edits and deletions in the folder reaching Rubrica, a change in Rubrica reaching the folder, and a record made
private by someone else leaving it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.drivers import api_log_in
from tests.server import free_port, running_server

VDIRSYNCER = Path(sys.executable).parent / 'vdirsyncer'
PASSWORD = 'sync password'


class Phone:
    """One person's vdirsyncer: a config, a status folder and the local folder of .vcf files it syncs."""

    def __init__(self, root: Path, url: str, email: str, app_password: str) -> None:
        self.folder = root / 'cards'
        self.config = root / 'config'
        self.config.write_text(f'''[general]
status_path = "{root / 'status'}"

[pair rubrica]
a = "local"
b = "server"
collections = ["from b"]
conflict_resolution = "b wins"

[storage local]
type = "filesystem"
path = "{self.folder}"
fileext = ".vcf"

[storage server]
type = "carddav"
url = "{url}/"
username = "{email}"
password = "{app_password}"
''')

    def run(self, *args: str) -> str:
        done = subprocess.run([str(VDIRSYNCER), '-c', str(self.config), *args], input='y\n' * 10,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    def sync(self) -> None:
        self.run('sync')

    def cards(self) -> dict[str, Path]:
        """The cards in the folder, by their N's family name."""
        found = {}
        for path in self.folder.rglob('*.vcf'):
            family = next(line[2:].split(';')[0] for line in path.read_text().splitlines() if line.startswith('N:'))
            found[family] = path
        return found


def _account(http: httpx.Client, url: str, email: str, name: str) -> tuple[dict, str]:
    http.post('/api/v1/users', json={'email': email, 'password': PASSWORD, 'name': name}).raise_for_status()
    auth = api_log_in(url, email, PASSWORD)
    me = http.get('/api/v1/me', headers=auth).json()
    return auth, me['id']


def test_vdirsyncer_syncs_each_persons_cards_both_ways(tmp_path, rubrica_env):
    port = free_port()
    with running_server(port) as (url, _):
        http = httpx.Client(base_url=url, timeout=60)
        olga, _olga_id = _account(http, url, 'olga@example.com', 'Olga Owner')
        mario, mario_id = _account(http, url, 'mario@example.com', 'Mario Member')
        tina, _tina_id = _account(http, url, 'tina@example.com', 'Tina Other')
        org = http.post('/api/v1/orgs', json={'name': 'Acme'}, headers=olga).json()['id']
        base = f'/api/v1/orgs/{org}'
        for email in ('mario@example.com', 'tina@example.com'):
            http.post(f'{base}/members', json={'email': email, 'role': 'member'}, headers=olga).raise_for_status()

        def contact(auth: dict, **fields) -> dict:
            created = http.post(f'{base}/contacts', json=fields, headers=auth)
            created.raise_for_status()
            return created.json()
        public = contact(olga, first_name='Paola', last_name='Public', emails=['paola@example.com'])
        contact(olga, last_name='Mentioned', visibility='private', description=f'ask @[Mario Member](user:{mario_id})')
        contact(olga, last_name='Olgas', visibility='private')
        contact(tina, last_name='Tinas', visibility='private')
        shared = contact(olga, last_name='Shared')
        gone = contact(olga, last_name='Gone')

        phones = {}
        for name, auth, email in (('olga', olga, 'olga@example.com'), ('mario', mario, 'mario@example.com'),
                                  ('tina', tina, 'tina@example.com')):
            app_password = http.post('/api/v1/tokens', json={'email': email, 'password': PASSWORD}).json()['token']
            (tmp_path / name).mkdir()
            phones[name] = Phone(tmp_path / name, url, email, app_password)
            phones[name].run('discover')
            phones[name].sync()
        # each person's folder holds what they may see, and only that
        assert set(phones['olga'].cards()) == {'Public', 'Mentioned', 'Olgas', 'Shared', 'Gone'}
        assert set(phones['mario'].cards()) == {'Public', 'Mentioned', 'Shared', 'Gone'}
        assert set(phones['tina'].cards()) == {'Public', 'Tinas', 'Shared', 'Gone'}

        # Mario edits a card and deletes another in his folder: both reach Rubrica
        mario_phone = phones['mario']
        card = mario_phone.cards()['Public']
        card.write_text(card.read_text().replace('N:Public;Paola;;;', 'N:Public;Paolina;;;'))
        mario_phone.cards()['Gone'].unlink()
        mario_phone.sync()
        assert http.get(f'{base}/contacts/{public["id"]}', headers=olga).json()['first_name'] == 'Paolina'
        assert http.get(f'{base}/contacts/{gone["id"]}', headers=olga).status_code == 404

        # a change made in Rubrica reaches the folder; a record Olga makes private leaves Mario's folder
        changed = http.patch(f'{base}/contacts/{public["id"]}', json={'role': '', 'phones': ['+39 06 1234 5678'],
                                                                      'version': 2}, headers=olga)
        assert changed.status_code == 200, changed.text
        http.patch(f'{base}/contacts/{shared["id"]}', json={'visibility': 'private', 'version': 1},
                   headers=olga).raise_for_status()
        mario_phone.sync()
        cards = mario_phone.cards()
        assert set(cards) == {'Public', 'Mentioned'}
        assert '+390612345678' in cards['Public'].read_text()
        phones['olga'].sync()
        assert set(phones['olga'].cards()) == {'Public', 'Mentioned', 'Olgas', 'Shared'}
