"""Exports (CSV and vCard) hold only what the caller may see, neutralise formulas, and import back as they were."""
from __future__ import annotations

import csv
import io

import pytest
import vobject

from models.records import exports
from models.records import service as records
from models.errors import Forbidden, ValidationFailed
from models.records.tables import COMPANY, CONTACT, Company, Contact
from models.imports.writing import import_file
from tests.helpers import VALID_IVA


async def test_csv_export_only_visible_and_neutralised(acme):
    visible_company = await records.create_record(COMPANY, acme.owner.membership, {'name': 'Open Co'})
    private_company = await records.create_record(COMPANY, acme.owner.membership, {'name': 'Private Co',
                                                                                   'visibility': 'private'})
    await records.create_record(CONTACT, acme.owner.membership, {'first_name': '=cmd|calc', 'last_name': '+Plus',
                                                                 'description': '@SUM(A1)',
                                                                 'company_id': visible_company.id,
                                                                 'phones': ['02 1234 5678']})
    await records.create_record(CONTACT, acme.owner.membership, {'first_name': 'Ugo', 'last_name': 'Works',
                                                                 'company_id': private_company.id})
    await records.create_record(CONTACT, acme.owner.membership, {'first_name': 'Hidden', 'last_name': 'Owner',
                                                                 'visibility': 'private'})
    text = (await exports.collect(exports.export_csv(CONTACT, acme.member.membership))).decode('utf-8')
    assert text.startswith('\ufeff')
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert sorted(r['Last name'] for r in rows) == ["'+Plus", 'Works']
    plus = next(r for r in rows if r['Last name'] == "'+Plus")
    assert (plus['First name'], plus['Notes'], plus['Company'], plus['Phone 1']) == \
        ("'=cmd|calc", "'@SUM(A1)", 'Open Co', '+390212345678')  # a phone number is no formula
    assert next(r for r in rows if r['Last name'] == 'Works')['Company'] == ''  # a company Mario cannot see
    filtered = (await exports.collect(exports.export_csv(CONTACT, acme.member.membership, q='works'))).decode()
    assert 'Works' in filtered and 'Plus' not in filtered
    with pytest.raises(Forbidden):
        await exports.collect(exports.export_csv(CONTACT, acme.guest.membership))


@pytest.mark.parametrize('cell, written', [
    ('+390212345678', '+390212345678'), ('+39 02 1234 5678', '+39 02 1234 5678'), ('-12', '-12'),
    ('+1+cmd|\' /C calc\'!A0', "'+1+cmd|' /C calc'!A0"), ('-2+3', "'-2+3"), ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
    ('@SUM(A1)', "'@SUM(A1)"), ('+', "'+"), ('\tx', "'\tx"), ('Rossi', 'Rossi'), ('', ''),
])
def test_only_what_a_spreadsheet_would_run_is_neutralised(cell, written):
    assert exports.neutralise(cell) == written


async def test_csv_export_with_semicolons_for_italian_spreadsheets(acme):
    """Issue 14, "Italian spreadsheets": the separator is a choice (Excel in Italy or France reads semicolons), a
    cell holding the separator is quoted, and the file imports back."""
    await records.create_record(CONTACT, acme.owner.membership, {'first_name': 'Anna', 'last_name': 'Neri; Bianchi',
                                                                 'phones': ['+39 02 1234 5678'],
                                                                 'emails': ['anna@example.com']})
    piece = exports.open_export(acme.owner.membership, 'contacts.csv', separator='semicolon')
    text = b''.join([chunk async for chunk in piece.chunks]).decode('utf-8-sig')
    assert text.splitlines()[0].startswith('First name;Last name;Company;')
    row = next(csv.DictReader(io.StringIO(text), delimiter=';'))
    assert (row['Last name'], row['Phone 1']) == ('Neri; Bianchi', '+390212345678')
    assert '"Neri; Bianchi"' in text
    tabbed = b''.join([c async for c in exports.open_export(acme.owner.membership, 'contacts.csv',
                                                            separator='tab').chunks]).decode('utf-8-sig')
    assert tabbed.splitlines()[0].startswith('First name\tLast name\t')
    with pytest.raises(ValidationFailed) as refused:
        exports.open_export(acme.owner.membership, 'contacts.csv', separator='|')
    assert 'separator' in refused.value.errors
    assert exports.usual_separator('IT') == 'semicolon' and exports.usual_separator('GB') == 'comma'
    await Contact.all().delete()
    batch = await import_file(acme.owner.membership, kind='contact', data=text.encode('utf-8'), filename='x.csv')
    assert batch.created == 1
    assert (await Contact.get()).phones == ['+390212345678']


async def test_csv_export_then_import_gives_the_same_contacts(acme, elsewhere):
    company = await records.create_record(COMPANY, acme.owner.membership, {'name': 'Müller GmbH'})
    original = await records.create_record(CONTACT, acme.owner.membership, {
        'first_name': 'André', 'last_name': 'Müller', 'emails': ['andre@example.com', 'a@example.org'],
        'pec': 'andre@pec.example.it', 'phones': ['02 1234 5678', '+33 1 42 68 53 00'], 'vat_number': VALID_IVA,
        'addresses': [{'street': 'Via Roma 1', 'city': 'Milano', 'postal_code': '20121', 'province': 'MI',
                       'country': 'IT'}], 'description': '-- not a formula --', 'company_id': company.id,
        'type': 'Client', 'role': 'Marketing Manager'})
    data = await exports.collect(exports.export_csv(CONTACT, acme.owner.membership))
    other = elsewhere.owner.membership
    batch = await import_file(other, kind='contact', data=data)
    assert batch.created == 1
    copy = await Contact.get(org_id=other.org_id).select_related('company')
    for name in ('first_name', 'last_name', 'emails', 'pec', 'phones', 'vat_number', 'addresses', 'description',
                 'type', 'role'):
        assert getattr(copy, name) == getattr(original, name), name
    assert copy.company.name == 'Müller GmbH'


async def test_vcard_export_then_import_gives_the_same_contacts(acme, elsewhere):
    company = await records.create_record(COMPANY, acme.owner.membership, {'name': 'Caffè Napoli'})
    people = [
        {'first_name': 'André', 'last_name': 'Müller; Jr.', 'emails': ['andre@example.com', 'a@example.org'],
         'pec': 'andre@pec.example.it', 'phones': ['02 1234 5678', '+33 1 42 68 53 00'], 'vat_number': VALID_IVA,
         'addresses': [{'street': 'Via Roma 1, Scala B', 'city': 'Milano', 'postal_code': '20121', 'province': 'MI',
                        'country': 'IT'}, {'street': '12 Rue de Rivoli', 'city': 'Paris', 'postal_code': '75001',
                                           'province': '', 'country': 'FR'}],
         'description': 'Line one\nLine two, with commas; and semicolons', 'company_id': company.id,
         'type': 'Client', 'role': 'Marketing Manager', 'visibility': 'private'},
        {'first_name': '', 'last_name': 'Solo', 'emails': [], 'phones': []},
    ]
    originals = [await records.create_record(CONTACT, acme.owner.membership, p) for p in people]
    data = await exports.collect(exports.export_vcards(acme.owner.membership))
    assert data.count(b'BEGIN:VCARD') == 2 and b'VERSION:3.0' in data
    other = elsewhere.owner.membership
    batch = await import_file(other, kind='contact', data=data, file_format='vcard')
    assert (batch.created, batch.skipped) == (2, 0)
    for original in originals:
        copy = await Contact.get(org_id=other.org_id, last_name=original.last_name).select_related('company')
        for name in ('first_name', 'last_name', 'emails', 'pec', 'phones', 'vat_number', 'addresses', 'description',
                     'type', 'role', 'visibility'):
            assert getattr(copy, name) == getattr(original, name), name
        assert (copy.company.name if copy.company else None) == ('Caffè Napoli' if original.company_id else None)


async def test_exports_write_mentions_as_plain_names(acme):
    """The notes say `@Mario Member` (his current name, as the card shows it), never the stored markup."""
    await records.create_record(CONTACT, acme.owner.membership, {
        'first_name': 'Lia', 'last_name': 'Note',
        'description': f'Call with {acme.member.mention} and @[Old Name](user:{acme.owner.id}) about @[x] (user:1)'})
    wanted = 'Call with @Mario Member and @Olga Owner about @[x] (user:1)'
    text = (await exports.collect(exports.export_csv(CONTACT, acme.member.membership))).decode('utf-8')
    assert [row['Notes'] for row in csv.DictReader(io.StringIO(text[1:]))] == [wanted]
    card = (await exports.collect(exports.export_vcards(acme.member.membership))).decode('utf-8')
    assert vobject.readOne(card).note.value == wanted


async def test_an_export_of_a_selection_holds_the_selected_records_the_caller_sees(acme):
    olga, mario = acme.owner.membership, acme.member.membership
    chosen, other = [await records.create_record(CONTACT, olga, {'last_name': n}) for n in ('Chosen', 'Other')]
    hidden = await records.create_record(CONTACT, olga, {'last_name': 'Hidden', 'visibility': 'private'})

    async def names(filename: str, ids) -> str:
        export = exports.open_export(mario, filename, ids=ids)
        return b''.join([piece async for piece in export.chunks]).decode('utf-8')

    text = await names('contacts.csv', [chosen.id, hidden.id, 'not an id'])
    assert 'Chosen' in text and 'Other' not in text and 'Hidden' not in text
    vcards = await names('contacts.vcf', [str(other.id)])
    assert vcards.count('BEGIN:VCARD') == 1 and 'Other' in vcards
    assert 'Other' in await names('contacts.csv', None) and 'Chosen' in await names('contacts.csv', None)
    with pytest.raises(ValidationFailed):
        exports.open_export(mario, 'contacts.csv', ids=list(range(1, 1002)))


@pytest.mark.parametrize('language', ['en', 'it', 'fr'])
async def test_a_companies_csv_keeps_the_sdi_code_and_register_number_in_each_language(acme, elsewhere, language):
    from models import i18n

    i18n.use(language)
    original = await records.create_record(COMPANY, acme.owner.membership, {
        'name': 'Rossi Srl', 'vat_number': VALID_IVA, 'sdi_code': 'M5UXCR1', 'registration_number': 'MI-1234567'})
    data = await exports.collect(exports.export_csv(COMPANY, acme.owner.membership, separator='semicolon'))
    header = next(csv.reader(io.StringIO(data.decode('utf-8-sig')), delimiter=';'))
    assert header[3:5] == {'en': ['SDI recipient code', 'Company registration number'],
                           'it': ['Codice destinatario SDI', 'Numero registro imprese'],
                           'fr': ['Code destinataire SDI', "Numéro d'immatriculation"]}[language]
    batch = await import_file(elsewhere.owner.membership, kind='company', data=data)
    assert batch.created == 1
    copy = await Company.get(org_id=elsewhere.owner.membership.org_id)
    assert (copy.sdi_code, copy.registration_number, copy.vat_number) == \
        (original.sdi_code, original.registration_number, original.vat_number)
