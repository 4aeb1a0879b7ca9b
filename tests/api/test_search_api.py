"""GET /api/v1/orgs/{org}/search: both kinds, best first, only what the caller may see; and sort=relevance on lists."""
from __future__ import annotations

import pytest

from tests.helpers import add_member, make_org, make_user, token_for


@pytest.fixture
async def acme(client):
    owner, member, guest = [await make_user(name=n) for n in ('Olga Owner', 'Mario Member', 'Gus Guest')]
    org = await make_org(owner, 'Acme')
    await add_member(org, member, 'member')
    await add_member(org, guest, 'guest')
    base = f'/api/v1/orgs/{org.org_id}'
    as_owner, as_member, as_guest = await token_for(owner), await token_for(member), await token_for(guest)
    for body in ({'first_name': 'André', 'last_name': 'Rossi', 'phones': ['02 1234 5678'],
                  'company_name': 'Rossi Impianti'},
                 {'last_name': 'Barossi', 'emails': ['b@example.com']},
                 {'last_name': 'Rossini', 'visibility': 'private'}):
        response = await client.post(f'{base}/contacts', json=body, headers=as_owner)
        assert response.status_code == 201, response.text
    other = await make_org(member, 'Elsewhere')
    await client.post(f'/api/v1/orgs/{other.org_id}/contacts', json={'last_name': 'Rossi Altrove'},
                      headers=as_member)
    return {'base': base, 'as_owner': as_owner, 'as_member': as_member, 'as_guest': as_guest}


def names(page: dict) -> list[str]:
    return [item.get('name') or f'{item["first_name"]} {item["last_name"]}'.strip() for item in page['items']]


async def test_search_returns_both_kinds_best_first_and_only_what_the_caller_sees(client, acme):
    response = await client.get(f'{acme["base"]}/search', params={'q': 'ROSSI'}, headers=acme['as_member'])
    assert response.status_code == 200, response.text
    found = response.json()
    assert names(found['contacts']) == ['André Rossi', 'Barossi']  # the private Rossini is its creator's
    assert found['contacts']['total'] == 2
    assert found['contacts']['items'][0]['company']['name'] == 'Rossi Impianti'
    assert names(found['companies']) == ['Rossi Impianti'] and found['companies']['total'] == 1
    as_owner = (await client.get(f'{acme["base"]}/search', params={'q': 'ross'}, headers=acme['as_owner'])).json()
    assert names(as_owner['contacts']) == ['André Rossi', 'Rossini', 'Barossi']
    by_phone = (await client.get(f'{acme["base"]}/search', params={'q': '+39 02 1234 5678'},
                                 headers=acme['as_member'])).json()
    assert names(by_phone['contacts']) == ['André Rossi'] and by_phone['companies']['total'] == 0


async def test_search_pages_and_limits(client, acme):
    first = (await client.get(f'{acme["base"]}/search', params={'q': 'ross', 'limit': 1},
                              headers=acme['as_owner'])).json()
    second = (await client.get(f'{acme["base"]}/search', params={'q': 'ross', 'limit': 1, 'offset': 1},
                               headers=acme['as_owner'])).json()
    assert (names(first['contacts']), names(second['contacts'])) == (['André Rossi'], ['Rossini'])
    assert first['contacts']['total'] == second['contacts']['total'] == 3
    empty = (await client.get(f'{acme["base"]}/search', params={'q': ' '}, headers=acme['as_owner'])).json()
    assert (empty['contacts'], empty['companies']) == ({'items': [], 'total': 0}, {'items': [], 'total': 0})
    for params in ({'q': 'x', 'limit': 0}, {'q': 'x', 'limit': 201}, {'q': 'x', 'offset': -1}, {'q': 'x' * 201}):
        assert (await client.get(f'{acme["base"]}/search', params=params, headers=acme['as_owner'])).status_code \
            == 422, params


async def test_guests_strangers_and_anonymous_callers_are_refused(client, acme):
    assert (await client.get(f'{acme["base"]}/search', params={'q': 'rossi'},
                             headers=acme['as_guest'])).status_code == 403
    assert (await client.get(f'{acme["base"]}/search', params={'q': 'rossi'})).status_code == 401
    stranger = await token_for(await make_user(name='Stranger'))
    assert (await client.get(f'{acme["base"]}/search', params={'q': 'rossi'}, headers=stranger)).status_code == 404


async def test_lists_sort_by_relevance(client, acme):
    response = await client.get(f'{acme["base"]}/contacts', params={'q': 'ross', 'sort': 'relevance'},
                                headers=acme['as_owner'])
    assert names(response.json()) == ['André Rossi', 'Rossini', 'Barossi']
    by_name = await client.get(f'{acme["base"]}/contacts', params={'q': 'ross'}, headers=acme['as_owner'])
    assert names(by_name.json()) == ['Barossi', 'André Rossi', 'Rossini']


async def test_the_endpoint_is_in_the_openapi_schema(client, acme):
    schema = (await client.get('/openapi.json')).json()
    assert 'get' in schema['paths']['/api/v1/orgs/{org}/search']
