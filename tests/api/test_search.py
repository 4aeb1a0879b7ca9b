"""GET /api/v1/orgs/{org}/search: both kinds, best first, only what the caller may see; and sort=relevance on lists."""
from __future__ import annotations

import pytest

from tests.helpers import make_user, token_for


@pytest.fixture
async def rossis(client, acme, make_org) -> None:
    """Three contacts of Acme that "ross" finds (one of them private to the owner who made it), and a Rossi in
    another organization of Mario's."""
    for body in ({'first_name': 'André', 'last_name': 'Rossi', 'phones': ['02 1234 5678'],
                  'company_name': 'Rossi Impianti'},
                 {'last_name': 'Barossi', 'emails': ['b@example.com']},
                 {'last_name': 'Rossini', 'visibility': 'private'}):
        response = await client.post(f'{acme.base}/contacts', json=body, headers=acme.owner.auth)
        assert response.status_code == 201, response.text
    elsewhere = await make_org('Elsewhere', owner=acme.member, tokens=True)
    await client.post(f'{elsewhere.base}/contacts', json={'last_name': 'Rossi Altrove'}, headers=elsewhere.owner.auth)


def names(page: dict) -> list[str]:
    return [item.get('name') or f'{item["first_name"]} {item["last_name"]}'.strip() for item in page['items']]


async def test_search_returns_both_kinds_best_first_and_only_what_the_caller_sees(client, acme, rossis):
    response = await client.get(f'{acme.base}/search', params={'q': 'ROSSI'}, headers=acme.member.auth)
    assert response.status_code == 200, response.text
    found = response.json()
    assert names(found['contacts']) == ['André Rossi', 'Barossi']  # the private Rossini is its creator's
    assert found['contacts']['total'] == 2
    assert found['contacts']['items'][0]['company']['name'] == 'Rossi Impianti'
    assert names(found['companies']) == ['Rossi Impianti'] and found['companies']['total'] == 1
    as_owner = (await client.get(f'{acme.base}/search', params={'q': 'ross'}, headers=acme.owner.auth)).json()
    assert names(as_owner['contacts']) == ['André Rossi', 'Rossini', 'Barossi']
    by_phone = (await client.get(f'{acme.base}/search', params={'q': '+39 02 1234 5678'},
                                 headers=acme.member.auth)).json()
    assert names(by_phone['contacts']) == ['André Rossi'] and by_phone['companies']['total'] == 0


async def test_search_pages_and_limits(client, acme, rossis):
    first = (await client.get(f'{acme.base}/search', params={'q': 'ross', 'limit': 1},
                              headers=acme.owner.auth)).json()
    second = (await client.get(f'{acme.base}/search', params={'q': 'ross', 'limit': 1, 'offset': 1},
                               headers=acme.owner.auth)).json()
    assert (names(first['contacts']), names(second['contacts'])) == (['André Rossi'], ['Rossini'])
    assert first['contacts']['total'] == second['contacts']['total'] == 3
    empty = (await client.get(f'{acme.base}/search', params={'q': ' '}, headers=acme.owner.auth)).json()
    assert (empty['contacts'], empty['companies']) == ({'items': [], 'total': 0, 'total_exact': True},) * 2
    for params in ({'q': 'x', 'limit': 0}, {'q': 'x', 'limit': 201}, {'q': 'x', 'offset': -1}, {'q': 'x' * 201}):
        assert (await client.get(f'{acme.base}/search', params=params, headers=acme.owner.auth)).status_code \
            == 422, params


async def test_guests_strangers_and_anonymous_callers_are_refused(client, acme, rossis):
    assert (await client.get(f'{acme.base}/search', params={'q': 'rossi'},
                             headers=acme.guest.auth)).status_code == 403
    assert (await client.get(f'{acme.base}/search', params={'q': 'rossi'})).status_code == 401
    stranger = await token_for(await make_user(name='Stranger'))
    assert (await client.get(f'{acme.base}/search', params={'q': 'rossi'}, headers=stranger)).status_code == 404


async def test_lists_sort_by_relevance(client, acme, rossis):
    response = await client.get(f'{acme.base}/contacts', params={'q': 'ross', 'sort': 'relevance'},
                                headers=acme.owner.auth)
    assert names(response.json()) == ['André Rossi', 'Rossini', 'Barossi']
    by_name = await client.get(f'{acme.base}/contacts', params={'q': 'ross'}, headers=acme.owner.auth)
    assert names(by_name.json()) == ['Barossi', 'André Rossi', 'Rossini']


async def test_the_endpoint_is_in_the_openapi_schema(client):
    schema = (await client.get('/openapi.json')).json()
    assert 'get' in schema['paths']['/api/v1/orgs/{org}/search']
