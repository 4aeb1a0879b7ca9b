"""The page guard: anonymous visitors are sent to /login, and only ever back to a local path."""
from __future__ import annotations

import pytest

from ui.session import safe_next


@pytest.mark.parametrize('target, expected', [
    ('/contacts?page=2', '/contacts?page=2'),
    ('/', '/'),
    ('https://evil.example/', '/'),
    ('//evil.example/path', '/'),
    ('/\\evil.example', '/'),
    ('javascript:alert(1)', '/'),
    ('', '/'),
    (None, '/'),
])
def test_only_local_paths_are_followed_after_login(target, expected):
    assert safe_next(target) == expected


async def test_anonymous_page_requests_are_redirected_with_the_wanted_path(client):
    for path in ('/', '/contacts', '/settings', '/anything-else'):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers['location'].startswith('/login?next=')
    response = await client.get('/contacts?q=rossi')
    assert response.headers['location'] == '/login?next=%2Fcontacts%3Fq%3Drossi'
    assert (await client.get('/login')).status_code == 200
    assert (await client.get('/signup')).status_code == 200


async def test_pages_refuse_to_be_framed_and_sniffed(client):
    response = await client.get('/login')
    assert response.headers['content-security-policy'] == "frame-ancestors 'none'"
    assert response.headers['x-content-type-options'] == 'nosniff'
