"""Attachments through the API: upload, list, download, delete; visibility; quota; size limit; hostile names."""
from __future__ import annotations

import asyncio
import os
from pathlib import Path
from urllib.parse import unquote

import pytest

from models.orgs import service as orgs
from models.orgs.tables import Organization
from tests.helpers import Person, Team, files_under

MIB = 1024 * 1024


async def new_contact(client, acme: Team, who: Person | None = None, **fields) -> dict:
    response = await client.post(f'{acme.base}/contacts', json={'last_name': 'Rossi', **fields},
                                 headers=(who or acme.member).auth)
    assert response.status_code == 201, response.text
    return response.json()


async def upload(client, acme, path: str, name: str = 'report.pdf', content: bytes = b'%PDF-1.4 hello',
                 content_type: str = 'application/pdf', who: Person | None = None):
    return await client.post(f'{acme.base}/{path}/attachments', files={'file': (name, content, content_type)},
                             headers=(who or acme.member).auth)


def raw_multipart(filename: bytes, content: bytes, content_type: bytes = b'text/html') -> tuple[bytes, dict]:
    """A body written byte by byte, so that a filename reaches the server exactly as a hostile client sends it."""
    boundary = b'----rubrica-test-boundary'
    body = (b'--' + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="' + filename +
            b'"\r\nContent-Type: ' + content_type + b'\r\n\r\n' + content + b'\r\n--' + boundary + b'--\r\n')
    return body, {'Content-Type': 'multipart/form-data; boundary=' + boundary.decode()}


async def storage_used(org_id: int) -> int:
    return (await Organization.get(id=org_id)).storage_used


# ------------------------------------------------------------------ the round trip

async def test_upload_list_download_delete_on_a_contact(client, acme, rubrica_env):
    contact = await new_contact(client, acme)
    path = f'contacts/{contact["id"]}'
    content = os.urandom(300_000)
    response = await upload(client, acme, path, 'Offerta 2026 — è.pdf', content)
    assert response.status_code == 201, response.text
    created = response.json()
    assert set(created) >= {'id', 'filename', 'size', 'content_type', 'source', 'created_at'}
    assert (created['filename'], created['size'], created['content_type'], created['source']) == \
        ('Offerta 2026 — è.pdf', 300_000, 'application/pdf', 'upload')

    listed = await client.get(f'{acme.base}/{path}/attachments', headers=acme.owner.auth)
    assert listed.status_code == 200
    assert [a['id'] for a in listed.json()] == [created['id']]

    download = await client.get(f'{acme.base}/attachments/{created["id"]}/content', headers=acme.owner.auth)
    assert download.status_code == 200
    assert download.content == content
    assert download.headers['content-type'] == 'application/pdf'
    assert download.headers['x-content-type-options'] == 'nosniff'
    disposition = download.headers['content-disposition']
    assert disposition.startswith('attachment;')
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == 'Offerta 2026 — è.pdf'

    # stored under a generated name, never the user's
    stored = files_under(rubrica_env / 'files')
    assert len(stored) == 1 and 'Offerta' not in str(stored[0]) and stored[0].read_bytes() == content
    assert await storage_used(acme.id) == 300_000

    deleted = await client.delete(f'{acme.base}/attachments/{created["id"]}', headers=acme.member.auth)
    assert deleted.status_code == 204
    assert (await client.get(f'{acme.base}/{path}/attachments', headers=acme.owner.auth)).json() == []
    assert (await client.get(f'{acme.base}/attachments/{created["id"]}/content',
                             headers=acme.owner.auth)).status_code == 404
    assert files_under(rubrica_env / 'files') == []
    assert await storage_used(acme.id) == 0


async def test_companies_have_attachments_too(client, acme):
    company = (await client.post(f'{acme.base}/companies', json={'name': 'Müller GmbH'},
                                 headers=acme.member.auth)).json()
    response = await upload(client, acme, f'companies/{company["id"]}', 'notes.txt', b'hello', 'text/plain')
    assert response.status_code == 201
    listed = (await client.get(f'{acme.base}/companies/{company["id"]}/attachments',
                               headers=acme.member.auth)).json()
    assert [(a['filename'], a['company_id'], a['contact_id']) for a in listed] == [('notes.txt', company['id'], None)]


# ------------------------------------------------------------------ visibility

async def test_attachments_of_a_hidden_record_do_not_exist(client, acme):
    private = await new_contact(client, acme, visibility='private')
    created = (await upload(client, acme, f'contacts/{private["id"]}')).json()
    base = acme.base
    for who in (acme.other, acme.owner):  # owners have no bypass on private records
        assert (await client.get(f'{base}/contacts/{private["id"]}/attachments', headers=who.auth)).status_code == 404
        assert (await upload(client, acme, f'contacts/{private["id"]}', who=who)).status_code == 404
        assert (await client.get(f'{base}/attachments/{created["id"]}', headers=who.auth)).status_code == 404
        assert (await client.get(f'{base}/attachments/{created["id"]}/content',
                                 headers=who.auth)).status_code == 404
        assert (await client.delete(f'{base}/attachments/{created["id"]}', headers=who.auth)).status_code == 404
    # the same 404 as an id that was never there
    assert (await client.get(f'{base}/attachments/999999/content', headers=acme.other.auth)).status_code == 404
    # the creator still sees it, and nothing was added by the refused uploads
    listed = await client.get(f'{base}/contacts/{private["id"]}/attachments', headers=acme.member.auth)
    assert [a['id'] for a in listed.json()] == [created['id']]


async def test_a_mentioned_colleague_sees_a_private_records_attachments(client, acme):
    other_id = (await client.get('/api/v1/me', headers=acme.other.auth)).json()['id']
    private = await new_contact(client, acme, visibility='private',
                                description=f'with @[Tina Other](user:{other_id})')
    created = (await upload(client, acme, f'contacts/{private["id"]}')).json()
    response = await client.get(f'{acme.base}/attachments/{created["id"]}/content', headers=acme.other.auth)
    assert response.status_code == 200 and response.content == b'%PDF-1.4 hello'


async def test_guests_and_other_organizations_see_no_attachments(client, acme, elsewhere):
    contact = await new_contact(client, acme)
    created = (await upload(client, acme, f'contacts/{contact["id"]}')).json()
    for who in (acme.guest, elsewhere.owner):
        for response in (
                await client.get(f'{acme.base}/contacts/{contact["id"]}/attachments', headers=who.auth),
                await client.get(f'{acme.base}/attachments/{created["id"]}/content', headers=who.auth),
                await client.delete(f'{acme.base}/attachments/{created["id"]}', headers=who.auth),
                await upload(client, acme, f'contacts/{contact["id"]}', who=who)):
            assert response.status_code == 404, (who.name, response.request.url, response.text)
    assert (await client.get(f'{acme.base}/attachments/{created["id"]}/content')).status_code == 401


async def test_who_may_delete_an_attachment(client, acme):
    contact = await new_contact(client, acme, who=acme.member)  # Mario created the record
    by_mario = (await upload(client, acme, f'contacts/{contact["id"]}', who=acme.member)).json()
    by_tina = [(await upload(client, acme, f'contacts/{contact["id"]}', who=acme.other)).json() for _ in range(3)]
    base = acme.base
    # Tina neither added Mario's file, nor created the record, nor owns the organization
    refused = await client.delete(f'{base}/attachments/{by_mario["id"]}', headers=acme.other.auth)
    assert refused.status_code == 403
    assert (await client.delete(f'{base}/attachments/{by_tina[0]["id"]}', headers=acme.other.auth)) \
        .status_code == 204  # the uploader
    assert (await client.delete(f'{base}/attachments/{by_tina[1]["id"]}', headers=acme.member.auth)) \
        .status_code == 204  # the record's creator
    assert (await client.delete(f'{base}/attachments/{by_tina[2]["id"]}', headers=acme.owner.auth)) \
        .status_code == 204  # an owner
    listed = (await client.get(f'{base}/contacts/{contact["id"]}/attachments', headers=acme.owner.auth)).json()
    assert [a['id'] for a in listed] == [by_mario['id']]


# ------------------------------------------------------------------ quota and size

async def test_the_upload_that_would_pass_the_quota_is_refused_whole(client, acme, rubrica_env):
    await orgs.set_plan(org_id=acme.id, plan='free', quota_mb=1)
    contact = await new_contact(client, acme)
    path = f'contacts/{contact["id"]}'
    assert (await upload(client, acme, path, 'a.bin', b'a' * (700 * 1024))).status_code == 201
    refused = await upload(client, acme, path, 'b.bin', b'b' * (400 * 1024))
    assert refused.status_code == 413
    assert 'space' in refused.json()['detail']
    assert await storage_used(acme.id) == 700 * 1024
    assert len(files_under(rubrica_env / 'files')) == 1  # nothing of the refused file is left
    # exactly the room that is left still fits
    assert (await upload(client, acme, path, 'c.bin', b'c' * (MIB - 700 * 1024))).status_code == 201
    assert await storage_used(acme.id) == MIB


async def test_deleting_frees_space_for_the_next_upload(client, acme):
    await orgs.set_plan(org_id=acme.id, plan='free', quota_mb=1)
    contact = await new_contact(client, acme)
    path = f'contacts/{contact["id"]}'
    first = (await upload(client, acme, path, 'a.bin', b'a' * (800 * 1024))).json()
    assert (await upload(client, acme, path, 'b.bin', b'b' * (800 * 1024))).status_code == 413
    assert (await client.delete(f'{acme.base}/attachments/{first["id"]}', headers=acme.member.auth)) \
        .status_code == 204
    assert (await upload(client, acme, path, 'b.bin', b'b' * (800 * 1024))).status_code == 201


async def test_deleting_a_record_for_good_frees_the_space_of_its_files(client, acme, rubrica_env):
    contact = await new_contact(client, acme)
    await upload(client, acme, f'contacts/{contact["id"]}', 'a.bin', b'a' * 5000)
    assert await storage_used(acme.id) == 5000
    assert (await client.delete(f'{acme.base}/contacts/{contact["id"]}', headers=acme.member.auth)) \
        .status_code == 204
    assert await storage_used(acme.id) == 5000  # in the trash, its files still count
    assert (await client.delete(f'{acme.base}/trash/contact/{contact["id"]}', headers=acme.owner.auth)) \
        .status_code == 204
    assert await storage_used(acme.id) == 0


def bytes_on_disk(data_dir: Path) -> int:
    return sum(p.stat().st_size for p in files_under(data_dir / 'files'))


async def test_deleting_records_removes_their_files_from_disk(client, acme, rubrica_env):
    """Rounds of "upload, delete the contact" used to leave every file on disk (until a restart) while the quota
    counted none of them: disk use was bounded by nothing. The files go when their record leaves the trash."""
    size = 300 * 1024
    for _ in range(3):
        contact = await new_contact(client, acme)
        assert (await upload(client, acme, f'contacts/{contact["id"]}', 'big.bin', b'x' * size)).status_code == 201
        assert bytes_on_disk(rubrica_env) == size and await storage_used(acme.id) == size
        assert (await client.delete(f'{acme.base}/contacts/{contact["id"]}', headers=acme.member.auth)) \
            .status_code == 204
        assert bytes_on_disk(rubrica_env) == size and await storage_used(acme.id) == size  # in the trash
        assert (await client.delete(f'{acme.base}/trash/contact/{contact["id"]}', headers=acme.owner.auth)) \
            .status_code == 204
        assert bytes_on_disk(rubrica_env) == 0 and await storage_used(acme.id) == 0
    company = (await client.post(f'{acme.base}/companies', json={'name': 'Rossi Srl'},
                                 headers=acme.member.auth)).json()
    for name in ('a.bin', 'b.bin'):
        assert (await upload(client, acme, f'companies/{company["id"]}', name, b'y' * size)).status_code == 201
    kept = await new_contact(client, acme)
    assert (await upload(client, acme, f'contacts/{kept["id"]}', 'kept.bin', b'z' * 1000)).status_code == 201
    assert bytes_on_disk(rubrica_env) == 2 * size + 1000
    assert (await client.delete(f'{acme.base}/companies/{company["id"]}', headers=acme.member.auth)) \
        .status_code == 204
    assert (await client.delete(f'{acme.base}/trash', headers=acme.owner.auth)).json() == {'deleted': 1}
    assert bytes_on_disk(rubrica_env) == 1000 and await storage_used(acme.id) == 1000


async def test_concurrent_uploads_cannot_pass_the_quota_together(client, acme):
    await orgs.set_plan(org_id=acme.id, plan='free', quota_mb=1)
    contact = await new_contact(client, acme)
    path = f'contacts/{contact["id"]}'
    results = await asyncio.gather(*(upload(client, acme, path, f'{i}.bin', bytes([i]) * (600 * 1024))
                                     for i in range(3)))
    assert sorted(r.status_code for r in results) == [201, 413, 413]
    assert await storage_used(acme.id) == 600 * 1024


@pytest.fixture
def one_mib_limit(monkeypatch):
    monkeypatch.setenv('RUBRICA_MAX_UPLOAD_MB', '1')


async def test_the_server_enforces_the_per_file_limit(one_mib_limit, client, acme, rubrica_env):
    contact = await new_contact(client, acme)
    path = f'contacts/{contact["id"]}'
    assert (await upload(client, acme, path, 'fits.bin', b'x' * MIB)).status_code == 201
    too_big = await upload(client, acme, path, 'big.bin', b'x' * (MIB + 1))
    assert too_big.status_code == 413 and 'single upload' in too_big.json()['detail']

    # a client that hides the size (no Content-Length) is stopped while streaming
    body, headers = raw_multipart(b'big.bin', b'y' * (2 * MIB))

    async def chunks():
        for i in range(0, len(body), 64 * 1024):
            yield body[i:i + 64 * 1024]
    streamed = await client.post(f'{acme.base}/{path}/attachments', content=chunks(),
                                 headers={**headers, **acme.member.auth})
    assert streamed.status_code == 413
    assert len(files_under(rubrica_env / 'files')) == 1
    assert await storage_used(acme.id) == MIB


async def test_bad_upload_requests_name_the_field(client, acme):
    contact = await new_contact(client, acme)
    url = f'{acme.base}/contacts/{contact["id"]}/attachments'
    no_file = await client.post(url, data={'other': 'x'}, files={'not_file': ('a.txt', b'a')},
                                headers=acme.member.auth)
    assert no_file.status_code == 422 and no_file.json()['detail'][0]['field'] == 'file'
    plain = await client.post(url, content=b'hello', headers={'Content-Type': 'text/plain', **acme.member.auth})
    assert plain.status_code == 422
    unknown_source = await client.post(url, json={'source': 'ftp', 'file_id': 'x'}, headers=acme.member.auth)
    assert unknown_source.status_code == 422


# ------------------------------------------------------------------ hostile filenames

HOSTILE = [
    ('../../etc/passwd'.encode(), 'passwd'),
    ('..\\..\\windows\\system32\\config.sys'.encode(), 'config.sys'),
    ('inv\x00oice.pdf'.encode(), 'invoice.pdf'),
    ('invoice\u202efdp.exe'.encode(), 'invoicefdp.exe'),
    ('<img src=x onerror=alert(1)>.html'.encode(), '<img src=x onerror=alert(1)>.html'),
    (('a' * 3000 + '.pdf').encode(), 'a' * 251 + '.pdf'),
    (b'\\"; filename=evil.exe', '"; filename=evil.exe'),  # an escaped quote inside the quoted name
]


@pytest.mark.parametrize('raw, shown', HOSTILE, ids=['traversal', 'backslashes', 'nul', 'rtl-override', 'html',
                                                     '3000-chars', 'header-injection'])
async def test_hostile_filenames_are_stored_and_served_safely(client, acme, rubrica_env, raw, shown):
    contact = await new_contact(client, acme)
    body, headers = raw_multipart(raw, b'<script>alert(document.cookie)</script>', b'text/html')
    response = await client.post(f'{acme.base}/contacts/{contact["id"]}/attachments', content=body,
                                 headers={**headers, **acme.member.auth})
    assert response.status_code == 201, response.text
    created = response.json()
    assert created['filename'] == shown
    assert len(created['filename']) <= 255

    # on disk: only generated names inside the data dir's files folder
    stored = files_under(rubrica_env / 'files')
    assert len(stored) == 1
    assert stored[0].resolve().is_relative_to((rubrica_env / 'files').resolve())
    assert len(stored[0].name) == 32 and stored[0].name.isalnum()
    assert not (rubrica_env.parent / 'etc').exists()

    served = await client.get(f'{acme.base}/attachments/{created["id"]}/content', headers=acme.member.auth)
    assert served.status_code == 200
    assert served.headers['content-type'] == 'application/octet-stream'  # never text/html
    assert served.headers['x-content-type-options'] == 'nosniff'
    assert 'sandbox' in served.headers['content-security-policy']
    disposition = served.headers['content-disposition']
    disposition.encode('ascii')  # a header of plain ASCII, whatever the name
    assert disposition.startswith('attachment; filename="')
    fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert '/' not in fallback and '\\' not in fallback and '"' not in fallback
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == shown
    assert disposition.count(';') == 2  # no parameter smuggled in by the name


@pytest.mark.parametrize('claimed', ['text/html', 'image/svg+xml', 'application/javascript', 'text/xml',
                                     'application/xhtml+xml', 'text/html; charset=utf-8', 'nonsense'])
async def test_no_upload_is_ever_served_as_a_page_or_a_script(client, acme, claimed):
    contact = await new_contact(client, acme)
    created = (await upload(client, acme, f'contacts/{contact["id"]}', 'x.svg', b'<svg onload=alert(1)/>',
                            claimed)).json()
    served = await client.get(f'{acme.base}/attachments/{created["id"]}/content', headers=acme.member.auth)
    assert served.headers['content-type'] == 'application/octet-stream'
    assert served.headers['content-disposition'].startswith('attachment;')
