"""A company's local fields on its card (issue 15): the SDI code in an Italian organization, SIREN/SIRET in a French
one; a bad value is named on its field."""
from __future__ import annotations

from nicegui.testing import User

from models.records import service as records
from models.records.tables import COMPANY, Company
from tests.drivers import element, log_in


def fill(user: User, key: str, text: str) -> None:
    user.find(marker=f'field-{key}').clear().type(text)


async def test_an_italian_company_card_names_a_bad_sdi_code_on_its_field_and_saves_a_good_one(user: User, acme):
    await log_in(user, acme.owner, path='/companies/new')
    fill(user, 'name', 'Rossi Srl')
    fill(user, 'sdi_code', 'abc12')
    fill(user, 'registration_number', 'MI-1234567')
    user.find(marker='record-save').click()
    await user.should_see('Please correct the highlighted fields')
    assert element(user, 'field-sdi_code').error.startswith('must be exactly 7 letters or digits')
    assert element(user, 'field-registration_number').error is None
    assert element(user, 'field-registration_number').props['label'] == 'Company registration number'
    assert not await Company.exists()
    fill(user, 'sdi_code', 'abc1234')
    user.find(marker='record-save').click()
    await user.should_see(content='ABC1234', marker='view-sdi_code')
    saved = await Company.get(name='Rossi Srl')
    assert (saved.sdi_code, saved.registration_number) == ('ABC1234', 'MI-1234567')


async def test_a_french_company_card_asks_for_a_siren_or_siret_and_has_no_sdi_code(user: User, make_org):
    lyon = await make_org('Lyon', owner='Fabienne Owner', country='FR')
    await log_in(user, lyon.owner, path='/companies/new')
    fill(user, 'name', 'Michelin')
    assert element(user, 'field-registration_number').props['label'] == 'SIREN/SIRET'
    await user.should_not_see(marker='field-sdi_code')
    fill(user, 'registration_number', '732 829 321')
    user.find(marker='record-save').click()
    await user.should_see('Please correct the highlighted fields')
    assert element(user, 'field-registration_number').error.startswith('732829321 is not a valid SIREN')
    fill(user, 'registration_number', '732 829 320 00074')
    user.find(marker='record-save').click()
    await user.should_see(content='73282932000074', marker='view-registration_number')
    await user.should_not_see(marker='view-sdi_code')


async def test_an_sdi_code_given_through_the_api_shows_on_a_card_outside_italy(user: User, make_org):
    lyon = await make_org('Lyon', owner='Fabienne Owner', country='FR')
    company = await records.create_record(COMPANY, lyon.owner.membership, {
        'name': 'Rossi Srl', 'sdi_code': 'M5UXCR1', 'registration_number': 'MI-1234567',
        'addresses': [{'city': 'Milano', 'country': 'IT'}]})
    await log_in(user, lyon.owner, path=f'/companies/{company.id}')
    await user.should_see(content='M5UXCR1', marker='view-sdi_code')
    await user.should_see(content='MI-1234567', marker='view-registration_number')
