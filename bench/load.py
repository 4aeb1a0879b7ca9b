"""Many people at once against a real Rubrica server: the latency of what they do, the errors, the server's CPU and
memory; for one server process, or two behind nginx with sticky sessions.

    .venv/bin/python bench/generate.py --database-url sqlite:///tmp/bench.sqlite3     # once: 100,000 contacts
    .venv/bin/python bench/load.py --database-url sqlite:///tmp/bench.sqlite3 [--people 100] [--seconds 60]
        [--think 1-5] [--typing 0.4] [--page-sessions 0.5] [--processes 2 --proxy-config FILE] [--redis-url URL]

The database is one bench/generate.py filled (its accounts: owner@bench.example and memberN@bench.example, all
with the password 'bench password'); people take its accounts in turn, so 100 people on 50 accounts are two
sessions of each. A SQLite database is copied into the run's scratch directory first (the bench saves records, and
every run starts from the same data); a PostgreSQL one is used as it is. `--processes 2` starts two server
processes on the same database behind nginx, configured by `--proxy-config` (docs/deploy/nginx-rubrica.conf: its
`listen` and upstream `server` ports are replaced by free ones); give them PostgreSQL (and Redis with
`--redis-url`) for a real multi-process install: two processes on one SQLite file work, but contend for its lock.

The people. Each person logs in first (before the measured window: the log-in page over its websocket for a
page person, a token for an API person), each from an address of its own on the loopback range (127.0.0.2, …):
Rubrica allows only so many log-ins per address. Then, until `--seconds` have passed, each does what people do,
over and over, with a think time drawn uniformly from `--think` (seconds, MIN-MAX) between actions:

- a page person (the share `--page-sessions` of the people) is a browser tab without the browser: it loads a page
  over HTTP (the server builds it, the list's first rows included), then opens the page's websocket the way
  NiceGUI 3's own script does (socket.io at /_nicegui_ws/socket.io, the page's client id in the query, the
  implicit handshake) and sends the page's ui events (an input's `update:value`, a button's `click`) as the
  browser would. Its actions: `open list` (GET /contacts until the page is read), `page connect` (its websocket
  until connected), `search keystroke` (a name typed letter by letter: each letter's round trip from the event
  sent until the update of the list's table arrives), `open card` (GET of a contact found), `edit card` (click
  Edit until the form arrives), `save card` (a changed PEC, click Save until "Contact saved" arrives).
- an API person does the same through the REST API (httpx): `api list`, `api search keystroke` (GET with each
  prefix of the name), `api open card`, `api save card` (PATCH with the version read).

Between two letters a person waits `--typing` seconds after the result arrived (the list's search box waits
300 ms after the last letter before it sends: people typing slower than that send every letter, the case measured
here). A round trip is measured from the bench's side: on this 2-core machine the bench itself shares the CPU with
the server, so its own CPU is printed too.

Printed: per action its count, p50/p95/p99/max in ms and errors; then each server process's CPU (share of one
core over the window) and resident memory (at the start, the end and the peak of the window); and nginx's and the
bench's own CPU. The first errors are printed on stderr. The run ends by itself after `--seconds` plus the actions
under way (each waits at most 30 s).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import print_table  # noqa: E402
from tests.server import ROOT, free_port, running_proxy, running_server  # noqa: E402

PASSWORD = 'bench password'
OWNER = 'owner@bench.example'
# what people look for: names of bench/generate.py's data, typed letter by letter
WORDS = ['rossi', 'bianchi', 'ferrari', 'esposito', 'romano', 'colombo', 'ricci', 'marino', 'greco', 'bruno',
         'gallo', 'conti', 'costa', 'moretti', 'fontana', 'giulia', 'marco', 'chiara', 'paolo', 'elena']
WAIT = 30.0  # seconds a round trip may take before it counts as an error
SEARCH_PLACEHOLDER = 'Search contacts'  # the list's search box (the pages speak English: Accept-Language)
PEC_LABEL = 'PEC (certified email)'
SAVED = 'Contact saved'
CLIENT_QUERY = re.compile(r"'client_id': '([0-9a-f-]+)', 'next_message_id': (\d+)")
ELEMENTS = re.compile(r'parseElements\(String\.raw`(.*?)`\)', re.S)
UNESCAPE = [('&#36;', '$'), ('&#96;', '`'), ('&gt;', '>'), ('&lt;', '<'), ('&amp;', '&')]  # NiceGUI's, reversed


class Failed(Exception):
    """An action that did not do what a person expects (its message says what)."""


# ---------------------------------------------------------------- what is measured

@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    messages: list[str] = field(default_factory=list)
    deadline: float = 0.0  # the measured window ends then (time.monotonic)

    def over(self) -> bool:
        return time.monotonic() >= self.deadline

    @contextmanager
    def timing(self, action: str) -> Iterator[None]:
        """Times the block as one `action`; an exception in it is an error of that action (and ends the round)."""
        start = time.perf_counter()
        try:
            yield
        except Exception as e:
            self.errors[action] += 1
            if len(self.messages) < 20:
                self.messages.append(f'{action}: {type(e).__name__}: {e}')
            raise
        self.times[action].append((time.perf_counter() - start) * 1000)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of the values."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def report(results: Results, order: list[str]) -> None:
    rows = []
    for action in order + sorted((set(results.times) | set(results.errors)) - set(order)):
        values = results.times.get(action, [])
        if not values and not results.errors.get(action):
            continue
        stats = [percentile(values, s) for s in (0.5, 0.95, 0.99)] + [max(values)] if values else ['-'] * 4
        rows.append([action, len(values), *stats, results.errors.get(action, 0)])
    print_table(['action', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors'], rows)
    print(f'errors: {sum(results.errors.values())}')
    for message in results.messages:
        print(f'  {message}', file=sys.stderr)


# ---------------------------------------------------------------- a process's CPU and memory, from /proc

TICKS = os.sysconf('SC_CLK_TCK')


def cpu_seconds(pid: int, *, children: bool = True) -> float:
    """User and system CPU time of a process, in seconds; with `children`, also that of its waited-for children and
    of its children running now (nginx's workers, the server's import processes)."""
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    if not children:
        return sum(int(v) for v in fields[11:13]) / TICKS  # utime, stime
    own = sum(int(v) for v in fields[11:15]) / TICKS  # utime, stime, cutime, cstime
    running = Path(f'/proc/{pid}/task/{pid}/children').read_text().split()
    return own + sum(cpu_seconds(int(child), children=False) for child in running)


def rss_mib(pid: int) -> float:
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
    return 0.0


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of each PostgreSQL process on this machine (the database's share of the work, with whatever else
    it does meanwhile)."""
    found = {}
    for entry in Path('/proc').iterdir():
        try:
            if entry.name.isdigit() and (entry / 'comm').read_text().strip() in ('postgres', 'postmaster'):
                found[int(entry.name)] = cpu_seconds(int(entry.name), children=False)
        except OSError:
            continue
    return found


class Usage:
    """CPU and memory of some processes over the measured window (RSS sampled every second for the peak), and the
    CPU of PostgreSQL's processes when the database is there."""

    def __init__(self, processes: dict[str, int], postgres: bool) -> None:
        self.processes, self.postgres = processes, postgres
        self.postgres_cpu = postgres_cpu() if postgres else {}
        self.cpu = {name: self.cpu_of(pid) for name, pid in processes.items()}
        self.rss = {name: rss_mib(pid) for name, pid in processes.items()}
        self.peak = dict(self.rss)
        self.started = time.monotonic()

    @staticmethod
    def cpu_of(pid: int) -> float:
        """A process's CPU with its children's, except for this process (its children are the servers)."""
        return cpu_seconds(pid, children=pid != os.getpid())

    async def sample(self, results: Results) -> None:
        while not results.over():
            await asyncio.sleep(1)
            for name, pid in self.processes.items():
                self.peak[name] = max(self.peak[name], rss_mib(pid))

    def report(self) -> None:
        wall = time.monotonic() - self.started
        rows = []
        for name, pid in self.processes.items():
            rss = rss_mib(pid)
            self.peak[name] = max(self.peak[name], rss)
            rows.append([name, pid, f'{(self.cpu_of(pid) - self.cpu[name]) / wall:.0%}', f'{self.rss[name]:.0f}',
                         f'{rss:.0f}', f'{self.peak[name]:.0f}'])
        if self.postgres:
            after = postgres_cpu()
            used = sum(after[pid] - before for pid, before in self.postgres_cpu.items() if pid in after)
            rows.append(['postgres (all processes)', '-', f'{used / wall:.0%}', '-', '-', '-'])
        print_table(['process', 'pid', 'CPU (1 core = 100%)', 'RSS start MiB', 'RSS end MiB', 'RSS peak MiB'], rows)


# ---------------------------------------------------------------- a page in a tab, without the browser

def source_address(n: int) -> str:
    """Person n's own address on the loopback range (127.0.0.2, 127.0.0.3, …, then 127.0.1.2, …)."""
    return f'127.0.{n // 250}.{n % 250 + 2}'


def http_client(base_url: str, n: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=WAIT, headers={'Accept-Language': 'en'},
                             transport=httpx.AsyncHTTPTransport(local_address=source_address(n)))


class Page:
    """One page as a tab holds it: its elements (as the server sent them, with every update applied) and its
    websocket."""

    def __init__(self, base_url: str, http: httpx.AsyncClient, html: str) -> None:
        found, raw = CLIENT_QUERY.search(html), ELEMENTS.search(html)
        if not found or not raw:
            raise Failed('not a NiceGUI page')
        self.base_url, self.http = base_url, http
        self.client_id, self.next_message_id = found.group(1), int(found.group(2))
        text = raw.group(1)
        for escaped, plain in UNESCAPE:
            text = text.replace(escaped, plain)
        self.elements: dict[str, dict] = json.loads(text)
        self.socket = socketio.AsyncClient(reconnection=False)
        self.socket.on('*', self._received)
        self.waiters: list[tuple[Callable[[str, dict], bool], asyncio.Future]] = []

    @classmethod
    async def open(cls, base_url: str, http: httpx.AsyncClient, path: str) -> Page:
        response = await http.get(path)
        if response.status_code != 200:
            raise Failed(f'GET {path}: {response.status_code} {response.headers.get("location", "")}')
        return cls(base_url, http, response.text)

    async def connect(self) -> None:
        query = {'client_id': self.client_id, 'next_message_id': self.next_message_id, 'implicit_handshake': 'true',
                 'document_id': str(uuid.uuid4()), 'tab_id': str(uuid.uuid4())}
        cookies = '; '.join(f'{name}={value}' for name, value in self.http.cookies.items())
        await self.socket.connect(f'{self.base_url}?{urlencode(query)}', headers={'Cookie': cookies},
                                  transports=['websocket'], socketio_path='/_nicegui_ws/socket.io',
                                  wait_timeout=WAIT)

    async def close(self) -> None:
        if self.socket.connected:
            await self.socket.disconnect()

    def _received(self, event: str, data=None) -> None:
        if isinstance(data, dict):
            if '_id' in data:
                self.next_message_id = data.pop('_id') + 1
            if event == 'update':
                for element_id, element in data.items():
                    if element is None:
                        self.elements.pop(element_id, None)
                    else:
                        self.elements[element_id] = element
        for waiter in list(self.waiters):
            predicate, future = waiter
            if not future.done() and predicate(event, data):
                future.set_result(data)
                self.waiters.remove(waiter)

    async def round_trip(self, send: Callable[[], object], arrived: Callable[[str, dict], bool], what: str) -> dict:
        """Sends something and waits for the message that shows its result (at most WAIT seconds)."""
        future = asyncio.get_running_loop().create_future()
        waiter = (arrived, future)
        self.waiters.append(waiter)
        try:
            await send()
            return await asyncio.wait_for(future, WAIT)
        except asyncio.TimeoutError:
            raise Failed(f'no answer to {what} within {WAIT:.0f} s') from None
        finally:
            if waiter in self.waiters:
                self.waiters.remove(waiter)

    def find(self, tag: str, **props: str) -> str:
        """The id of the first element of this tag whose props start with these values."""
        for element_id, element in self.elements.items():
            if element.get('tag') == tag and all(str(element.get('props', {}).get(k, '')).startswith(v)
                                                 for k, v in props.items()):
                return element_id
        raise Failed(f'no {tag} {props} on the page')

    def find_tag(self, tag: str) -> str:
        return next((i for i, element in self.elements.items() if element.get('tag') == tag), None) \
            or self._missing(tag)

    @staticmethod
    def _missing(what: str):
        raise Failed(f'no {what} on the page')

    async def emit(self, element_id: str, event_type: str, *args) -> None:
        """The browser's emit of a ui event: each argument as JSON text."""
        listener = next((e['listener_id'] for e in self.elements[element_id].get('events', [])
                         if e['type'] == event_type), None)
        if listener is None:
            raise Failed(f'element {element_id} has no {event_type} listener')
        await self.socket.emit('event', {'id': int(element_id), 'client_id': self.client_id,
                                         'listener_id': listener, 'args': [json.dumps(a) for a in args]})

    async def ack(self) -> None:
        """What the browser sends every few seconds: the server may forget the messages before this one."""
        if self.socket.connected:
            await self.socket.emit('ack', {'client_id': self.client_id, 'next_message_id': self.next_message_id})


# ---------------------------------------------------------------- the people

@dataclass
class Person:
    n: int
    email: str
    base_url: str
    results: Results
    think: tuple[float, float]
    typing: float
    rng: random.Random

    async def pause(self) -> None:
        await asyncio.sleep(self.rng.uniform(*self.think))

    def word(self) -> str:
        return self.rng.choice(WORDS)


def searched(table: str) -> Callable[[str, dict], bool]:
    """Whether a message is the list's answer to a search keystroke: the table's update that follows the address
    change the list sends first (`ui.navigate.history`, before it queries; an update of the table before that
    one is not the result, e.g. the selection being cleared)."""
    address_changed = False

    def arrived(event: str, data) -> bool:
        nonlocal address_changed
        if event == 'run_javascript' and 'history' in str(data.get('code', '')):
            address_changed = True
            return False
        return address_changed and event == 'update' and table in data
    return arrived


class PagePerson(Person):
    http: httpx.AsyncClient

    async def log_in(self) -> None:
        self.http = http_client(self.base_url, self.n)
        page = await Page.open(self.base_url, self.http, '/login')
        try:
            await page.connect()
            await page.emit(page.find('nicegui-input', label='Email'), 'update:value', self.email)
            await page.emit(page.find('nicegui-input', label='Password'), 'update:value', PASSWORD)
            opened = await page.round_trip(lambda: page.emit(page.find('q-btn', label='Log in'), 'click'),
                                           lambda event, data: event == 'open', 'log in')
        finally:
            await page.close()
        # its answer carries the logged-in cookie; the page it sends the browser on to is not this bench's business
        response = await self.http.get(opened['path'])
        if response.status_code != 303 or response.headers.get('location', '').startswith('/login'):
            raise Failed(f'log-in of {self.email} did not stick: {response.status_code} {response.headers}')

    async def visit(self, path: str, action: str) -> Page:
        with self.results.timing(action):
            page = await Page.open(self.base_url, self.http, path)
        with self.results.timing('page connect'):
            await page.connect()
        return page

    async def run(self) -> None:
        while not self.results.over():
            page = await self.visit('/contacts', 'open list')
            try:
                await self.pause()
                box, table = page.find('nicegui-input', placeholder=SEARCH_PLACEHOLDER), page.find_tag('nicegui-table')
                word = self.word()
                for letters in range(1, len(word) + 1):
                    if self.results.over():
                        return
                    with self.results.timing('search keystroke'):
                        await page.round_trip(lambda: page.emit(box, 'update:value', word[:letters]),
                                              searched(table), 'a search keystroke')
                    await asyncio.sleep(self.typing)
                await page.ack()
                rows = page.elements[table].get('props', {}).get('rows', [])
            finally:
                await page.close()
            if not rows or self.results.over():
                continue
            await self.pause()
            card = await self.visit(self.rng.choice(rows)['href'], 'open card')
            try:
                await self.pause()
                if self.results.over():
                    return
                await self.edit_and_save(card)
                await card.ack()
            finally:
                await card.close()
            await self.pause()

    async def edit_and_save(self, card: Page) -> None:
        with self.results.timing('edit card'):
            await card.round_trip(lambda: card.emit(card.find('q-btn', label='Edit'), 'click'),
                                  lambda event, data: event == 'update' and any(
                                      isinstance(e, dict) and e.get('props', {}).get('label') == PEC_LABEL
                                      for e in data.values()), 'Edit')
        await self.pause()
        pec = card.find('nicegui-input', label=PEC_LABEL)
        await card.emit(pec, 'update:value', f'load{self.n}.{self.rng.randrange(10**6)}@pec.example.com')
        await asyncio.sleep(0.2)  # from the last letter typed to the click
        with self.results.timing('save card'):
            said = await card.round_trip(lambda: card.emit(card.find('q-btn', label='Save'), 'click'),
                                         lambda event, data: event == 'notify', 'Save')
            if said.get('message') != SAVED:
                raise Failed(f'saving said {said.get("message")!r}')


class ApiPerson(Person):
    http: httpx.AsyncClient
    org: int

    async def log_in(self) -> None:
        self.http = http_client(self.base_url, self.n)
        response = await self.http.post('/api/v1/tokens', json={'email': self.email, 'password': PASSWORD})
        if response.status_code != 201 and response.status_code != 200:
            raise Failed(f'token for {self.email}: {response.status_code} {response.text[:200]}')
        self.http.headers['Authorization'] = f'Bearer {response.json()["token"]}'
        self.org = (await self.call('get', '/api/v1/orgs'))[0]['id']

    async def call(self, method: str, path: str, **kwargs):
        response = await self.http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise Failed(f'{method.upper()} {path}: {response.status_code} {response.text[:200]}')
        return response.json()

    async def run(self) -> None:
        contacts = f'/api/v1/orgs/{self.org}/contacts'
        while not self.results.over():
            with self.results.timing('api list'):
                page = await self.call('get', contacts, params={'limit': 50})
            await self.pause()
            word = self.word()
            for letters in range(1, len(word) + 1):
                if self.results.over():
                    return
                with self.results.timing('api search keystroke'):
                    page = await self.call('get', contacts, params={'q': word[:letters], 'limit': 50})
                await asyncio.sleep(self.typing)
            if not page['items'] or self.results.over():
                continue
            await self.pause()
            chosen = self.rng.choice(page['items'])['id']
            with self.results.timing('api open card'):
                contact = await self.call('get', f'{contacts}/{chosen}')
            await self.pause()
            if self.results.over():
                return
            with self.results.timing('api save card'):
                await self.call('patch', f'{contacts}/{chosen}', json={
                    'pec': f'load{self.n}.{self.rng.randrange(10**6)}@pec.example.com', 'version': contact['version']})
            await self.pause()


async def accounts(base_url: str) -> list[str]:
    """The bench organization's members' emails (the owner's first)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=WAIT, transport=httpx.AsyncHTTPTransport(
            local_address=source_address(0))) as http:
        response = await http.post('/api/v1/tokens', json={'email': OWNER, 'password': PASSWORD})
        if response.status_code >= 400:
            sys.exit(f'{OWNER} cannot log in ({response.status_code}): is this a bench/generate.py database?')
        http.headers['Authorization'] = f'Bearer {response.json()["token"]}'
        org = (await http.get('/api/v1/orgs')).json()[0]['id']
        members = (await http.get(f'/api/v1/orgs/{org}/members')).json()
        emails = [m['email'] for m in (members['items'] if isinstance(members, dict) else members)]
    return sorted(emails, key=lambda email: email != OWNER)


async def simulate(base_url: str, args, pids: dict[str, int]) -> Results:
    emails = await accounts(base_url)
    results = Results()
    pages = round(args.people * args.page_sessions)
    rng = random.Random(args.seed)
    people: list[Person] = []
    for n in range(args.people):
        kind = PagePerson if n < pages else ApiPerson
        people.append(kind(n + 1, emails[n % len(emails)], base_url, results, args.think, args.typing,
                           random.Random(rng.random())))
    print(f'{args.people} people ({pages} page sessions, {args.people - pages} API clients) on {len(emails)} '
          f'accounts; think {args.think[0]:g}-{args.think[1]:g} s, {args.typing:g} s between letters; '
          f'{args.seconds:g} s; {args.processes} process(es)', flush=True)
    logins = asyncio.Semaphore(4)  # each log-in hashes a password: a few at a time, as people arrive

    async def log_in(person: Person) -> None:
        async with logins:
            with results.timing('log in (before the window)'):
                await person.log_in()
    started = time.perf_counter()
    await asyncio.gather(*(log_in(p) for p in people))
    print(f'logged in in {time.perf_counter() - started:.1f} s', flush=True)

    async def live(person: Person) -> None:
        await asyncio.sleep(person.rng.uniform(0, args.think[1]))  # people do not all start at the same second
        while not results.over():
            try:
                await person.run()
            except Exception:
                await person.pause()  # counted by its action; the person starts again after a while

    bench = {**pids, 'bench (this process)': os.getpid()}
    results.deadline = time.monotonic() + args.seconds
    usage = Usage(bench, postgres=args.database_url.startswith(('postgres', 'asyncpg')))
    await asyncio.gather(usage.sample(results), *(live(p) for p in people))
    for person in people:
        await person.http.aclose()
    print()
    report(results, ['open list', 'page connect', 'search keystroke', 'open card', 'edit card', 'save card',
                     'api list', 'api search keystroke', 'api open card', 'api save card'])
    print()
    usage.report()
    return results


# ---------------------------------------------------------------- the servers, and nginx in front of two

@contextmanager
def servers(args, scratch: Path) -> Iterator[tuple[str, dict[str, int]]]:
    """The server process(es) on a scratch data directory, and nginx in front of two: (base URL, pids by name)."""
    url = args.database_url
    if url.startswith('sqlite://'):
        source = Path(url.removeprefix('sqlite://'))
        if not source.exists():
            sys.exit(f'{source} does not exist: run bench/generate.py --database-url {url} first')
        shutil.copyfile(source, scratch / 'rubrica.sqlite3')
        url = f'sqlite://{scratch / "rubrica.sqlite3"}'
    settings = {'RUBRICA_DATA_DIR': str(scratch), 'RUBRICA_DATABASE_URL': url, 'RUBRICA_SECRET': uuid.uuid4().hex,
                **({'RUBRICA_REDIS_URL': args.redis_url} if args.redis_url else {})}
    with ExitStack() as stack:
        ports = [free_port() for _ in range(args.processes)]
        started = [stack.enter_context(running_server(port, log=scratch / f'server-{port}.log', start_timeout=120,
                                                      **settings)) for port in ports]
        pids = {f'server :{port}': server.process.pid for port, server in zip(ports, started)}
        if args.processes == 1:
            yield started[0].url, pids
        else:
            proxy = stack.enter_context(running_proxy(free_port(), ports, scratch / 'nginx',
                                                      config=args.proxy_config, access_log=False))
            yield proxy.url, {**pids, 'nginx': proxy.process.pid}


def think_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition('-')
    try:
        think = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f'a think time is MIN-MAX seconds (e.g. 1-5), not {text!r}') from None
    if not 0 <= think[0] <= think[1]:
        raise argparse.ArgumentTypeError(f'a think time needs 0 <= MIN <= MAX, not {text!r}')
    return think


def share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f'--page-sessions is a share between 0 and 1, not {text!r}')
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--people', type=int, default=100)
    parser.add_argument('--seconds', type=float, default=60, help='the measured window')
    parser.add_argument('--think', type=think_range, default=(1.0, 5.0), help='seconds between actions, MIN-MAX')
    parser.add_argument('--typing', type=float, default=0.4, help='seconds between a letter\'s result and the next')
    parser.add_argument('--page-sessions', type=share, default=0.5, help='the share of people using the pages')
    parser.add_argument('--processes', type=int, choices=(1, 2), default=1)
    parser.add_argument('--database-url', required=True, help='a database bench/generate.py filled')
    parser.add_argument('--proxy-config', type=Path, default=ROOT / 'docs' / 'deploy' / 'nginx-rubrica.conf',
                        help='the nginx configuration in front of two processes')
    parser.add_argument('--redis-url', default='', help='RUBRICA_REDIS_URL for the server processes')
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args()
    if args.processes == 2 and not args.proxy_config.exists():
        parser.error(f'--proxy-config {args.proxy_config} does not exist')
    scratch = Path(tempfile.mkdtemp(prefix='rubrica-load-'))
    with servers(args, scratch) as (base_url, pids):
        results = asyncio.run(simulate(base_url, args, pids))
    if results.errors:
        print(f'the servers\' logs are kept in {scratch}', file=sys.stderr)
    else:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    main()
