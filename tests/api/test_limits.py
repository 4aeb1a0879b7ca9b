"""Request bodies past their route's limit are refused with 413 whatever their declared content type, on every
route (the API's, the pages', the unauthenticated ones), and are not read past the limit; a 422 never echoes
large input back."""
from __future__ import annotations

import re

import pytest

from web.limits import JSON_BODY_LIMIT

MIB = 1024 * 1024
CHUNK = 64 * 1024
OVER = 2 * MIB  # past every limit once the uploads are limited to 1 MiB (plus 64 KiB of multipart framing)
LARGEST_LIMIT = MIB + 64 * 1024
UPLOAD_PATHS = r'/attachments$|/imports$|/imports/preview$|/import\.vcf$|/_nicegui/client/.*/upload/'

PAGES = ['/', '/login', '/signup', '/contacts', '/contacts/1', '/companies/new', '/settings', '/import', '/kiosk/abc',
         '/files/1/1', '/exports/1/contacts.csv', '/cloud/google_drive/callback', '/docs', '/openapi.json',
         '/_nicegui_ws/socket.io/?EIO=4&transport=polling', '/_nicegui/client/abc/upload/1', '/no/such/page']
# socket.io (NiceGUI's) reads only a polling body of a session it knows: with the declared length it is refused


@pytest.fixture(autouse=True)
def small_uploads(monkeypatch):
    """Uploads (attachments, imports) limited to 1 MiB, so that one over-limit body is past every route's limit."""
    from api import imports
    monkeypatch.setenv('RUBRICA_MAX_UPLOAD_MB', '1')
    monkeypatch.setattr(imports, 'MAX_IMPORT_BYTES', MIB)


async def every_route(client, acme, rossi, pages: list[str] = PAGES) -> list[tuple[str, str]]:
    """(method, path) of every operation of the API, with its ids filled in, and of the pages (GET and POST)."""
    schema = (await client.get('/openapi.json')).json()
    routes = []
    for template, operations in schema['paths'].items():
        path = template.replace('{org}', str(acme.id)).replace('{kinds}', 'contacts')
        path = re.sub(r'\{[a-z_]+\}', str(rossi['id']), path)
        routes += [(method.upper(), path) for method in operations]
    assert len(routes) > 50
    return routes + [(method, page) for page in pages for method in ('GET', 'POST')]


FORM_TYPES = {'multipart': 'multipart/form-data; boundary=b0undary', 'urlencoded': 'application/x-www-form-urlencoded'}
HEADS = {'multipart': b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n',
         'urlencoded': b'name='}
TAILS = {'multipart': b'\r\n--b0undary--\r\n', 'urlencoded': b''}


def form_body(kind: str, size: int) -> bytes:
    return HEADS[kind] + b'x' * (size - len(HEADS[kind]) - len(TAILS[kind])) + TAILS[kind]


class Stream:
    """A form body of `size` bytes sent in chunks without Content-Length, made as it is asked for, counting how
    much of it the server asked for."""

    def __init__(self, kind: str, size: int) -> None:
        self.kind, self.size = kind, size
        self.sent = 0

    async def __aiter__(self):
        head, tail = HEADS[self.kind], TAILS[self.kind]
        for piece in (head, *(b'x' * CHUNK for _ in range((self.size - len(head) - len(tail)) // CHUNK)), tail):
            self.sent += len(piece)
            yield piece


@pytest.mark.parametrize('kind', FORM_TYPES)
async def test_every_route_refuses_an_over_limit_form_body_with_413(kind, client, acme, rossi):
    """Declared with its length: refused before any of it is read, with or without a token."""
    body = form_body(kind, OVER)
    refused = []
    for method, path in await every_route(client, acme, rossi):
        for auth in ({}, acme.owner.auth):
            response = await client.request(method, path, content=body,
                                            headers={'Content-Type': FORM_TYPES[kind], **auth})
            if response.status_code != 413:
                refused.append(f'{method} {path} {"with" if auth else "without"} a token: {response.status_code}')
    assert not refused, '\n'.join(refused)


@pytest.mark.parametrize('kind', FORM_TYPES)
async def test_no_route_reads_a_streamed_form_body_past_its_limit(kind, client, acme, rossi):
    """Sent without Content-Length: a route that reads its body stops at the limit and answers 413."""
    read_past = []
    for method, path in await every_route(client, acme, rossi, [page for page in PAGES if 'socket.io' not in page]):
        limit = LARGEST_LIMIT if re.search(UPLOAD_PATHS, path) else JSON_BODY_LIMIT
        stream = Stream(kind, 4 * MIB)
        response = await client.request(method, path, content=stream,
                                         headers={'Content-Type': FORM_TYPES[kind], **acme.owner.auth})
        if stream.sent > limit + CHUNK:
            read_past.append(f'{method} {path}: {stream.sent} bytes read, then {response.status_code}')
    assert not read_past, '\n'.join(read_past)


@pytest.mark.parametrize('kind', FORM_TYPES)
async def test_json_routes_refuse_a_streamed_form_body_with_413(kind, client, acme, rossi):
    """The routes that take JSON read their body whatever its type: each stops at 1 MiB, even without a token."""
    for method, path, auth in (('POST', '/api/v1/tokens', {}), ('POST', '/api/v1/users', {}),
                               ('POST', f'/api/v1/orgs/{acme.id}/contacts', acme.owner.auth),
                               ('PATCH', f'/api/v1/orgs/{acme.id}/contacts/{rossi["id"]}', acme.owner.auth),
                               ('PUT', f'/api/v1/orgs/{acme.id}/options/contact_types', acme.owner.auth)):
        stream = Stream(kind, 300 * MIB)
        response = await client.request(method, path, content=stream,
                                        headers={'Content-Type': FORM_TYPES[kind], **auth})
        assert response.status_code == 413, (method, path, response.text[:200])
        assert response.json()['detail'] == 'The request body is larger than 1024 KiB'
        assert stream.sent <= JSON_BODY_LIMIT + CHUNK, (method, path, stream.sent)


async def test_upload_routes_keep_their_own_limit(client, acme, rossi):
    """An attachment or an import may be larger than 1 MiB of JSON, up to its own limit, and not past it."""
    base = f'/api/v1/orgs/{acme.id}'
    attach = f'{base}/contacts/{rossi["id"]}/attachments'
    fits = await client.post(attach, files={'file': ('fits.bin', b'x' * MIB)}, headers=acme.owner.auth)
    assert fits.status_code == 201, fits.text
    for path, says in ((attach, 'single upload'), (f'{base}/imports', 'the upload was stopped'),
                       (f'{base}/imports/preview', 'the upload was stopped'),
                       (f'{base}/contacts/import.vcf', 'the upload was stopped')):
        stream = Stream('multipart', 300 * MIB)
        response = await client.post(path, content=stream,
                                     headers={'Content-Type': FORM_TYPES['multipart'], **acme.owner.auth})
        assert response.status_code == 413 and says in response.json()['detail'], (path, response.text[:200])
        assert stream.sent <= LARGEST_LIMIT + CHUNK, (path, stream.sent)


async def test_a_422_never_echoes_large_input(client, acme, rossi):
    big = 'y' * 200_000
    for body, fields in (({'email': 'a@example.com', 'password': 'x' * 8, 'unknown': big}, {'unknown'}),
                         ({'email': [big], 'password': {'nested': [big] * 2}}, {'email', 'password'})):
        response = await client.post('/api/v1/tokens', json=body)
        assert response.status_code == 422
        assert len(response.content) < 2000 and 'yyyy' not in response.text
        assert {e['loc'][-1] for e in response.json()['detail']} == fields
    # a short wrong value is still repeated, to help
    response = await client.post('/api/v1/tokens', json={'email': 'a@example.com', 'password': 12345678})
    assert response.json()['detail'] == [{'type': 'string_type', 'loc': ['body', 'password'],
                                          'msg': 'Input should be a valid string', 'input': 12345678}]


async def test_a_form_body_sent_to_a_json_route_is_a_422_that_echoes_nothing(client, acme, rossi):
    body = form_body('multipart', 600_000)  # under the limit: read, and refused as not JSON
    response = await client.post('/api/v1/tokens', content=body, headers={'Content-Type': FORM_TYPES['multipart']})
    assert response.status_code == 422
    assert len(response.content) < 1000 and 'xxxx' not in response.text
    assert response.json()['detail'][0]['msg'] == 'the body must be JSON, sent with Content-Type: application/json'
