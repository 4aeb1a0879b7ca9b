"""Kiosk links through the API: the language a link's screen speaks is chosen when it is made and changed later."""
from __future__ import annotations

import pytest


async def test_a_link_is_made_in_a_language_and_changed_to_another(client, acme):
    made = await client.post(f'{acme.base}/kiosk-links', json={'name': 'Accueil', 'language': 'fr'},
                             headers=acme.owner.auth)
    assert made.status_code == 201, made.text
    link = made.json()
    assert link['language'] == 'fr'

    changed = await client.patch(f'{acme.base}/kiosk-links/{link["id"]}', json={'language': 'it'},
                                 headers=acme.owner.auth)
    assert changed.status_code == 200, changed.text
    assert (changed.json()['language'], changed.json()['shown_fields']) == ('it', link['shown_fields'])  # kept

    fields_only = await client.patch(f'{acme.base}/kiosk-links/{link["id"]}', json={'shown_fields': ['role']},
                                     headers=acme.owner.auth)
    assert (fields_only.json()['language'], fields_only.json()['shown_fields']) == ('it', ['role'])
    listed = (await client.get(f'{acme.base}/kiosk-links', headers=acme.owner.auth)).json()
    assert [(item['id'], item['language']) for item in listed] == [(link['id'], 'it')]


async def test_a_link_made_without_a_language_follows_the_browser(client, acme):
    made = await client.post(f'{acme.base}/kiosk-links', json={'name': 'Hall'}, headers=acme.owner.auth)
    assert made.status_code == 201 and made.json()['language'] == ''


@pytest.mark.parametrize('language', ['de', 'IT', 'it-IT', 3])
async def test_a_language_rubrica_does_not_speak_is_refused(client, acme, language):
    made = await client.post(f'{acme.base}/kiosk-links', json={'name': 'Empfang', 'language': language},
                             headers=acme.owner.auth)
    assert made.status_code == 422
    assert 'language' in made.text
    link = (await client.post(f'{acme.base}/kiosk-links', json={'name': 'Hall'}, headers=acme.owner.auth)).json()
    changed = await client.patch(f'{acme.base}/kiosk-links/{link["id"]}', json={'language': language},
                                 headers=acme.owner.auth)
    assert changed.status_code == 422
    assert (await client.get(f'{acme.base}/kiosk-links', headers=acme.owner.auth)).json()[0]['language'] == ''
