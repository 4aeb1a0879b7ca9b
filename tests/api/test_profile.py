"""PATCH /api/v1/me: the caller changes their own name, language and time zone; only the fields sent change, and a
bad one is a 422 naming it."""
from __future__ import annotations

from models.accounts.tables import User


async def test_the_caller_sets_language_and_time_zone_and_keeps_what_was_not_sent(client, acme):
    response = await client.patch('/api/v1/me', json={'language': 'fr', 'time_zone': 'Europe/Paris'},
                                  headers=acme.owner.auth)
    assert response.status_code == 200
    assert response.json() == {'id': acme.owner.id, 'email': acme.owner.email, 'name': 'Olga Owner',
                               'language': 'fr', 'time_zone': 'Europe/Paris', 'notification_mail': 'immediately'}
    saved = await User.get(id=acme.owner.id)
    assert (saved.language, saved.time_zone, saved.name) == ('fr', 'Europe/Paris', 'Olga Owner')

    response = await client.patch('/api/v1/me', json={'language': ''}, headers=acme.owner.auth)
    assert response.json()['language'] == '' and response.json()['time_zone'] == 'Europe/Paris'


async def test_a_bad_language_or_zone_is_422_naming_each_and_changes_nothing(client, acme):
    response = await client.patch('/api/v1/me', json={'language': 'de', 'time_zone': 'Mars/Olympus'},
                                  headers={**acme.owner.auth, 'Accept-Language': 'it'})
    assert response.status_code == 422
    assert {error['field'] for error in response.json()['detail']} == {'language', 'time_zone'}
    assert 'fuso orario' in response.text  # its human messages follow Accept-Language
    saved = await User.get(id=acme.owner.id)
    assert (saved.language, saved.time_zone) == ('', '')


async def test_only_a_signed_in_caller_changes_a_profile_and_only_its_own(client, acme):
    assert (await client.patch('/api/v1/me', json={'language': 'it'})).status_code == 401
    assert (await client.patch('/api/v1/me', json={'language': 'it', 'id': acme.member.id},
                               headers=acme.owner.auth)).status_code == 422  # unknown fields are refused
    assert (await User.get(id=acme.member.id)).language == ''
