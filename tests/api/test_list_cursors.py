"""Contact and company lists page by cursor over the API (docs/api.md, "Reading lists"): a walk by next_cursor sees
the list by offset, previous_cursor comes back, and a cursor of another sort is a 422 naming the field."""
from __future__ import annotations


async def test_a_walk_by_cursor_over_the_api(client, acme):
    base, auth = acme.base, acme.member.auth
    for n in range(7):
        await client.post(f'{base}/companies', json={'name': f'Company {n % 3} {n}'}, headers=auth)
    params = {'sort': 'updated', 'order': 'desc', 'limit': 3}
    whole = (await client.get(f'{base}/companies', params={**params, 'limit': 50}, headers=auth)).json()
    first = (await client.get(f'{base}/companies', params=params, headers=auth)).json()
    assert first['previous_cursor'] is None and first['total'] == 7
    seen, page = [], first
    while True:
        seen += [c['id'] for c in page['items']]
        if page['next_cursor'] is None:
            break
        page = (await client.get(f'{base}/companies', params={**params, 'cursor': page['next_cursor']},
                                 headers=auth)).json()
    assert seen == [c['id'] for c in whole['items']]
    back = (await client.get(f'{base}/companies', params={**params, 'cursor': page['previous_cursor']},
                             headers=auth)).json()
    assert [c['id'] for c in back['items']] == seen[3:6]
    refused = await client.get(f'{base}/companies', params={'cursor': first['next_cursor']}, headers=auth)
    assert refused.status_code == 422 and 'cursor' in refused.text
    both = await client.get(f'{base}/contacts', params={'cursor': first['next_cursor'], 'offset': 3}, headers=auth)
    assert both.status_code == 422
