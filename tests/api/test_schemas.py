"""Bad input is a 4xx naming the problem, never a 500: ids past the database's range (in the API's schemas, and the
same ids from the pages through models/), JSON with NaN or a lone surrogate, bodies that are not UTF-8.
(Malformed multipart uploads: test_uploads.py.)"""
from __future__ import annotations

import re

import pytest

from models import access
from models.work import connections
from models.records import copy as copying, exports
from models.records import service as records
from models.work import service as work
from models.access import MAX_ID
from models.errors import NotFound, ValidationFailed
from models.records.tables import COMPANY, CONTACT
from models.work.tables import TASK
from tests.drivers import log_in

HUGE = [2 ** 31, 2 ** 63, 2 ** 64 + 1]  # past PostgreSQL's INTEGER; past SQLite's too; past 64 bits


# ---------------------------------------------------------------- ids past the database's range

async def test_every_id_limit_and_offset_in_a_path_or_query_is_bounded(client, acme, rossi):
    """Each integer parameter of each operation, set past the database's range, is a 422 naming it."""
    schema = (await client.get('/openapi.json')).json()
    wrong = []
    checked = 0
    for template, operations in schema['paths'].items():
        for method, operation in operations.items():
            integers = [p for p in operation.get('parameters', [])
                        if 'integer' in re.findall(r"'type': '(\w+)'", str(p['schema']))]
            for parameter in integers:
                for huge in HUGE:
                    values = {'org': acme.id, 'kinds': 'contacts', parameter['name']: huge}
                    path = re.sub(r'\{(\w+)\}', lambda m: str(values.get(m[1], rossi['id'])), template)
                    query = {parameter['name']: huge} if parameter['in'] == 'query' else {}
                    if 'keep_id' in str(operation.get('parameters')) and parameter['in'] == 'query':
                        query = {'keep_id': 1, 'other_id': 1, **query}
                    response = await client.request(method.upper(), path, params=query, headers=acme.owner.auth)
                    checked += 1
                    if response.status_code != 422 or parameter['name'] not in response.text:
                        wrong.append(f'{method.upper()} {template} {parameter["name"]}={huge}: '
                                     f'{response.status_code} {response.text[:100]}')
    assert checked > 100
    assert not wrong, '\n'.join(wrong)


async def test_the_export_with_a_huge_company_id_is_a_422_before_it_starts(client, acme, rossi):
    for path in ('contacts/export.csv', 'contacts/export.vcf'):
        response = await client.get(f'{acme.base}/{path}', params={'company_id': 2 ** 64},
                                    headers=acme.owner.auth)
        assert response.status_code == 422 and response.json()['detail'][0]['loc'] == ['query', 'company_id']


@pytest.mark.parametrize('huge', HUGE)
async def test_ids_in_bodies_are_bounded(client, acme, rossi, huge):
    base, auth, contact = acme.base, acme.owner.auth, rossi
    task = (await client.post(f'{base}/tasks', json={'title': 'Call'}, headers=auth)).json()
    for method, path, body, field in (
            ('POST', 'contacts', {'last_name': 'Verdi', 'company_id': huge}, ['company_id']),
            ('PATCH', f'contacts/{contact["id"]}', {'last_name': 'Verdi', 'version': huge}, ['version']),
            ('POST', 'tasks', {'title': 'Call', 'assignee_id': huge}, ['assignee_id']),
            ('POST', 'tasks', {'title': 'Call', 'project_id': huge}, ['project_id']),
            ('PATCH', f'tasks/{task["id"]}', {'version': huge}, ['version']),
            ('POST', 'projects', {'name': 'Web', 'owner_id': huge}, ['owner_id']),
            ('POST', 'connections', {'contact_id': huge, 'task_id': task['id']}, ['contact_id']),
            ('POST', 'copy', {'target_org_id': huge}, ['target_org_id']),
            ('POST', 'copy', {'target_org_id': acme.id, 'contact_ids': [contact['id'], huge]}, ['contact_ids', 1]),
            ('POST', 'contacts/merge', {'keep_id': huge, 'other_id': contact['id']}, ['keep_id']),
            ('POST', 'contacts/merge', {'keep_id': contact['id'], 'other_id': 1, 'versions': {'keep': huge}},
             ['versions', 'keep'])):
        response = await client.request(method, f'{base}/{path}', json=body, headers=auth)
        assert response.status_code == 422, (method, path, response.status_code, response.text[:200])
        assert any(error['loc'][1:] == field for error in response.json()['detail']), (path, response.text)
    assert (await client.get(f'{base}/contacts', headers=auth)).json()['total'] == 1


@pytest.mark.parametrize('huge', HUGE)
async def test_ids_from_the_pages_past_the_range_are_not_found(make_org, huge):
    """The pages pass ids from their URLs to models/ as they are: the data layer treats one past the database's
    range as no record, and an offset past it as a bad offset, instead of failing in the database."""
    team = await make_org()
    owner, actor = team.owner.user, team.owner.membership
    elsewhere = await make_org('Elsewhere', owner=team.owner)
    assert access.is_id(MAX_ID) and not access.is_id(huge) and not access.is_id(True) and not access.is_id(0)
    # an id in a page's address is read by the same rule; digits of other scripts, signs and spaces name no row
    assert access.parse_id(str(MAX_ID)) == MAX_ID and access.parse_id('42') == 42
    assert [access.parse_id(text) for text in (str(huge), '0', '', '+1', ' 1', '1_0', '²', '١', 'abc')] == [None] * 9
    with pytest.raises(NotFound):
        await access.membership(owner, huge)
    for call in (lambda: records.get_record(CONTACT, actor, huge), lambda: work.get_item(TASK, actor, huge),
                 lambda: connections.get_connection(actor, huge),
                 lambda: records.company_contacts(actor, huge)):
        with pytest.raises(NotFound):
            await call()
    for call in (lambda: records.list_records(CONTACT, actor, offset=huge),
                 lambda: work.list_items(TASK, actor, offset=huge),
                 lambda: work.list_items(TASK, actor, person_id=huge),
                 lambda: records.create_record(CONTACT, actor, {'last_name': 'Verdi', 'company_id': huge}),
                 lambda: connections.link(actor, {'contact_id': huge, 'task_id': 1}),
                 lambda: copying.copy_records(actor=actor, target_org_id=elsewhere.id, contact_ids=[huge])):
        with pytest.raises(ValidationFailed):
            await call()
    # the list pages' CSV export passes a company filter from the URL
    await records.create_record(COMPANY, actor, {'name': 'Rossi SpA'})
    rows = [piece async for piece in exports.export_csv(CONTACT, actor, company_id=huge)]
    assert len(''.join(rows).splitlines()) == 1  # the header only


async def test_a_page_with_a_huge_id_says_not_found(user, client, make_org):
    team = await make_org()
    await log_in(user, team.owner)
    await user.open(f'/tasks/{2 ** 63}')
    await user.should_see(marker='no-access')
    for path in (f'/files/{2 ** 63}/1', f'/exports/{2 ** 63}/contacts.csv'):
        assert (await user.http_client.get(path)).status_code == 404


# ---------------------------------------------------------------- JSON that Python reads and the database cannot keep

@pytest.mark.parametrize(('raw', 'problem'), [
    (b'{"last_name": NaN}', 'NaN is not a JSON value'),
    (b'{"last_name": Infinity}', 'Infinity is not a JSON value'),
    (b'{"last_name": "Rossi", "version": -Infinity}', '-Infinity is not a JSON value'),
    (b'{"last_name": 1e999}', 'the number 1e999 is too large'),
    (b'{"last_name": "\\ud800"}', 'lone UTF-16 surrogate'),
    (b'{"last_name": "Rossi", "emails": ["a\\udfff@example.com"]}', 'lone UTF-16 surrogate'),
    (b'{"\\ud83d": "Rossi"}', 'lone UTF-16 surrogate'),
    (b'{"last_name": "Ro\xffssi"}', 'the body is not UTF-8 text'),
    (b'{"last_name": ' + b'1' * 5000 + b'}', 'Exceeds the limit (4300 digits)'),
    (b'[' * 100_000 + b']' * 100_000, 'the JSON is nested too deeply'),
])
async def test_json_that_cannot_be_kept_is_a_422_naming_the_problem(client, acme, rossi, raw, problem):
    response = await client.post(f'{acme.base}/contacts', content=raw,
                                 headers={**acme.owner.auth, 'Content-Type': 'application/json'})
    assert response.status_code == 422, response.text[:300]
    [error] = response.json()['detail']
    assert error['type'] == 'json_invalid' and problem in error['msg'], error
    assert (await client.get(f'{acme.base}/contacts', headers=acme.owner.auth)).json()['total'] == 1


async def test_a_paired_surrogate_escape_is_text(client, acme, rossi):
    response = await client.post(f'{acme.base}/contacts', content=b'{"last_name": "Rossi \\ud83d\\ude00"}',
                                 headers={**acme.owner.auth, 'Content-Type': 'application/json'})
    assert response.status_code == 201 and response.json()['last_name'] == 'Rossi \U0001f600'


@pytest.mark.parametrize('content_type', ['text/plain', 'application/octet-stream', None])
async def test_a_body_that_is_not_json_nor_utf8_is_a_422(client, acme, rossi, content_type):
    headers = {**acme.owner.auth, **({'Content-Type': content_type} if content_type else {})}
    for path in ('/api/v1/tokens', f'{acme.base}/contacts'):
        response = await client.post(path, content=b'\xff\xfe\x00{"last_name": "\xe9"}', headers=headers)
        assert response.status_code == 422, (path, response.text[:300])
        assert len(response.content) < 1000


async def test_the_link_body_of_an_attachment_is_read_strictly(client, acme, rossi):
    path = f'{acme.base}/contacts/{rossi["id"]}/attachments'
    for raw in (b'{"source": "dropbox", "file_id": NaN}', b'{"source": "dropbox", "file_id": "\\udc00"}'):
        response = await client.post(path, content=raw, headers={**acme.owner.auth, 'Content-Type': 'application/json'})
        assert response.status_code == 422 and response.json()['detail'][0]['type'] == 'json_invalid'
