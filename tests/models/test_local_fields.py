"""Local fields by country (issue 15): the codice destinatario SDI, the register number (SIREN/SIRET in France) and
the tax code read in the record's country, with EU VAT numbers of any member state accepted everywhere."""
from __future__ import annotations

import pytest

from models.errors import ValidationFailed
from models.labels import field_label, registration_label
from models.records import service as records
from models.records.tables import COMPANY, CONTACT
from models.validation import record_country, registration_number, sdi_code, vat_number
from tests.helpers import VALID_IVA

SIREN, SIRET = '732829320', '73282932000074'  # valid check digits (Luhn)
FR_VAT, DE_VAT = 'FR40303265045', 'DE136695976'


def refusal(validate, value, **options) -> str:
    with pytest.raises(ValidationFailed) as refused:
        validate('field', value, **options)
    return refused.value.errors['field']


@pytest.mark.parametrize('value, kept', [('abc1234', 'ABC1234'), (' ABC 1234 ', 'ABC1234'), ('0000000', '0000000'),
                                         ('', '')])
def test_an_sdi_code_is_seven_letters_or_digits_in_upper_case(value, kept):
    assert sdi_code('sdi_code', value) == kept


@pytest.mark.parametrize('value', ['ABC123', 'ABC12345', 'ABC-123', 'ÀBC1234'])
def test_an_sdi_code_of_another_length_or_with_other_characters_is_refused(value):
    assert refusal(sdi_code, value).startswith('must be exactly 7 letters or digits')


@pytest.mark.parametrize('value, kept', [(SIREN, SIREN), ('732 829 320', SIREN), (SIRET, SIRET),
                                         ('732 829 320 00074', SIRET), ('', '')])
def test_a_french_register_number_is_a_siren_or_a_siret(value, kept):
    assert registration_number('registration_number', value, country='FR') == kept


@pytest.mark.parametrize('value, message', [
    ('732829321', '732829321 is not a valid SIREN ('),  # wrong check digit
    ('73282932000075', '73282932000075 is not a valid SIRET ('),
    ('7328293', 'must be a SIREN (9 digits) or a SIRET (14 digits)'),
    ('RCS Lyon 732829320', 'must be a SIREN (9 digits) or a SIRET (14 digits)'),
])
def test_a_french_register_number_failing_its_checksum_or_shape_is_refused(value, message):
    assert refusal(registration_number, value, country='FR').startswith(message)


def test_elsewhere_a_register_number_is_free_text_of_32_characters():
    assert registration_number('registration_number', ' HRB 86891 ', country='DE') == 'HRB 86891'
    assert registration_number('registration_number', 'MI-1234567', country='IT') == 'MI-1234567'
    assert refusal(registration_number, 'x' * 33, country='IT') == 'must be at most 32 characters'


@pytest.mark.parametrize('value, country, kept', [
    (VALID_IVA, 'IT', VALID_IVA), ('RSSMRA85T10A562S', 'IT', 'RSSMRA85T10A562S'),
    (SIREN, 'FR', SIREN), (SIRET, 'FR', SIRET), ('fr 40 303 265 045', 'FR', FR_VAT),
    ('40303265045', 'FR', '40303265045'),
    ('3023217600053', 'FR', '3023217600053'),  # a person's numéro fiscal
    ('136695976', 'DE', '136695976'), ('DE 136 695 976', 'DE', DE_VAT), ('EL094259216', 'GR', 'EL094259216'),
    ('094259216', 'GR', '094259216'),
    # an EU VAT number of any member state, whatever the country
    (FR_VAT, 'IT', FR_VAT), (DE_VAT, 'FR', DE_VAT), (f'IT{VALID_IVA}', 'DE', f'IT{VALID_IVA}'),
    ('123-45-6789', 'US', '123456789'),  # a country whose tax numbers stdnum does not know: letters and digits
])
def test_a_tax_code_valid_in_its_country_is_kept_compact(value, country, kept):
    assert vat_number('vat_number', value, country=country) == kept


@pytest.mark.parametrize('value, country, message', [
    ('01234567890', 'IT', '01234567890 is not a valid partita IVA ('),
    ('RSSMRA85T10A562X', 'IT', 'RSSMRA85T10A562X is not a valid codice fiscale ('),
    ('ABC123', 'IT', 'must be a partita IVA (11 digits), a codice fiscale (16 characters) or a VAT number with'),
    ('732829321', 'FR', '732829321 is not a valid SIREN ('),
    ('73282932000075', 'FR', '73282932000075 is not a valid SIRET ('),
    ('FR41303265045', 'FR', 'FR41303265045 is not a valid EU VAT number ('),
    ('41303265045', 'FR', '41303265045 is not a valid French VAT number ('),
    # an Italian number needs its prefix in France
    (VALID_IVA, 'FR', f'{VALID_IVA} is not a valid French VAT number ('),
    ('12345', 'FR', 'must be a SIREN (9 digits), a SIRET (14 digits), a French VAT number'),
    ('136695977', 'DE', '136695977 is not a valid VAT number of DE ('),
    ('DE136695977', 'DE', 'DE136695977 is not a valid EU VAT number ('),
    ('DE136695977', 'US', 'DE136695977 is not a valid EU VAT number ('),
])
def test_a_tax_code_invalid_in_its_country_is_refused_saying_why(value, country, message):
    assert refusal(vat_number, value, country=country).startswith(message)


def test_the_record_country_is_its_first_addresss_else_the_organizations():
    assert record_country([], 'IT') == 'IT'
    assert record_country([{'city': 'Berlin', 'country': 'de'}, {'city': 'Paris', 'country': 'FR'}], 'IT') == 'DE'
    # the main address says nowhere: the organization's country, not the second address's
    assert record_country([{'city': 'Milano', 'country': ''}, {'city': 'Berlin', 'country': 'DE'}], 'IT') == 'IT'


def test_the_register_number_is_named_siren_siret_in_france():
    assert (registration_label('FR'), registration_label('IT')) == ('SIREN/SIRET', 'Company registration number')
    assert (field_label('sdi_code'), field_label('registration_number')) == \
        ('SDI recipient code', 'Company registration number')


async def test_a_company_of_a_french_organization_is_checked_as_french_unless_its_address_says_otherwise(make_org):
    lyon = (await make_org('Lyon', country='FR')).owner.membership
    company = await records.create_record(COMPANY, lyon, {'name': 'Michelin', 'registration_number': '732 829 320',
                                                          'vat_number': FR_VAT, 'sdi_code': 'abc1234'})
    assert (company.registration_number, company.vat_number, company.sdi_code) == (SIREN, FR_VAT, 'ABC1234')
    with pytest.raises(ValidationFailed) as refused:
        await records.create_record(COMPANY, lyon, {'name': 'Bad', 'registration_number': '732829321',
                                                    'vat_number': VALID_IVA, 'sdi_code': '123'})
    assert refused.value.errors.keys() == {'registration_number', 'vat_number', 'sdi_code'}
    # an Italian supplier of the French organization: its address's country reads its numbers
    italian = await records.create_record(COMPANY, lyon, {'name': 'Rossi', 'registration_number': 'MI-1234567',
                                                          'vat_number': VALID_IVA,
                                                          'addresses': [{'city': 'Milano', 'country': 'IT'}]})
    assert (italian.registration_number, italian.vat_number) == ('MI-1234567', VALID_IVA)


async def test_a_change_reads_the_numbers_in_the_stored_address_country_and_keeps_an_unchanged_value(make_org):
    acme = (await make_org('Acme', country='IT')).owner.membership
    german = await records.create_record(CONTACT, acme, {'last_name': 'Schmidt', 'vat_number': '136695976',
                                                         'addresses': [{'city': 'Berlin', 'country': 'DE'}]})
    with pytest.raises(ValidationFailed) as refused:
        await records.update_record(CONTACT, acme, german.id, {'vat_number': '136695977'}, german.version)
    assert refused.value.errors['vat_number'].startswith('136695977 is not a valid VAT number of DE')
    # moved to Italy, the German number it holds is not checked again until it changes
    moved = await records.update_record(CONTACT, acme, german.id, {'addresses': [{'city': 'Roma', 'country': 'IT'}],
                                                                   'vat_number': '136695976'}, german.version)
    assert moved.vat_number == '136695976'
