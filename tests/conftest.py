"""Every test gets its own data dir and an empty, migrated database.

SQLite (the default): a migrated template file is made once per run and copied for each test.
PostgreSQL: set RUBRICA_DATABASE_URL to a database the run may use (.ci/run creates and drops one). Each test
process (pytest-xdist worker) makes its own database next to it, named after it with the worker's name, migrates
it once and empties every table before each test.
"""
from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from models import access
from models.orgs import service as orgs
from models.accounts.tables import User
from models.db import Database
from models.orgs.tables import Membership
from tests.helpers import Person, Team, make_user, token_for

POSTGRES_URL = os.environ.get('RUBRICA_DATABASE_URL', '')
ON_POSTGRES = POSTGRES_URL.startswith(('postgres://', 'postgresql://', 'asyncpg://', 'psycopg://'))
if ON_POSTGRES and os.environ.get('PYTEST_XDIST_WORKER'):  # gw0, gw1…: a database of each worker's own
    _parts = urlsplit(POSTGRES_URL)
    POSTGRES_URL = urlunsplit(_parts._replace(path=f"{_parts.path}_{os.environ['PYTEST_XDIST_WORKER']}"))
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
CHROMEDRIVER = shutil.which('chromedriver')
BROWSER_REQUIRED = os.environ.get('RUBRICA_REQUIRE_BROWSER') == '1'

for name in ('RUBRICA_SECRET', 'RUBRICA_SIGNUP', 'RUBRICA_HOST', 'RUBRICA_PORT', 'RUBRICA_REDIS_URL'):
    os.environ.pop(name, None)  # a developer's own settings must not leak into the tests


def _migrate_once(url: str) -> None:
    async def run() -> None:
        database = Database(url)
        await database.open()
        await database.close()
    asyncio.run(run())


def _asyncpg_url(url: str, database: str | None = None) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme='postgres', path=f'/{database}' if database else parts.path))


async def _on_postgres_server(url: str, *statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_asyncpg_url(url, 'postgres'))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def _create_postgres(url: str) -> None:
    """This worker's database, new (an earlier run's that was cut off is dropped first)."""
    name = urlsplit(url).path.lstrip('/')
    await _on_postgres_server(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


async def _drop_postgres(url: str) -> None:
    await _on_postgres_server(url, f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


async def _empty_postgres(url: str) -> None:
    """Every table emptied and every id sequence back at 1, but the migrations' own: their rows stay, and a database
    reused by a later run that brings a new migration must number it after them. DELETE with the foreign keys'
    triggers off takes a few milliseconds on these small tables, where TRUNCATE … CASCADE takes half a second."""
    import asyncpg

    connection = await asyncpg.connect(_asyncpg_url(url))
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'tortoise_migrations'")
        sequences = await connection.fetch(
            "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public' "
            "AND sequence_name <> 'tortoise_migrations_id_seq'")
        await connection.execute(''.join([
            'SET session_replication_role = replica;',
            *(f'DELETE FROM "{row["tablename"]}";' for row in tables),
            *(f'ALTER SEQUENCE "{row["sequence_name"]}" RESTART;' for row in sequences)]))
    finally:
        await connection.close()


@pytest.fixture(scope='session')
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path | None]:
    if ON_POSTGRES:
        own = POSTGRES_URL != os.environ['RUBRICA_DATABASE_URL']  # a worker's, made here and dropped at the end
        if own:
            asyncio.run(_create_postgres(POSTGRES_URL))
        _migrate_once(POSTGRES_URL)
        yield None
        if own:
            asyncio.run(_drop_postgres(POSTGRES_URL))
        return
    path = tmp_path_factory.mktemp('template') / 'rubrica.sqlite3'
    _migrate_once(f'sqlite://{path}')
    yield path


@pytest.fixture(autouse=True)
def rubrica_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_template: Path | None) -> Path:
    """A fresh data dir and database, announced through the same RUBRICA_* variables the server reads."""
    data_dir = tmp_path / 'data'
    data_dir.mkdir()
    monkeypatch.setenv('RUBRICA_DATA_DIR', str(data_dir))
    # the app runs its background jobs itself, on PostgreSQL too: a test of separate workers starts them and says so
    monkeypatch.setenv('RUBRICA_JOBS', 'inside')
    if ON_POSTGRES:
        asyncio.run(_empty_postgres(POSTGRES_URL))
        monkeypatch.setenv('RUBRICA_DATABASE_URL', POSTGRES_URL)
    else:
        shutil.copyfile(database_template, data_dir / 'rubrica.sqlite3')
        monkeypatch.setenv('RUBRICA_DATABASE_URL', f'sqlite://{data_dir / "rubrica.sqlite3"}')
    return data_dir


@pytest.fixture
async def db(rubrica_env: Path):
    """The ORM on this test's database, for tests of models/ without pages."""
    database = Database(os.environ['RUBRICA_DATABASE_URL'])
    await database.open()
    yield database
    await database.close()


@pytest.fixture(autouse=True)
def patient_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """Handlers run in the background and hash passwords or query the database: on a busy machine that takes
    longer than NiceGUI's default 3 retries (0.3 s to see, 0.15 s to be gone), so `should_see` waits up to 5 s (it
    returns as soon as it sees), and so does `should_not_see` for what an action takes away (it returns as soon as
    it is gone: a check that something is absent costs nothing more when it is)."""
    from nicegui.testing import User

    # their retries are 0.1 s and 0.05 s apart
    monkeypatch.setattr(User, 'should_see', _patient(User.should_see, retries=50))
    monkeypatch.setattr(User, 'should_not_see', _patient(User.should_not_see, retries=100))


def _patient(original, *, retries: int):
    async def check(self, *args, **kwargs):
        return await original(self, *args, **{'retries': retries, **kwargs})
    return check


@pytest.fixture
async def client(user):
    """An HTTP client on the whole app (pages and API), started by NiceGUI's user simulation."""
    from nicegui import core

    transport = httpx.ASGITransport(app=core.app, raise_app_exceptions=False)  # a crash is a 500, as in production
    async with httpx.AsyncClient(transport=transport, base_url='http://test') as http:
        yield http


# ------------------------------------------------------------------ Redis

# the Redis the suite may use (.ci/run passes RUBRICA_CI_REDIS on); every test gets keys and channels of its own
REDIS_URL = os.environ.get('RUBRICA_TEST_REDIS_URL') or 'redis://127.0.0.1:6379/0'
REDIS_REQUIRED = os.environ.get('CI') == 'true' or os.environ.get('RUBRICA_REQUIRE_REDIS') == '1'


def require_redis() -> str:
    """The suite's Redis URL. Without a Redis that answers, a test that needs one skips, unless it runs in CI
    (CI=true) or with RUBRICA_REQUIRE_REDIS=1: then that is a failure."""
    import redis

    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2) as connection:
            connection.ping()
    except (redis.RedisError, OSError) as e:
        if REDIS_REQUIRED:
            pytest.fail(f'Redis at {REDIS_URL} does not answer ({type(e).__name__}), and it is required here')
        pytest.skip(f'no Redis at {REDIS_URL} (set RUBRICA_TEST_REDIS_URL)')
    return REDIS_URL


@pytest.fixture
def redis_prefix() -> str:
    """A key and channel prefix of this test's own, so tests (and other users of the same Redis) never meet."""
    import uuid

    return f'rubrica-test-{uuid.uuid4().hex[:12]}:'


@pytest.fixture
def with_redis(monkeypatch: pytest.MonkeyPatch, redis_prefix: str) -> str:
    """The app of this test (`user`, `client`, a server process started after it) uses the suite's Redis; ask for
    it before `user`. Yields the URL; the test's keys are deleted after it."""
    import redis

    url = require_redis()
    monkeypatch.setenv('RUBRICA_REDIS_URL', url)
    monkeypatch.setenv('RUBRICA_REDIS_PREFIX', redis_prefix)
    yield url
    with redis.Redis.from_url(url) as connection:
        keys = list(connection.scan_iter(match=f'{redis_prefix}*'))
        if keys:
            connection.delete(*keys)


# ------------------------------------------------------------------ real browser

def require_browser() -> None:
    """Browser tests skip without Chromium, unless RUBRICA_REQUIRE_BROWSER=1 (CI) makes that a failure."""
    if not (CHROMIUM and CHROMEDRIVER):
        if BROWSER_REQUIRED:
            pytest.fail('RUBRICA_REQUIRE_BROWSER=1 but chromium and chromedriver are not installed')
        pytest.skip('no Chromium installed (apt-get install chromium chromium-driver)')


SERVER_START_SECONDS = 20.0  # NiceGUI's screen gives its in-process server 3 s: too few for a cold start on a busy CI


@pytest.fixture(autouse=True)
def _screen_needs_a_browser(request: pytest.FixtureRequest) -> None:
    if 'screen' in request.fixturenames:
        require_browser()
        screen = request.getfixturevalue('screen')
        # the first page a test opens also starts the server (the app's routes are built and its modules loaded
        # then, once per worker): that one open may wait longer; later ones keep NiceGUI's own timeout
        first_open = screen.open

        def open_starting(path: str, timeout: float = 3.0) -> None:
            screen.open = first_open
            first_open(path, timeout=max(timeout, SERVER_START_SECONDS))
        screen.open = open_starting
        # the browser lives as long as the worker: a test that made it phone-sized must not leave the next one
        # a phone (NiceGUI's screen starts at 600x600)
        request.getfixturevalue('nicegui_driver').set_window_size(600, 600)


@pytest.fixture
def browser(request: pytest.FixtureRequest):
    """The real browser without NiceGUI's in-process server, for tests that run Rubrica as a process."""
    require_browser()
    driver = request.getfixturevalue('nicegui_driver')
    driver.delete_all_cookies()
    return driver


@pytest.fixture(scope='session')
def nicegui_driver(nicegui_chrome_options: webdriver.ChromeOptions):
    """Debian's chromium and chromedriver, with the background traffic this offline machine refuses turned off."""
    for flag in ('--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--no-first-run', '--disable-quic'):
        nicegui_chrome_options.add_argument(flag)
    if CHROMIUM:
        nicegui_chrome_options.binary_location = CHROMIUM
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=nicegui_chrome_options)
    driver.implicitly_wait(4)
    driver.set_page_load_timeout(10)
    yield driver
    driver.quit()


# ------------------------------------------------------------------ organizations and people, and the browser marker
# The one factory of test data with people in it: `make_org`, and `acme`, the organization most tests share.

def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line('markers', 'browser: drives a real browser (Chromium through Selenium; set on every test '
                                       'that uses `screen` or `browser`): run it under flock /tmp/rubrica-browser.lock')
    config.addinivalue_line('markers', 'scale_out: several server processes on PostgreSQL and Redis; runs in the '
                                       "PostgreSQL pass of .ci/run even when it drives a browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {'screen', 'browser'} & set(getattr(item, 'fixturenames', ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def orm(request: pytest.FixtureRequest):
    """The database, open for setting up data: NiceGUI's app opens it when the test drives the app (`user`, and
    `client` which is built on it), `db` when the test calls models/ alone."""
    return request.getfixturevalue('user' if 'user' in request.fixturenames else 'db')


@pytest.fixture
def make_org(orm):
    """make_org(name='Acme', *, owner='Olga Owner', members=(), guests=(), country='IT', tokens=False) -> Team.

    An organization, made by its owner, with members and guests added by the owner (models/ functions, as the app
    does). Each person is a name for a new account (its email is the first word of the name @example.com: 'Olga
    Owner' logs in as olga@example.com, with helpers.PASSWORD), or an existing account (a User, or a Person of
    another Team: two organizations sharing people). `tokens=True` also gives everyone an API token (Person.auth).
    """
    async def account(someone: str | User | Person) -> tuple[User, dict[str, str] | None]:
        if isinstance(someone, Person):
            return someone.user, someone.authorization
        if isinstance(someone, User):
            return someone, None
        return await make_user(name=someone, email=f'{someone.split()[0].lower()}@example.com'), None

    async def make(name: str = 'Acme', *, owner: str | User | Person = 'Olga Owner',
                   members: Iterable[str | User | Person] = (), guests: Iterable[str | User | Person] = (),
                   country: str = 'IT', tokens: bool = False) -> Team:
        async def person(user: User, authorization: dict[str, str] | None, membership: Membership) -> Person:
            if tokens and authorization is None:
                authorization = await token_for(user)
            return Person(user, membership, authorization)

        owner_user, owner_auth = await account(owner)
        created = await orgs.create_organization(user=owner_user, name=name, country=country)
        people: dict[str, list[Person]] = {'member': [], 'guest': []}
        for role, group in (('member', members), ('guest', guests)):
            for someone in group:
                user, authorization = await account(someone)
                await orgs.invite(actor=created, email=user.email, role=role)
                people[role].append(await person(user, authorization, await access.membership(user, created.org_id)))
        return Team(await person(owner_user, owner_auth, created), people['member'], people['guest'])
    return make


@pytest.fixture
async def acme(make_org) -> Team:
    """Acme: Olga Owner, Mario Member and Tina Other (members), Gus Guest; each with an API token."""
    return await make_org('Acme', owner='Olga Owner', members=['Mario Member', 'Tina Other'], guests=['Gus Guest'],
                          tokens=True)


@pytest.fixture
async def elsewhere(make_org) -> Team:
    """Another organization, Elsewhere, of Otto Outsider (with an API token): someone who is not in Acme."""
    return await make_org('Elsewhere', owner='Otto Outsider', tokens=True)


@pytest.fixture
async def target(make_org, acme) -> Team:
    """Target: a second organization of Acme's owner, where Mario is a member too (Tina and Gus are not in it)."""
    return await make_org('Target', owner=acme.owner, members=[acme.member], tokens=True)
