"""Imports (CSV from Google, Outlook and Italian spreadsheets, vCards): mapping, matching and modes, reports and undo,
through models/."""
from __future__ import annotations

import pytest

from models.records import service as records
from models.errors import Conflict, Forbidden, NotFound, ValidationFailed
from models.imports.formats import guess_mapping, read_csv
from models.records.tables import COMPANY, CONTACT, Company, Contact, RecordKey
from models.imports.progress import CHUNK
from models.imports.reports import get_batch, report_rows
from models.imports.tables import ImportBatch
from models.imports.undo import undo_import
from models.imports.writing import import_file
from tests.helpers import DATA, VALID_IVA


async def run(actor, name: str, **options) -> ImportBatch:
    return await import_file(actor, kind=options.pop('kind', 'contact'), data=(DATA / name).read_bytes(),
                                     filename=name, **options)


async def report(actor, batch) -> dict[int, tuple[str, str]]:
    rows, _ = await report_rows(actor, batch.id, limit=500)
    return {r.row: (r.status, r.message) for r in rows}


def contact_by_email(email: str):
    return Contact.filter(keys__kind='email', keys__value=email.lower()).select_related('company').first()


# ---------------------------------------------------------------- the three kinds of file

async def test_google_contacts_export(acme):
    batch = await run(acme.owner.membership, 'google_contacts.csv')
    assert (batch.status, batch.created, batch.skipped, batch.companies_created) == ('done', 4, 2, 2)
    rows = await report(acme.owner.membership, batch)
    assert rows[4][0] == 'skipped'
    assert rows[4][1].startswith('Email 1 (column "E-mail 1 - Value"): is not a valid email')
    assert rows[5] == ('skipped', 'Last name (column "Last Name"): a contact needs a first or a last name')
    andre = await contact_by_email('andre@example.com')
    assert (andre.first_name, andre.last_name, andre.role) == ('André', 'Müller', 'Marketing Manager')
    # Google puts two addresses in one cell with " ::: "
    assert andre.emails == ['andre.muller@example.de', 'andre@example.com', 'a.muller@example.org']
    assert andre.phones == ['+4930901820']
    assert andre.addresses == [{'street': 'Unter den Linden 1', 'city': 'Berlin', 'postal_code': '10117',
                                'province': '', 'country': 'DE'}]
    assert andre.company.name == 'Müller GmbH' and andre.description == 'Met at the fair in Bologna'
    karl = await contact_by_email('karl@example.de')
    assert karl.company_id == andre.company_id  # the company named twice is created once
    chiara = await contact_by_email('chiara.bianchi@example.it')
    assert chiara.phones == ['+393471234567', '+390212345678'] and chiara.company_id is None
    found = await records.list_records(CONTACT, acme.member.membership, q='muller')
    # derived search columns were written: André by his name, Karl through his company, Müller GmbH
    assert [c.last_name for c in found.items] == ['Müller', 'Schmidt']


async def test_outlook_export_with_bom(acme):
    assert (DATA / 'outlook_contacts.csv').read_bytes().startswith(b'\xef\xbb\xbf')
    batch = await run(acme.owner.membership, 'outlook_contacts.csv')
    assert (batch.created, batch.skipped) == (2, 2)
    rows = await report(acme.owner.membership, batch)
    assert rows[3] == ('created', 'Role "Designer" is not in the organization\'s list of roles: left empty')
    assert rows[4][0] == 'skipped'
    assert rows[4][1].startswith('Phone 1 (column "Business Phone"): \'12\' is not a valid phone number')
    assert rows[5] == ('skipped', 'same email luca.verdi@verdi.example as row 2')
    luca = await contact_by_email('luca.verdi@verdi.example')
    assert luca.first_name == 'Luca' and luca.role == 'Chief Executive Officer'  # "Title" (Mr.) is not the role
    assert luca.emails == ['luca.verdi@verdi.example', 'luca@home.example']
    assert luca.phones == ['+390212345678', '+393471234567']
    assert luca.addresses == [
        {'street': 'Via Roma 1, Scala B', 'city': 'Milano', 'postal_code': '20121', 'province': 'MI', 'country': 'IT'},
        {'street': 'Via Garibaldi 7', 'city': 'Monza', 'postal_code': '20900', 'province': '', 'country': 'IT'}]
    assert luca.company.name == 'Verdi & Figli S.r.l.'


async def test_italian_semicolons_latin1(acme):
    parsed = read_csv((DATA / 'italian_latin1.csv').read_bytes())
    assert (parsed.delimiter, parsed.encoding) == (';', 'cp1252')
    assert guess_mapping(parsed.headers, 'contact') == [
        'first_name', 'last_name', 'company', 'vat_number', 'tax_code', 'email', 'pec', 'phone', 'phone',
        'address1.street', 'address1.city', 'address1.postal_code', 'address1.province', 'address1.country',
        'description']
    batch = await run(acme.owner.membership, 'italian_latin1.csv')
    assert (batch.created, batch.skipped, batch.companies_created) == (3, 1, 1)
    rows = await report(acme.owner.membership, batch)
    assert rows[4][0] == 'skipped'
    assert rows[4][1].startswith('VAT number (column "Partita IVA"): 12345678901 is not a valid partita IVA')
    giuseppe = await contact_by_email('g.esposito@caffenapoli.example')
    assert giuseppe.vat_number == VALID_IVA and giuseppe.pec == 'caffenapoli@pec.example.it'
    assert giuseppe.phones == ['+390811234567', '+393477654321']
    assert giuseppe.addresses[0] == {'street': 'Via Toledo 256', 'city': 'Napoli', 'postal_code': '80134',
                                     'province': 'NA', 'country': 'IT'}
    assert giuseppe.company.name == 'Caffè Napoli S.r.l.'
    assert giuseppe.description == 'Cliente storico; preferisce essere chiamato la mattina'
    niccolo = await contact_by_email('n.belle@example.it')
    assert (niccolo.first_name, niccolo.last_name) == ('Niccolò', 'Bellè')
    assert niccolo.company_id == giuseppe.company_id  # "CAFFÈ NAPOLI S.R.L." is the same company, folded
    maria = await contact_by_email('maria.rossi@example.it')
    assert maria.vat_number == 'RSSMRA85T10A562S'  # the codice fiscale when there is no partita IVA
    assert not await Company.filter(name='Ditta Errata').exists()  # a skipped row creates no company


async def test_french_tabs(acme):
    parsed = read_csv((DATA / 'french_tabs.csv').read_bytes())
    assert parsed.delimiter == '\t'
    assert guess_mapping(parsed.headers, 'contact')[:5] == ['first_name', 'last_name', 'company', 'phone', 'email']
    batch = await run(acme.owner.membership, 'french_tabs.csv')
    assert batch.created == 2
    helene = await contact_by_email('helene@boulangerie.example')
    assert helene.company.name == 'Boulangerie Lefèvre' and helene.addresses[0]['country'] == 'FR'


async def test_companies_import_and_headers_in_three_languages(acme):
    text = 'Ragione sociale;Partita IVA;Settore;Telefono;Email\nRossi Impianti;IT00743110157;ICT;02 1234 5678;' \
           'info@rossi.example\nSenza Nome Errata;IT123;;;\n'
    assert guess_mapping(['Société', 'TVA', 'Secteur'], 'company') == ['name', 'vat_number', 'sector']
    assert guess_mapping(['Company', 'VAT number', 'Industry'], 'company') == ['name', 'vat_number', 'sector']
    batch = await import_file(acme.owner.membership, kind='company', data=text.encode('utf-8'),
                                      filename='c.csv')
    assert (batch.created, batch.skipped) == (1, 1)
    company = await Company.get(name='Rossi Impianti')
    assert (company.vat_number, company.sector, company.emails) == (f'IT{VALID_IVA}', 'ICT', ['info@rossi.example'])


async def test_bad_rows_never_stop_the_good_ones(acme):
    lines = ['First name,Last name,Email,Phone'] + \
        [f'Name{n},Surname{n},p{n}@example.com,02 1234 {n:04d}' for n in range(1, 2501)]
    lines[500] = 'Broken,Row,not an email,02 1234 9999'
    lines[1500] = 'Also,Broken,ok1500@example.com,12'
    lines.append(',,,')  # blank lines are not rows
    batch = await import_file(acme.owner.membership, kind='contact', data='\n'.join(lines).encode(),
                                      filename='x.csv')
    assert (batch.created, batch.skipped, batch.total) == (2498, 2, 2500)
    assert await Contact.filter(org_id=acme.owner.membership.org_id).count() == 2498
    assert await RecordKey.filter(kind='email').count() == 2498
    skipped, total = await report_rows(acme.owner.membership, batch.id, status='skipped')
    assert total == 2 and [r.row for r in skipped] == [501, 1501]


async def test_progress_is_reported(acme):
    lines = ['Nome,Cognome'] + [f'N{n},C{n}' for n in range(2500)]
    seen = []
    await import_file(acme.owner.membership, kind='contact', data='\n'.join(lines).encode(),
                              progress=lambda step, done, total: seen.append((step, done, total)))
    assert seen[-1] == ('done', 2500, 2500) and ('checking', 1000, 2500) in seen and ('writing', 2000, 2500) in seen


# ---------------------------------------------------------------- matching and modes

async def test_update_matches_by_email_then_vat_and_undo_restores(acme):
    by_email = await records.create_record(CONTACT, acme.owner.membership, {
        'first_name': 'Anna', 'last_name': 'Old', 'emails': ['anna@example.com'], 'phones': ['02 1234 5678']})
    by_vat = await records.create_record(CONTACT, acme.owner.membership, {
        'first_name': 'Vito', 'last_name': 'Vat', 'vat_number': VALID_IVA, 'emails': ['vito@old.example']})
    untouched = await records.create_record(CONTACT, acme.owner.membership, {'first_name': 'Una',
                                                                             'last_name': 'Touched'})
    text = ('Nome,Cognome,Email,Telefono,Partita IVA,Azienda\n'
            'Anna,New,ANNA@example.com,347 123 4567,,Nuova Srl\n'
            'Vito,Vat,vito@new.example,,00743110157,\n'
            'Nuovo,Contatto,nuovo@example.com,,,Nuova Srl\n')
    create_only = await import_file(acme.owner.membership, kind='contact', data=text.encode(), mode='create')
    assert (create_only.created, create_only.updated, create_only.skipped) == (1, 0, 2)
    rows = await report(acme.owner.membership, create_only)
    assert rows[2] == ('skipped', f'already exists: contact #{by_email.id} has the same email anna@example.com')
    assert rows[3] == ('skipped', f'already exists: contact #{by_vat.id} has the same VAT number {VALID_IVA}')
    await undo_import(acme.owner.membership, create_only.id)

    batch = await import_file(acme.owner.membership, kind='contact', data=text.encode(), mode='update')
    assert (batch.created, batch.updated, batch.skipped, batch.companies_created) == (1, 2, 0, 1)
    anna = await Contact.get(id=by_email.id).select_related('company')
    assert anna.last_name == 'New' and anna.phones == ['+390212345678', '+393471234567']
    assert anna.company.name == 'Nuova Srl' and anna.version == 2
    vito = await Contact.get(id=by_vat.id)
    assert vito.emails == ['vito@old.example', 'vito@new.example']  # added, never removed
    assert await RecordKey.filter(contact_id=vito.id, kind='email', value='vito@new.example').exists()
    assert (await Contact.get(id=untouched.id)).version == 1

    await undo_import(acme.owner.membership, batch.id)
    anna = await Contact.get(id=by_email.id)
    assert (anna.last_name, anna.phones, anna.company_id) == ('Old', ['+390212345678'], None)
    assert (await Contact.get(id=by_vat.id)).emails == ['vito@old.example']
    assert not await RecordKey.filter(value='vito@new.example').exists()
    assert not await Contact.filter(last_name='Contatto').exists()
    assert not await Company.filter(name='Nuova Srl').exists()  # created by the import, unused again
    assert (await records.list_records(CONTACT, acme.owner.membership,
                                       q='anna old')).total == 1  # search columns restored
    with pytest.raises(Conflict, match='already undone'):
        await undo_import(acme.owner.membership, batch.id)


async def test_undo_refused_when_a_record_changed_since(acme):
    batch = await import_file(acme.owner.membership, kind='contact',
                                      data=b'Name,Email\nAda Lovelace,ada@example.com\n')
    ada = await Contact.get(last_name='Lovelace')
    await records.update_record(CONTACT, acme.member.membership, ada.id, {'first_name': 'Augusta Ada'}, ada.version)
    with pytest.raises(Conflict, match="^1 record was changed, or got files or connections, after this import "
                                       r"\(Augusta Ada Lovelace\)"):
        await undo_import(acme.owner.membership, batch.id)
    assert await Contact.filter(id=ada.id).exists()
    assert (await get_batch(acme.owner.membership, batch.id)).status == 'done'


async def test_undo_keeps_a_company_the_import_created_if_used_since(acme):
    batch = await import_file(acme.owner.membership, kind='contact',
                                      data=b'Name,Company\nAda Lovelace,Engines Ltd\n')
    engines = await Company.get(name='Engines Ltd')
    await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Babbage', 'company_id': engines.id})
    await undo_import(acme.owner.membership, batch.id)
    assert not await Contact.filter(last_name='Lovelace').exists()
    assert await Company.filter(id=engines.id).exists()


async def test_matching_only_sees_what_the_importer_may_see(acme):
    hidden = await records.create_record(CONTACT, acme.member.membership, {
        'first_name': 'Secret', 'last_name': 'Person', 'emails': ['secret@example.com'], 'visibility': 'private'})
    hidden_company = await records.create_record(COMPANY, acme.member.membership, {'name': 'Hidden Co',
                                                                                   'visibility': 'private'})
    batch = await import_file(acme.owner.membership, kind='contact', mode='update',
                                      data=b'Name,Email,Company\nNot Secret,secret@example.com,Hidden Co\n')
    assert (batch.created, batch.updated) == (1, 0)
    assert (await Contact.get(id=hidden.id)).first_name == 'Secret'  # never touched
    new = await Contact.get(last_name='Secret', first_name='Not')
    assert new.company_id != hidden_company.id


async def test_guests_and_strangers_cannot_import_or_see_reports(acme):
    with pytest.raises(Forbidden):
        await import_file(acme.guest.membership, kind='contact', data=b'Name\nAda\n')
    batch = await import_file(acme.owner.membership, kind='contact', data=b'Name\nAda Lovelace\n')
    with pytest.raises(NotFound):
        await get_batch(acme.member.membership, batch.id)  # another member's import does not exist for them
    with pytest.raises(NotFound):
        await undo_import(acme.member.membership, batch.id)


async def test_files_that_are_not_csv(acme):
    with pytest.raises(ValidationFailed, match='empty'):
        await import_file(acme.owner.membership, kind='contact', data=b'')
    with pytest.raises(ValidationFailed) as e:
        await import_file(acme.owner.membership, kind='contact', data=b'Name\nAda\n', mapping=['nonsense'])
    assert 'mapping' in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        await import_file(acme.owner.membership, kind='contact', data=b'Name\nAda\n', mode='overwrite')
    assert 'mode' in e.value.errors
    batch = await import_file(acme.owner.membership, kind='contact',
                                      data=b'Name,Email\nAda,a@example.com,extra,cells\n')
    assert batch.skipped == 1


async def test_vcard_4_and_a_broken_card(acme):
    text = ('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jane Doe\r\nN:Doe;Jane;;;\r\nORG:Example Inc.\r\n'
            'TITLE:Chief Executive Officer\r\nEMAIL;TYPE=work:jane@example.com\r\n'
            'TEL;VALUE=uri;TYPE="voice,cell":tel:+33-1-42-68-53-00\r\n'
            'ADR;TYPE=work:;;12 Rue de Rivoli;Paris;;75001;France\r\nNOTE:Met in Paris\r\nEND:VCARD\r\n'
            'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No Email\r\nEMAIL:not-an-address\r\nEND:VCARD\r\n'
            'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Only Full Name\r\nTITLE:Astronaut\r\nEND:VCARD\r\n')
    batch = await import_file(acme.owner.membership, kind='contact', data=text.encode(), file_format='vcard')
    assert (batch.created, batch.skipped) == (2, 1)
    jane = await Contact.get(last_name='Doe').select_related('company')
    assert (jane.first_name, jane.emails, jane.phones, jane.role) == ('Jane', ['jane@example.com'],
                                                                      ['+33142685300'], 'Chief Executive Officer')
    assert jane.addresses == [{'street': '12 Rue de Rivoli', 'city': 'Paris', 'postal_code': '75001',
                               'province': '', 'country': 'FR'}]
    assert jane.company.name == 'Example Inc.' and jane.description == 'Met in Paris'
    only = await Contact.get(last_name='Name')
    assert (only.first_name, only.role) == ('Only Full', '')  # a title not in the list of roles is left out
    rows = await report(acme.owner.membership, batch)
    assert rows[2][0] == 'skipped' and rows[2][1].startswith('Email 1: ')


async def test_a_failure_half_way_leaves_nothing_behind(acme):
    """The database refuses a row of the third chunk (a trigger stands in for a disk or constraint failure):
    the two chunks already written are taken back, and the batch says so."""
    from tortoise import connections

    from models.db import is_postgres
    connection = connections.get('default')
    if is_postgres():
        await connection.execute_script(
            "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW.last_name = 'Boom' THEN "
            "RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql; "
            'CREATE TRIGGER boom BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION boom();')
    else:
        await connection.execute_script("CREATE TRIGGER boom BEFORE INSERT ON contacts WHEN NEW.last_name = 'Boom' "
                                        "BEGIN SELECT RAISE(ABORT, 'boom'); END;")
    try:
        lines = ['Nome,Cognome,Azienda'] + [f'N{n},C{n},Ditta {n % 3}' for n in range(2500)]
        lines[2200] = 'Big,Boom,Ditta 0'
        before = await Contact.all().count()
        with pytest.raises(Exception, match='boom'):
            await import_file(acme.owner.membership, kind='contact', data='\n'.join(lines).encode())
        assert await Contact.all().count() == before
        assert not await Company.exists() and not await RecordKey.exists()
        batch = await ImportBatch.get()
        assert batch.status == 'failed' and 'rolled back' in batch.message
    finally:
        await connection.execute_script('DROP TRIGGER boom ON contacts; DROP FUNCTION boom();' if is_postgres()
                                        else 'DROP TRIGGER boom;')


async def test_an_update_does_not_change_visibility_of_someone_elses_record(acme):
    theirs = await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Public',
                                                                           'emails': ['p@example.com']})
    batch = await import_file(acme.owner.membership, kind='contact', mode='update',
                                      data=b'Cognome,Email,Visibility,Ruolo\nPublic,p@example.com,private,CEO\n')
    assert batch.updated == 1
    assert (await Contact.get(id=theirs.id)).visibility == 'public'
    rows = await report(acme.owner.membership, batch)
    assert 'only the person who created the record' in rows[2][1]
    assert 'Role "CEO" is not in the organization\'s list of roles' in rows[2][1]


async def test_undo_refused_when_a_created_record_got_a_connection(acme):
    from models.work import connections
    from models.work import service as work
    from models.work.tables import WORK_KINDS
    batch = await import_file(acme.owner.membership, kind='contact', data=b'Name\nAda Lovelace\n')
    ada = await Contact.get(last_name='Lovelace')
    task = await work.create_item(WORK_KINDS['task'], acme.member.membership, {'title': 'Call Ada'})
    await connections.link(acme.member.membership, {'contact_id': ada.id, 'task_id': task.id})
    with pytest.raises(Conflict, match='Lovelace'):
        await undo_import(acme.owner.membership, batch.id)
    assert await Contact.filter(id=ada.id).exists()


async def test_every_imported_chunk_is_in_the_search_index_and_later_saves_are_too(acme):
    """Imports index each chunk in one statement (SQLite); nothing may be left out, and the normal per-row
    indexing of later saves must be back on afterwards."""
    lines = ['Nome,Cognome,Email'] + [f'Nome{n},Zanardi{n},z{n}@example.com' for n in range(CHUNK + 5)]
    batch = await import_file(acme.owner.membership, kind='contact', data='\n'.join(lines).encode())
    assert batch.created == CHUNK + 5
    assert (await records.list_records(CONTACT, acme.member.membership, q='zanardi')).total == CHUNK + 5
    for n in (0, CHUNK - 1, CHUNK + 4):  # first and last of each chunk
        found = await records.list_records(CONTACT, acme.member.membership, q=f'z{n}@example.com')
        assert [c.last_name for c in found.items] == [f'Zanardi{n}']
    await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Quintavalle'})
    assert (await records.list_records(CONTACT, acme.member.membership, q='quintavalle')).total == 1


async def test_local_fields_are_guessed_from_headers_in_three_languages(acme):
    assert guess_mapping(['Ragione sociale', 'Codice destinatario', 'REA', 'P.IVA'], 'company') == \
        ['name', 'sdi_code', 'registration_number', 'vat_number']
    assert guess_mapping(['Raison sociale', 'SIRET', 'TVA intracommunautaire'], 'company') == \
        ['name', 'registration_number', 'vat_number']
    assert guess_mapping(['Company', 'SDI code', 'Company number'], 'company') == \
        ['name', 'sdi_code', 'registration_number']
    # a person's SIREN (a sole trader's) is their tax code; a contact has no SDI code
    assert guess_mapping(['Nom', 'SIREN', 'Codice SDI'], 'contact') == ['last_name', 'tax_code', '']


async def test_a_bad_sdi_code_or_siret_skips_the_row_naming_field_and_column(make_org):
    lyon = (await make_org('Lyon', country='FR')).owner.membership
    text = 'Raison sociale;SIRET;Code SDI\nMichelin;73282932000074;\nErrata;73282932000075;\nRossi;;ABC12\n'
    batch = await import_file(lyon, kind='company', data=text.encode('utf-8'), filename='c.csv')
    assert (batch.created, batch.skipped) == (1, 2)
    rows = await report(lyon, batch)
    assert rows[3][1].startswith('Company registration number (column "SIRET"): 73282932000075 is not a valid SIRET')
    assert rows[4][1].startswith('SDI recipient code (column "Code SDI"): must be exactly 7 letters or digits')
    assert (await Company.get(name='Michelin')).registration_number == '73282932000074'
