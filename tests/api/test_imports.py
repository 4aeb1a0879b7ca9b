"""Imports, their report and undo, and exports through the API (documented in the OpenAPI schema)."""
from __future__ import annotations

import csv
import io
import json

from tests.helpers import DATA


def upload(name: str, data: bytes | None = None, content_type: str = 'text/csv') -> dict:
    return {'file': (name, data if data is not None else (DATA / name).read_bytes(), content_type)}


async def test_preview_guesses_the_mapping(client, acme):
    response = await client.post(f'{acme.base}/imports/preview', files=upload('italian_latin1.csv'),
                                 data={'kind': 'contact'}, headers=acme.member.auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body['encoding'], body['delimiter'], body['row_count']) == ('cp1252', ';', 4)
    assert body['headers'][10] == 'Città' and body['rows'][3][0] == 'Niccolò'
    assert body['mapping'][:4] == ['first_name', 'last_name', 'company', 'vat_number']
    assert body['fields']['first_name'] == 'First name'


async def test_the_company_vat_column_through_the_api(client, acme):
    """Issue 14: `company_vat` is a mapping target of the API too (guessed by the preview, listed in `fields`): it
    finds the company by VAT number, and the name finds it whatever its legal form."""
    existing = (await client.post(f'{acme.base}/companies', json={'name': 'Officine Meccaniche Lombarde S.r.l.'},
                                  headers=acme.member.auth)).json()
    data = ('Cognome;Azienda;Company VAT\nBianchi;officine meccaniche lombarde srl;\n'
            'Neri;Nuova SNC;IT00743110157\nGialli;Nuova S.n.c.;IT00743110157\n').encode()
    preview = (await client.post(f'{acme.base}/imports/preview', files=upload('x.csv', data),
                                 headers=acme.member.auth)).json()
    assert preview['mapping'] == ['last_name', 'company', 'company_vat'] and 'company_vat' in preview['fields']
    done = await client.post(f'{acme.base}/imports', files=upload('x.csv', data),
                             data={'mapping': json.dumps(preview['mapping'])}, headers=acme.member.auth)
    assert (done.json()['created'], done.json()['companies_created']) == (3, 1)
    contacts = (await client.get(f'{acme.base}/contacts?sort=name', headers=acme.member.auth)).json()['items']
    companies = {c['last_name']: c['company'] for c in contacts}
    assert companies['Bianchi']['id'] == existing['id']
    assert companies['Neri']['id'] == companies['Gialli']['id'] != existing['id']
    nuova = (await client.get(f'{acme.base}/companies/{companies["Neri"]["id"]}', headers=acme.member.auth)).json()
    assert (nuova['name'], nuova['vat_number']) == ('Nuova SNC', 'IT00743110157')


async def test_import_report_and_undo(client, acme):
    response = await client.post(f'{acme.base}/imports', files=upload('google_contacts.csv'),
                                 data={'kind': 'contact', 'mode': 'create'}, headers=acme.member.auth)
    assert response.status_code == 201, response.text
    batch = response.json()
    assert (batch['status'], batch['created'], batch['skipped'], batch['total']) == ('done', 4, 2, 6)
    report = (await client.get(f'{acme.base}/imports/{batch["id"]}?status=skipped',
                               headers=acme.member.auth)).json()
    assert report['rows_total'] == 2 and [r['row'] for r in report['rows']] == [4, 5]
    assert report['rows'][1]['message'] == 'Last name (column "Last Name"): a contact needs a first or a last name'
    listed = (await client.get(f'{acme.base}/contacts', headers=acme.member.auth)).json()
    assert listed['total'] == 4
    # someone else's import is not theirs to see or undo
    assert (await client.get(f'{acme.base}/imports/{batch["id"]}', headers=acme.owner.auth)).status_code == 404
    assert (await client.post(f'{acme.base}/imports/{batch["id"]}/undo',
                              headers=acme.owner.auth)).status_code == 404
    undone = await client.post(f'{acme.base}/imports/{batch["id"]}/undo', headers=acme.member.auth)
    assert undone.status_code == 200 and undone.json()['status'] == 'undone'
    assert (await client.get(f'{acme.base}/contacts', headers=acme.member.auth)).json()['total'] == 0
    again = await client.post(f'{acme.base}/imports/{batch["id"]}/undo', headers=acme.member.auth)
    assert again.status_code == 409


async def test_explicit_mapping_and_bad_input(client, acme):
    data = b'col a;col b\nRossi;mario@example.com\n'
    ok = await client.post(f'{acme.base}/imports', files=upload('x.csv', data),
                           data={'mapping': json.dumps(['last_name', 'email'])}, headers=acme.member.auth)
    assert ok.status_code == 201 and ok.json()['created'] == 1
    bad = await client.post(f'{acme.base}/imports', files=upload('x.csv', data),
                            data={'mapping': json.dumps(['last_name'])}, headers=acme.member.auth)
    assert bad.status_code == 422 and bad.json()['detail'][0]['field'] == 'mapping'
    empty = await client.post(f'{acme.base}/imports', files=upload('x.csv', b''), headers=acme.member.auth)
    assert empty.status_code == 422 and empty.json()['detail'][0]['field'] == 'file'


async def test_guests_are_refused(client, acme):
    for method, path, kwargs in (('post', '/imports', {'files': upload('google_contacts.csv')}),
                                 ('post', '/imports/preview', {'files': upload('google_contacts.csv')}),
                                 ('post', '/contacts/import.vcf', {'files': upload('x.vcf', b'BEGIN:VCARD')}),
                                 ('get', '/contacts/export.csv', {}), ('get', '/companies/export.csv', {}),
                                 ('get', '/contacts/export.vcf', {})):
        response = await client.request(method.upper(), f'{acme.base}{path}', headers=acme.guest.auth, **kwargs)
        assert response.status_code == 403, (path, response.text)
    assert (await client.get(f'{acme.base}/contacts/export.csv')).status_code == 401


async def test_exports_are_filtered_visible_and_safe(client, acme):
    base = acme.base
    await client.post(f'{base}/companies', json={'name': '=Evil Co', 'sector': 'ICT'}, headers=acme.owner.auth)
    await client.post(f'{base}/contacts', json={'first_name': 'Ada', 'last_name': 'Lovelace', 'type': 'Client',
                                                'company_name': 'Engines'}, headers=acme.owner.auth)
    await client.post(f'{base}/contacts', json={'first_name': 'Charles', 'last_name': 'Babbage', 'type': 'Lead'},
                      headers=acme.owner.auth)
    await client.post(f'{base}/contacts', json={'first_name': 'Private', 'last_name': 'Person',
                                                'visibility': 'private'}, headers=acme.owner.auth)
    response = await client.get(f'{base}/contacts/export.csv', headers=acme.member.auth)
    assert response.status_code == 200 and response.headers['content-type'].startswith('text/csv')
    assert 'attachment' in response.headers['content-disposition']
    rows = list(csv.DictReader(io.StringIO(response.content.decode('utf-8-sig'))))
    assert sorted(r['Last name'] for r in rows) == ['Babbage', 'Lovelace']
    assert next(r for r in rows if r['Last name'] == 'Lovelace')['Company'] == 'Engines'
    only_clients = await client.get(f'{base}/contacts/export.csv?type=Client', headers=acme.member.auth)
    assert [r['Last name'] for r in csv.DictReader(io.StringIO(only_clients.content.decode('utf-8-sig')))] == \
        ['Lovelace']
    searched = await client.get(f'{base}/contacts/export.csv?q=babb', headers=acme.member.auth)
    assert 'Babbage' in searched.text and 'Lovelace' not in searched.text
    companies = await client.get(f'{base}/companies/export.csv', headers=acme.member.auth)
    names = [r['Name'] for r in csv.DictReader(io.StringIO(companies.content.decode('utf-8-sig')))]
    assert sorted(names) == ["'=Evil Co", 'Engines']
    cards = await client.get(f'{base}/contacts/export.vcf?q=lovelace', headers=acme.member.auth)
    assert cards.status_code == 200 and cards.text.count('BEGIN:VCARD') == 1 and 'ORG:Engines' in cards.text

    # and back in, in another organization: the same contacts
    other = await client.post('/api/v1/orgs', json={'name': 'Elsewhere'}, headers=acme.member.auth)
    other_base = f'/api/v1/orgs/{other.json()["id"]}'
    everything = await client.get(f'{base}/contacts/export.vcf', headers=acme.member.auth)
    imported = await client.post(f'{other_base}/contacts/import.vcf',
                                 files=upload('contacts.vcf', everything.content, 'text/vcard'),
                                 headers=acme.member.auth)
    assert imported.status_code == 201 and imported.json()['created'] == 2
    copies = (await client.get(f'{other_base}/contacts', headers=acme.member.auth)).json()['items']
    assert sorted((c['first_name'], c['last_name'], c['type'], (c['company'] or {}).get('name')) for c in copies) == \
        [('Ada', 'Lovelace', 'Client', 'Engines'), ('Charles', 'Babbage', 'Lead', None)]


async def test_a_csv_export_takes_its_separator_and_leaves_phone_numbers_alone(client, acme):
    """Issue 14, "Italian spreadsheets": `separator=semicolon` (documented in the schema); a phone number gets no
    leading quote; an unknown separator is a 422 naming the parameter."""
    await client.post(f'{acme.base}/contacts', json={'first_name': 'Ada', 'last_name': 'Lovelace',
                                                     'phones': ['+39 02 1234 5678']}, headers=acme.owner.auth)
    await client.post(f'{acme.base}/companies', json={'name': 'Engines, Ltd'}, headers=acme.owner.auth)
    response = await client.get(f'{acme.base}/contacts/export.csv?separator=semicolon', headers=acme.owner.auth)
    text = response.content.decode('utf-8-sig')
    assert response.status_code == 200 and text.startswith('First name;Last name;')
    row = next(csv.DictReader(io.StringIO(text), delimiter=';'))
    assert row['Phone 1'] == '+390212345678'
    companies = await client.get(f'{acme.base}/companies/export.csv?separator=tab', headers=acme.owner.auth)
    assert companies.content.decode('utf-8-sig').splitlines()[1].startswith('Engines, Ltd\t')
    plain = await client.get(f'{acme.base}/contacts/export.csv', headers=acme.owner.auth)
    assert plain.content.decode('utf-8-sig').startswith('First name,Last name,')  # a comma unless asked
    refused = await client.get(f'{acme.base}/contacts/export.csv?separator=pipe', headers=acme.owner.auth)
    assert refused.status_code == 422 and 'separator' in refused.text
    schema = (await client.get('/openapi.json')).json()
    for path in ('/api/v1/orgs/{org}/contacts/export.csv', '/api/v1/orgs/{org}/companies/export.csv'):
        parameter = next(p for p in schema['paths'][path]['get']['parameters'] if p['name'] == 'separator')
        assert 'semicolon' in parameter['description']


async def test_openapi_documents_the_endpoints(client, acme):
    schema = (await client.get('/openapi.json')).json()
    paths = schema['paths']
    for path in ('/api/v1/orgs/{org}/imports', '/api/v1/orgs/{org}/imports/preview',
                 '/api/v1/orgs/{org}/imports/{import_id}', '/api/v1/orgs/{org}/imports/{import_id}/undo',
                 '/api/v1/orgs/{org}/contacts/export.csv', '/api/v1/orgs/{org}/companies/export.csv',
                 '/api/v1/orgs/{org}/contacts/export.vcf', '/api/v1/orgs/{org}/contacts/import.vcf'):
        assert path in paths, path
        assert all(operation.get('summary') for operation in paths[path].values())
    assert 'ImportSummary' in schema['components']['schemas']


async def test_an_upload_past_the_import_limit_is_refused(client, acme, monkeypatch):
    from api import imports as api_imports
    monkeypatch.setattr(api_imports, 'MAX_IMPORT_BYTES', 1024 * 1024)
    big = b'Name\n' + b'Ada Lovelace\n' * 200_000  # 2.6 MB
    response = await client.post(f'{acme.base}/imports', files=upload('big.csv', big), headers=acme.member.auth)
    assert response.status_code == 413, response.text
    assert response.json()['detail'].endswith('the upload was stopped')  # before FastAPI spooled it

    async def no_length():  # no Content-Length: counted as it arrives
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        for _ in range(30):
            yield b'x' * 100_000
        yield b'\r\n--b--\r\n'
    streamed = await client.post(f'{acme.base}/imports', content=no_length(),
                                 headers={**acme.member.auth, 'Content-Type': 'multipart/form-data; boundary=b'})
    assert streamed.status_code == 413 and streamed.json()['detail'].endswith('the upload was stopped')
    assert (await client.get(f'{acme.base}/contacts', headers=acme.member.auth)).json()['total'] == 0


async def test_hostile_and_broken_files_get_a_422_naming_the_problem(client, acme):
    base, member = acme.base, acme.member.auth
    odd_utf16 = b'\xff\xfeN\x00a\x00m\x00e\x00\n'
    for path in ('/imports/preview', '/imports'):
        response = await client.post(f'{base}{path}', files=upload('odd.csv', odd_utf16), headers=member)
        assert response.status_code == 422, (path, response.text)
        assert response.json()['detail'][0]['field'] == 'file'
        assert 'UTF-16' in response.json()['detail'][0]['msg']
    columns = b','.join(b'c%d' % n for n in range(1_000_000)) + b'\nAda\n'
    for path in ('/imports/preview', '/imports'):
        response = await client.post(f'{base}{path}', files=upload('wide.csv', columns), headers=member)
        assert response.status_code == 422, (path, response.text)
        assert 'more than 200 columns' in response.json()['detail'][0]['msg']
    endless = b'BEGIN:VCARD\r\n' * 5000
    for path, data in (('/contacts/import.vcf', {}), ('/imports', {'format': 'vcard'})):
        response = await client.post(f'{base}{path}', files=upload('x.vcf', endless, 'text/vcard'), data=data,
                                     headers=member)
        assert response.status_code == 422, (path, response.text)
        assert response.json()['detail'][0]['msg'] == \
            'the vCard on line 1 has no END:VCARD before the next BEGIN:VCARD (line 2)'
    assert (await client.get(f'{base}/contacts', headers=member)).json()['total'] == 0


async def test_a_deeply_nested_mapping_is_a_422(client, acme):
    data = b'Name;Email\nAda;ada@example.com\n'
    response = await client.post(f'{acme.base}/imports', files=upload('x.csv', data),
                                 data={'mapping': '[' * 100_000 + ']' * 100_000}, headers=acme.member.auth)
    assert response.status_code == 422, response.text
    assert response.json()['detail'][0] == {'loc': ['body', 'mapping'], 'field': 'mapping', 'type': 'value_error',
                                            'msg': 'must be a JSON list of field names, not lists within lists'}
    shallow = await client.post(f'{acme.base}/imports', files=upload('x.csv', data),
                                data={'mapping': json.dumps([['full_name'], 'email'])}, headers=acme.member.auth)
    assert shallow.status_code == 422 and shallow.json()['detail'][0]['field'] == 'mapping'


async def test_the_callers_imports_are_listed_newest_first(client, acme):
    base = acme.base
    first = await client.post(f'{base}/imports', files=upload('google_contacts.csv'), headers=acme.member.auth)
    second = await client.post(f'{base}/imports', files=upload('x.csv', b'Name\nAda Lovelace\n'),
                               headers=acme.member.auth)
    listed = await client.get(f'{base}/imports', headers=acme.member.auth)
    assert listed.status_code == 200
    assert [(b['id'], b['status'], b['created']) for b in listed.json()] == \
        [(second.json()['id'], 'done', 1), (first.json()['id'], 'done', 4)]
    assert (await client.get(f'{base}/imports', headers=acme.owner.auth)).json() == []  # only one's own
    assert (await client.get(f'{base}/imports', headers=acme.guest.auth)).status_code == 403
