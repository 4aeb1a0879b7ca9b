"""The local fields of companies through the API (issue 15): the SDI code, the register number (SIREN/SIRET in
France), the tax code read in the record's country; every refusal a 422 naming its field."""
from __future__ import annotations

import pytest

from tests.helpers import VALID_IVA

SIREN, SIRET = '732829320', '73282932000074'


def failing_fields(response) -> set[str]:
    assert response.status_code == 422, response.text
    return {error['loc'][1] if error['loc'][0] == 'body' else error['loc'][0] for error in response.json()['detail']}


@pytest.fixture
async def lyon(make_org):
    return await make_org('Lyon', owner='Fabienne Owner', country='FR', tokens=True)


@pytest.fixture
async def berlin(make_org):
    return await make_org('Berlin', owner='Dieter Owner', country='DE', tokens=True)


async def test_a_company_keeps_its_sdi_code_and_register_number(client, acme):
    created = await client.post(f'{acme.base}/companies', headers=acme.member.auth, json={
        'name': 'Rossi Srl', 'sdi_code': 'm5uxcr1', 'registration_number': 'MI-1234567', 'vat_number': VALID_IVA})
    assert created.status_code == 201, created.text
    company = created.json()
    assert (company['sdi_code'], company['registration_number']) == ('M5UXCR1', 'MI-1234567')
    read = (await client.get(f'{acme.base}/companies/{company["id"]}', headers=acme.member.auth)).json()
    assert (read['sdi_code'], read['registration_number']) == ('M5UXCR1', 'MI-1234567')
    cleared = await client.patch(f'{acme.base}/companies/{company["id"]}', headers=acme.member.auth,
                                 json={'version': 1, 'sdi_code': None, 'registration_number': ''})
    assert (cleared.json()['sdi_code'], cleared.json()['registration_number']) == ('', '')
    listed = (await client.get(f'{acme.base}/companies', headers=acme.member.auth)).json()['items']
    assert listed[0]['sdi_code'] == ''


@pytest.mark.parametrize('field, value', [('sdi_code', 'ABC123'), ('sdi_code', 'ABCD-123'),
                                          ('registration_number', 'x' * 33)])
async def test_a_bad_sdi_code_or_register_number_is_a_422_naming_it(client, acme, field, value):
    response = await client.post(f'{acme.base}/companies', json={'name': 'Rossi Srl', field: value},
                                 headers=acme.member.auth)
    assert field in failing_fields(response)


async def test_a_contact_has_no_sdi_code(client, acme):
    response = await client.post(f'{acme.base}/contacts', json={'last_name': 'Rossi', 'sdi_code': '0000000'},
                                 headers=acme.member.auth)
    assert 'sdi_code' in failing_fields(response)


@pytest.mark.parametrize('registration, vat', [(SIREN, 'FR40303265045'), (SIRET, SIREN), ('732 829 320 00074', ''),
                                               ('', 'DE136695976')])
async def test_a_french_company_takes_a_siren_or_siret_and_a_french_or_eu_vat_number(client, lyon, registration, vat):
    response = await client.post(f'{lyon.base}/companies', headers=lyon.owner.auth, json={
        'name': 'Michelin', 'registration_number': registration, 'vat_number': vat})
    assert response.status_code == 201, response.text
    assert response.json()['registration_number'] == registration.replace(' ', '')


@pytest.mark.parametrize('field, value', [
    ('registration_number', '732829321'),  # a SIREN with a wrong check digit
    ('registration_number', '73282932000075'),  # a SIRET with a wrong check digit
    ('registration_number', 'RCS Lyon B 732 829 320'),
    ('vat_number', 'FR41303265045'),
    ('vat_number', VALID_IVA),  # an Italian partita IVA without its prefix is not a French number
])
async def test_a_french_company_with_a_bad_number_is_a_422_naming_the_field(client, lyon, field, value):
    response = await client.post(f'{lyon.base}/companies', json={'name': 'Michelin', field: value},
                                 headers=lyon.owner.auth)
    assert failing_fields(response) == {field}


async def test_an_italian_organization_takes_any_register_number_and_a_french_company_by_its_address(client, acme):
    free = await client.post(f'{acme.base}/companies', json={'name': 'Rossi', 'registration_number': '123'},
                             headers=acme.member.auth)
    assert free.status_code == 201, free.text
    body = {'name': 'Michelin', 'registration_number': '732829321', 'addresses': [{'city': 'Lyon', 'country': 'FR'}]}
    refused = await client.post(f'{acme.base}/companies', json=body, headers=acme.member.auth)
    assert failing_fields(refused) == {'registration_number'}


async def test_a_german_organization_checks_german_vat_numbers(client, berlin):
    for vat in ('136695976', 'DE 136 695 976', f'IT{VALID_IVA}'):
        response = await client.post(f'{berlin.base}/contacts', json={'last_name': 'Schmidt', 'vat_number': vat},
                                     headers=berlin.owner.auth)
        assert response.status_code == 201, response.text
    for vat in ('136695977', 'DE136695977', VALID_IVA):
        response = await client.post(f'{berlin.base}/companies', json={'name': 'Schmidt', 'vat_number': vat},
                                     headers=berlin.owner.auth)
        assert failing_fields(response) == {'vat_number'}
