"""What an operator's tools see: /healthz, /readyz, /metrics (with its token), the request log with its request id,
and that nothing secret reaches the server's log (a real server, a real browser, a real SMTP server)."""
from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from tortoise import connections

from models.mail.tables import OutgoingMail
from models.mail import outbox
from tests.conftest import ON_POSTGRES, POSTGRES_URL
from tests.drivers import api_log_in, browser_log_in
from tests.mailbox import Mailbox, link_in, mailbox  # noqa: F401
from tests.server import ROOT, free_port, running_server
from web.startup import WaitForStart

TOKEN = 'metrics-token-for-the-tests-0123'


@pytest.fixture
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> str:
    """RUBRICA_METRICS_TOKEN set: request it before `client`, which starts the app with the settings."""
    monkeypatch.setenv('RUBRICA_METRICS_TOKEN', TOKEN)
    return TOKEN


async def started(client: httpx.AsyncClient) -> None:
    """Until the app's start-up (migrations, recovery) is done: a test that then changes the database directly
    must not race it. /login waits for it (web/startup.py)."""
    assert (await client.get('/login')).status_code == 200


def families(text: str) -> dict[str, list]:
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


# ------------------------------------------------------------------ health

async def test_healthz_and_readyz_answer_without_log_in_and_without_data(client, acme):
    live = await client.get('/healthz')
    assert (live.status_code, live.json()) == (200, {'status': 'ok'})
    ready = await client.get('/readyz')
    assert ready.status_code == 200
    assert ready.json() == {'status': 'ok', 'startup': 'ok', 'database': 'ok', 'migrations': 'ok'}
    assert ready.headers['cache-control'] == 'no-store'
    assert '/healthz' not in (await client.get('/openapi.json')).text  # not part of the API


async def test_readyz_is_503_naming_migrations_not_applied(client):
    await started(client)
    last = sorted(path.stem for path in (ROOT / 'models' / 'migrations').glob('0*.py'))[-1]
    database = connections.get('default')
    await database.execute_query(f"UPDATE tortoise_migrations SET name = 'hidden' WHERE name = '{last}'")
    try:
        ready = await client.get('/readyz')
        assert ready.status_code == 503
        assert ready.json() == {'status': 'unavailable', 'startup': 'ok', 'database': 'ok', 'migrations': 'pending'}
        assert (await client.get('/healthz')).status_code == 200  # alive all the same
    finally:  # on PostgreSQL the next test's app finds the same database
        await database.execute_query(f"UPDATE tortoise_migrations SET name = '{last}' WHERE name = 'hidden'")


@pytest.mark.skipif(ON_POSTGRES, reason='the SQLite file')
async def test_readyz_is_503_when_the_sqlite_file_is_gone(client, rubrica_env: Path, caplog):
    await started(client)
    (rubrica_env / 'rubrica.sqlite3').rename(rubrica_env / 'moved-away.sqlite3')
    ready = await client.get('/readyz')
    assert ready.status_code == 503
    assert ready.json() == {'status': 'unavailable', 'startup': 'ok', 'database': 'unreachable',
                            'migrations': 'unknown'}
    # a periodic job that starts meanwhile (the recovery runs every minute) fails for the same reason and logs it:
    # expected here, and only that; the user fixture fails a test on any other ERROR log
    errors = [record for record in caplog.get_records('call') if record.levelname == 'ERROR']
    assert all(record.name.startswith('procrastinate') for record in errors), [r.getMessage() for r in errors]
    caplog.clear()


async def test_readyz_checks_redis_when_it_is_configured(with_redis, client):
    await started(client)
    ready = await client.get('/readyz')
    assert (ready.status_code, ready.json()) == (200, {'status': 'ok', 'startup': 'ok', 'database': 'ok',
                                                       'migrations': 'ok', 'redis': 'ok'})


@pytest.fixture
def redis_that_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> str:
    """RUBRICA_REDIS_URL naming a port where nothing listens (with a password the log must not show)."""
    monkeypatch.setenv('RUBRICA_REDIS_URL', f'redis://:redis-password-in-url@127.0.0.1:{free_port()}/0')
    return 'redis-password-in-url'


async def test_readyz_is_503_naming_redis_when_it_does_not_answer(redis_that_does_not_answer, client, caplog):
    with caplog.at_level(logging.INFO):
        await started(client)
        ready = await client.get('/readyz')
    assert ready.status_code == 503
    assert ready.json() == {'status': 'unavailable', 'startup': 'ok', 'database': 'ok', 'migrations': 'ok',
                            'redis': 'unreachable'}
    assert (await client.get('/healthz')).status_code == 200
    assert 'Redis' in caplog.text and redis_that_does_not_answer not in caplog.text


async def test_health_checks_answer_while_the_server_is_starting():
    """WaitForStart holds every request until start-up is done, except the health checks: alive, not ready."""
    started = asyncio.Event()
    answered: list[str] = []

    async def app(scope, receive, send):
        answered.append(scope['path'])

    gate = WaitForStart(app, started=started)
    await asyncio.wait_for(gate({'type': 'http', 'path': '/healthz'}, None, None), 1)
    waiting = asyncio.create_task(gate({'type': 'http', 'path': '/contacts'}, None, None))
    await asyncio.sleep(0.2)
    assert answered == ['/healthz']
    started.set()
    await asyncio.wait_for(waiting, 1)
    assert answered == ['/healthz', '/contacts']


class Proxy:
    """A TCP proxy from a local port to PostgreSQL, which the test can cut: the database becomes unreachable."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, upstream_writer}
        await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))

    async def start(self, port: int = 0) -> None:
        self.server = await asyncio.start_server(self._connection, '127.0.0.1', port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        self.server.close()
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()
        await self.server.wait_closed()


@pytest.mark.skipif(not ON_POSTGRES, reason='PostgreSQL run only (RUBRICA_DATABASE_URL)')
async def test_readyz_is_503_when_postgresql_is_unreachable_and_200_when_it_is_back(rubrica_env: Path):
    parts = urlsplit(POSTGRES_URL)
    proxy = Proxy(parts.hostname or '127.0.0.1', parts.port or 5432)
    await proxy.start()
    url = parts._replace(netloc=f'{parts.username or "postgres"}'
                                f'{":" + parts.password if parts.password else ""}@127.0.0.1:{proxy.port}').geturl()
    port = free_port()
    server = running_server(port, RUBRICA_DATABASE_URL=url)
    await asyncio.to_thread(server.__enter__)
    try:
        async with httpx.AsyncClient(base_url=f'http://127.0.0.1:{port}', timeout=10) as http:
            ready = await http.get('/readyz')
            assert ready.status_code == 200, ready.json()
            await proxy.cut()
            ready = await http.get('/readyz')
            assert ready.status_code == 503
            assert ready.json()['database'] == 'unreachable'
            assert (await http.get('/healthz')).status_code == 200
            await proxy.start(proxy.port)  # the database is back: so is the server, without a restart
            for _ in range(20):
                if (await http.get('/readyz')).status_code == 200:
                    break
                await asyncio.sleep(0.5)
            else:
                pytest.fail('/readyz stayed 503 after the database came back')
    finally:
        await asyncio.to_thread(server.__exit__, None, None, None)
        await proxy.cut()


# ------------------------------------------------------------------ metrics

async def test_metrics_are_off_without_their_token(client):
    assert (await client.get('/metrics')).status_code == 404
    assert (await client.get('/metrics', headers={'Authorization': f'Bearer {TOKEN}'})).status_code == 404


async def test_metrics_need_the_bearer_token(metrics_on, client):
    assert (await client.get('/metrics')).status_code == 401
    assert (await client.get('/metrics')).headers['www-authenticate'] == 'Bearer'
    assert (await client.get('/metrics', headers={'Authorization': 'Bearer wrong-token-of-the-same-len'})) \
        .status_code == 403
    assert (await client.get('/metrics', headers={'Authorization': f'Basic {TOKEN}'})).status_code == 401
    assert (await client.get('/metrics', headers={'Authorization': f'Bearer {TOKEN}'})).status_code == 200


async def test_metrics_count_requests_by_route_template_and_the_outbox_and_imports(metrics_on, mailbox, client,
                                                                                    acme):
    scrape = {'Authorization': f'Bearer {TOKEN}'}
    await outbox.send_due()
    await OutgoingMail.all().delete()  # the "added you to Acme" mails of Acme's making: not this test's
    rossi = (await client.post(f'{acme.base}/contacts', json={'last_name': 'Rossi'}, headers=acme.owner.auth)).json()
    for _ in range(3):
        assert (await client.get(f'{acme.base}/contacts/{rossi["id"]}', headers=acme.owner.auth)).status_code == 200
    assert (await client.get(f'{acme.base}/contacts/999999', headers=acme.owner.auth)).status_code == 404
    await client.post('/api/v1/password-reset', json={'email': acme.member.user.email})  # one mail queued
    await outbox.send_due()
    await OutgoingMail.create(recipient='x@example.com', subject='s', text='t', html='h', attempts=1,
                              next_attempt_at=outbox.now(), last_error='refused')

    found = families((await client.get('/metrics', headers=scrape)).text)
    requests = {(s.labels['route'], s.labels['method'], s.labels['status']): s.value
                for s in found['rubrica_http_requests'] if s.name.endswith('_total')}
    route = '/api/v1/orgs/{org}/contacts/{record_id}'
    assert requests[(route, 'GET', '200')] >= 3 and requests[(route, 'GET', '404')] >= 1
    assert not [labels for labels in requests if re.search(r'\d', labels[0].removeprefix('/api/v1'))]  # no ids
    latency = {s.labels['route']: s.value for s in found['rubrica_http_request_duration_seconds']
               if s.name.endswith('_count')}
    assert latency[route] >= 4
    mails = {s.labels['state']: s.value for s in found['rubrica_outbox_mails']}
    assert mails == {'waiting': 0, 'retrying': 1, 'sent': 1, 'given_up': 0}
    assert {s.labels['status']: s.value for s in found['rubrica_imports']} == \
        {'running': 0, 'done': 0, 'failed': 0, 'undone': 0}
    assert {s.labels['status']: s.value for s in found['rubrica_jobs']} == \
        {'queued': 0, 'running': 0, 'succeeded': 0, 'failed': 0, 'cancelled': 0}
    assert [s.value for s in found['rubrica_database_up']] == [1]
    assert 'rubrica_page_connections' in found and 'process_resident_memory_bytes' in found


async def test_metrics_count_open_pages(metrics_on, user, acme):
    from nicegui import core

    from tests.drivers import log_in

    await log_in(user, acme.owner)
    transport = httpx.ASGITransport(app=core.app)
    async with httpx.AsyncClient(transport=transport, base_url='http://test') as http:
        found = families((await http.get('/metrics', headers={'Authorization': f'Bearer {TOKEN}'})).text)
    assert found['rubrica_page_clients'][0].value >= 1


# ------------------------------------------------------------------ the request log

async def test_each_request_logs_one_line_with_its_template_id_user_and_organization(client, acme, caplog):
    caplog.set_level(logging.INFO, logger='rubrica.requests')
    answer = await client.get(f'{acme.base}/contacts?q=secret-looking-query', headers=acme.member.auth)
    assert answer.status_code == 200
    given = await client.get('/healthz', headers={'X-Request-ID': 'proxy-id-42'})
    junk = await client.get('/healthz', headers={'X-Request-ID': 'not\tan id'})

    lines = [r for r in caplog.records if r.name == 'rubrica.requests']
    [listed] = [r for r in lines if r.route == '/api/v1/orgs/{org}/contacts']
    assert (listed.method, listed.status, listed.user_id, listed.org_id) == ('GET', 200, acme.member.id, acme.id)
    assert listed.request_id == answer.headers['x-request-id'] and re.fullmatch(r'[0-9a-f]{16}', listed.request_id)
    assert listed.duration_ms >= 0
    assert given.headers['x-request-id'] == 'proxy-id-42'
    assert re.fullmatch(r'[0-9a-f]{16}', junk.headers['x-request-id'])
    assert 'secret-looking-query' not in caplog.text and '?q=' not in caplog.text


def test_the_log_formats_are_one_line_per_entry():
    from web.logs import JsonFormatter, RequestContext, TextFormatter, RequestInfo, current_request

    record = logging.LogRecord('rubrica.requests', logging.INFO, __file__, 1, '%s %s %s %.1fms',
                               ('GET', '/api/v1/me', 200, 3.14), None)
    for name, value in {'method': 'GET', 'route': '/api/v1/me', 'status': 200, 'duration_ms': 3.1}.items():
        setattr(record, name, value)
    token = current_request.set(RequestInfo(request_id='abc', user_id=4, org_id=2))
    try:
        RequestContext().filter(record)
    finally:
        current_request.reset(token)
    entry = json.loads(JsonFormatter().format(record))
    assert entry | {'time': None} == {'time': None, 'level': 'INFO', 'logger': 'rubrica.requests',
                                      'message': 'GET /api/v1/me 200 3.1ms', 'method': 'GET', 'route': '/api/v1/me',
                                      'status': 200, 'duration_ms': 3.1, 'request_id': 'abc', 'user_id': 4,
                                      'org_id': 2}
    text = TextFormatter().format(record)
    assert text.endswith('INFO rubrica.requests GET /api/v1/me 200 3.1ms request_id=abc user_id=4 org_id=2')
    try:
        raise ValueError('boom\nsecond line')
    except ValueError:
        import sys
        failed = logging.LogRecord('rubrica', logging.ERROR, __file__, 1, 'failed', (), sys.exc_info())
    assert '\n' not in JsonFormatter().format(failed)
    assert 'boom' in json.loads(JsonFormatter().format(failed))['exception']


# ------------------------------------------------------------------ secrets never logged

def _session_key(cookie: str) -> str:
    """The session key inside starlette's signed session cookie (base64 JSON, a dot, the signature)."""
    payload = cookie.split('.')[0]
    return json.loads(base64.b64decode(payload + '=' * (-len(payload) % 4)))['session']


def test_no_secret_reaches_the_servers_log(browser, mailbox: Mailbox, tmp_path: Path):
    """A real server writing JSON logs; an account (password), an API token, a browser session, a password reset
    link and its new password, an upload: none of them is in anything the server wrote, and every line is JSON."""
    port, log = free_port(), tmp_path / 'server.log'
    password, new_password = 'first-Password-4711', 'second-Password-0815'
    upload = b'file content that must never be logged 9d1f0c'
    with running_server(port, log=log, RUBRICA_LOG_FORMAT='json', RUBRICA_METRICS_TOKEN=TOKEN) as (url, _):
        httpx.post(f'{url}/api/v1/users', json={'email': 'sam@example.com', 'password': password,
                                                'name': 'Sam'}).raise_for_status()
        auth = api_log_in(url, 'sam@example.com', password)
        org = httpx.post(f'{url}/api/v1/orgs', json={'name': 'Secrets'}, headers=auth).json()['id']
        contact = httpx.post(f'{url}/api/v1/orgs/{org}/contacts', json={'last_name': 'Verdi'}, headers=auth).json()
        httpx.post(f'{url}/api/v1/orgs/{org}/contacts/{contact["id"]}/attachments', headers=auth,
                   files={'file': ('notes.txt', upload, 'text/plain')}).raise_for_status()
        httpx.get(f'{url}/api/v1/me?access_token={auth["Authorization"][7:]}')  # a token in a query string too
        httpx.get(f'{url}/metrics', headers={'Authorization': f'Bearer {TOKEN}'}).raise_for_status()

        browser_log_in(browser, 'sam@example.com', password, url=url)
        session = _session_key(browser.get_cookie('session')['value'])

        httpx.post(f'{url}/api/v1/password-reset', json={'email': 'sam@example.com'}).raise_for_status()
        WebDriverWait(browser, 15, poll_frequency=0.2).until(lambda _: mailbox.about('Reset your Rubrica password'))
        link = link_in(mailbox.about('Reset your Rubrica password')[0])
        reset_token = parse_qs(urlsplit(link).query)['token'][0]
        browser.delete_all_cookies()
        browser.get(f'{url}/reset-password?token={reset_token}')
        fields = WebDriverWait(browser, 10).until(
            lambda d: d.find_elements(By.XPATH, '//input[@type="password"]') or None)
        for field in fields:
            field.send_keys(new_password)
        browser.find_element(By.XPATH, '//button[contains(normalize-space(), "password")]').click()
        WebDriverWait(browser, 10).until(lambda d: urlsplit(d.current_url).path == '/')
        api_log_in(url, 'sam@example.com', new_password)  # the new password works: the reset went through

    written = log.read_text(encoding='utf-8')
    secrets = {'password': password, 'new password': new_password, 'API token': auth['Authorization'][7:],
               'session key': session, 'reset token': reset_token, 'upload': upload.decode(),
               'metrics token': TOKEN, 'SMTP password': mailbox.url.split(':')[2].split('@')[0]}
    assert not [name for name, secret in secrets.items() if secret in written]
    lines = [json.loads(line) for line in written.splitlines() if line.strip()]
    routes = {line.get('route') for line in lines if line['logger'] == 'rubrica.requests'}
    assert {'/api/v1/users', '/api/v1/tokens', '/reset-password', '/metrics',
            '/api/v1/orgs/{org}/{kinds}/{record_id}/attachments'} <= routes
    [upload_line] = [line for line in lines if line.get('route', '').endswith('/attachments')]
    assert upload_line['status'] == 201 and upload_line['user_id'] and upload_line['org_id'] == org
