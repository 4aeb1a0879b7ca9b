"""The visibility table on every API read path: role × public/private × creator/mentioned/neither × organization.

A record is visible to owners and members of its organization when it is public, when they created it,
or when its description mentions them; owners have no bypass; guests see nothing.
"""
from __future__ import annotations

import itertools

import pytest

from models.orgs import service as orgs

CASES = list(itertools.product(('contact', 'company'), ('owner', 'member', 'guest'), ('public', 'private'),
                               ('creator', 'mentioned', 'neither')))


def expected_visible(role: str, visibility: str, relation: str) -> bool:
    return role != 'guest' and (visibility == 'public' or relation in ('creator', 'mentioned'))


@pytest.mark.parametrize('kind, role, visibility, relation', CASES)
async def test_visibility_on_every_api_read_path(client, make_org, kind, role, visibility, relation):
    team = await make_org(owner='Boss', members=['Viewer', 'Writer'], tokens=True)
    base, viewer = team.base, team['viewer']
    as_writer, as_viewer = team['writer'].auth, viewer.auth
    creator = as_viewer if relation == 'creator' else as_writer

    public_company = (await client.post(f'{base}/companies', json={'name': 'Holder Spa'}, headers=as_writer)).json()
    body = {'visibility': visibility,
            'description': f'see {viewer.mention}' if relation == 'mentioned' else 'nothing to see'}
    if kind == 'contact':
        body |= {'last_name': 'Zebedeo', 'company_id': public_company['id']}
    else:
        body |= {'name': 'Zebedeo Srl'}
    created = await client.post(f'{base}/{kind}s' if kind == 'contact' else f'{base}/companies', json=body,
                                headers=creator)
    assert created.status_code == 201, created.text
    record_id = created.json()['id']
    collection = f'{base}/contacts' if kind == 'contact' else f'{base}/companies'

    await orgs.change_role(actor=team.owner.membership, user_id=viewer.id, role=role)
    visible = expected_visible(role, visibility, relation)

    card = await client.get(f'{collection}/{record_id}', headers=as_viewer)
    assert card.status_code == (200 if visible else 404)

    listed = await client.get(collection, headers=as_viewer)
    searched = await client.get(collection, params={'q': 'zebedeo'}, headers=as_viewer)
    if role == 'guest':
        assert listed.status_code == 403 and searched.status_code == 403
    else:
        ids = [item['id'] for item in listed.json()['items']]
        assert (record_id in ids) is visible
        assert listed.json()['total'] == len(ids)
        assert searched.json()['total'] == (1 if visible else 0)
        assert [i['id'] for i in searched.json()['items']] == ([record_id] if visible else [])

    if kind == 'contact':
        of_company = await client.get(f'{base}/companies/{public_company["id"]}/contacts', headers=as_viewer)
        if role == 'guest':
            assert of_company.status_code == 404
        else:
            assert of_company.json()['total'] == (1 if visible else 0)
            assert [i['id'] for i in of_company.json()['items']] == ([record_id] if visible else [])
    else:
        of_company = await client.get(f'{collection}/{record_id}/contacts', headers=as_viewer)
        assert of_company.status_code == (200 if visible else 404)

    # editing follows seeing: a record one cannot see cannot be changed or deleted either
    patched = await client.patch(f'{collection}/{record_id}', json={'version': 1, 'type': ''}, headers=as_viewer)
    assert patched.status_code == (200 if visible else 404)


async def test_another_organization_sees_nothing(client, acme, elsewhere):
    contact = (await client.post(f'{acme.base}/contacts', json={'last_name': 'Rossi'}, headers=acme.owner.auth)).json()
    as_stranger = elsewhere.owner.auth
    assert (await client.get(f'{acme.base}/contacts', headers=as_stranger)).status_code == 404
    assert (await client.get(f'{acme.base}/contacts/{contact["id"]}', headers=as_stranger)).status_code == 404
    # the record's id under the stranger's own organization does not reach it either
    assert (await client.get(f'{elsewhere.base}/contacts/{contact["id"]}', headers=as_stranger)).status_code == 404
    listed = (await client.get(f'{elsewhere.base}/contacts', headers=as_stranger)).json()
    assert listed == {'items': [], 'total': 0, 'total_exact': True, 'next_cursor': None, 'previous_cursor': None}


async def test_a_hidden_company_is_not_revealed_through_a_visible_contact(client, acme):
    base, as_writer, as_owner = acme.base, acme.member.auth, acme.owner.auth
    secret = (await client.post(f'{base}/companies', json={'name': 'Secret Holding', 'visibility': 'private'},
                                headers=as_writer)).json()
    visible = (await client.post(f'{base}/companies', json={'name': 'Open Spa'}, headers=as_writer)).json()
    await client.post(f'{base}/contacts', json={'last_name': 'Alpha', 'company_id': secret['id']}, headers=as_writer)
    await client.post(f'{base}/contacts', json={'last_name': 'Beta', 'company_id': visible['id']}, headers=as_writer)
    listed = (await client.get(f'{base}/contacts', params={'sort': 'company'}, headers=as_owner)).json()
    assert [(c['last_name'], c['company']) for c in listed['items']] == \
        [('Beta', {'id': visible['id'], 'name': 'Open Spa'}), ('Alpha', None)]  # as if without a company: last
    refused = await client.post(f'{base}/contacts', json={'last_name': 'X', 'company_id': secret['id']},
                                headers=as_owner)
    assert refused.status_code == 422


async def test_filtering_by_a_hidden_company_is_like_filtering_by_an_unknown_one(client, acme):
    """The public contacts of a private company the caller cannot see are not listed (nor exported) under its id:
    the answer is the same as for an id that does not exist, so the filter says nothing about the company."""
    base, as_writer, as_owner = acme.base, acme.member.auth, acme.owner.auth
    secret = (await client.post(f'{base}/companies', json={'name': 'Secret Holding', 'visibility': 'private'},
                                headers=as_writer)).json()
    for name in ('Alpha', 'Gamma'):
        created = await client.post(f'{base}/contacts', json={'last_name': name, 'company_id': secret['id']},
                                    headers=as_writer)
        assert created.status_code == 201 and created.json()['visibility'] == 'public'
    unknown = secret['id'] + 1000

    # the writer sees the company: its contacts are listed under its id
    mine = (await client.get(f'{base}/contacts', params={'company_id': secret['id']}, headers=as_writer)).json()
    assert sorted(c['last_name'] for c in mine['items']) == ['Alpha', 'Gamma'] and mine['total'] == 2

    answers = {}
    for company_id in (secret['id'], unknown):
        listed = await client.get(f'{base}/contacts', params={'company_id': company_id}, headers=as_owner)
        csv_export = await client.get(f'{base}/contacts/export.csv', params={'company_id': company_id},
                                      headers=as_owner)
        cards = await client.get(f'{base}/contacts/export.vcf', params={'company_id': company_id}, headers=as_owner)
        answers[company_id] = [(r.status_code, r.text) for r in (listed, csv_export, cards)]
    assert answers[secret['id']] == answers[unknown]
    assert answers[secret['id']][0] == (200, '{"items":[],"total":0,"total_exact":true,"next_cursor":null,'
                                          '"previous_cursor":null}')
    assert 'Alpha' not in answers[secret['id']][1][1] and 'Alpha' not in answers[secret['id']][2][1]
    # the contacts themselves are public: the owner sees them in the unfiltered list, without their company
    everyone = (await client.get(f'{base}/contacts', headers=as_owner)).json()
    assert [(c['last_name'], c['company']) for c in everyone['items']] == [('Alpha', None), ('Gamma', None)]
