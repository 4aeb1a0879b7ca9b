"""Malformed multipart uploads are a 4xx naming the problem, never a 500; a long but valid boundary is read."""
from __future__ import annotations

import pytest


def _upload(boundary: bytes, part_headers: bytes, data: bytes = b'hello') -> bytes:
    return b'--' + boundary + b'\r\n' + part_headers + b'\r\n\r\n' + data + b'\r\n--' + boundary + b'--\r\n'


FILE_PART = b'Content-Disposition: form-data; name="file"; filename="a.txt"'


@pytest.mark.parametrize(('boundary', 'part_headers', 'problem'), [
    (b'b0undary', b'Content-Disposition form-data; name="file"; filename="a.txt"', 'malformed'),
    (b'b0undary', b'Content-Disposition: form-data; name="file"; filename="' + b'a' * 100_000 + b'"', 'header'),
    (b'b0undary', FILE_PART + b'\r\nX-Padding: ' + b'p' * 4000 + (b'\r\nX-More: ' + b'p' * 4000) * 4, 'headers'),
    (b'b' * 300, FILE_PART, 'boundary'),
])
async def test_a_malformed_multipart_upload_is_a_422_naming_the_file(client, acme, rossi, boundary, part_headers,
                                                                     problem):
    path = f'{acme.base}/contacts/{rossi["id"]}/attachments'
    response = await client.post(path, content=_upload(boundary, part_headers), headers={
        **acme.owner.auth, 'Content-Type': 'multipart/form-data; boundary=' + boundary.decode()})
    assert response.status_code == 422, response.text[:300]
    [error] = response.json()['detail']
    assert error['field'] == 'file' and problem in error['msg'], error
    assert (await client.get(path, headers=acme.owner.auth)).json() == []


async def test_a_long_but_valid_boundary_is_read(client, acme, rossi):
    path = f'{acme.base}/contacts/{rossi["id"]}/attachments'
    boundary = b'b' * 100
    response = await client.post(path, content=_upload(boundary, FILE_PART), headers={
        **acme.owner.auth, 'Content-Type': 'multipart/form-data; boundary=' + boundary.decode()})
    assert response.status_code == 201 and response.json()['size'] == 5


@pytest.mark.parametrize('path', ['imports', 'imports/preview', 'contacts/import.vcf'])
async def test_a_malformed_multipart_import_is_a_4xx(client, acme, rossi, path):
    for boundary, part_headers in ((b'b0undary', b'Content-Disposition form-data; name="file"'),
                                   (b'b0undary', FILE_PART + b'; x="' + b'a' * 100_000 + b'"'),
                                   (b'b' * 300, FILE_PART)):
        response = await client.post(f'{acme.base}/{path}', content=_upload(boundary, part_headers), headers={
            **acme.owner.auth, 'Content-Type': 'multipart/form-data; boundary=' + boundary.decode()})
        assert response.status_code in (400, 422), response.text[:300]
        assert response.json()['detail']
