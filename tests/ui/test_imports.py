"""The import page and the list pages' export buttons (NiceGUI's simulated user); and a real browser that uploads
an Outlook export, runs it with the progress bar, and downloads the list's CSV with its session."""
from __future__ import annotations

import asyncio
import csv
import io

import httpx
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from selenium.webdriver.common.by import By

from models.orgs import service as orgs
from models.records import service as records
from models.imports.tables import ImportBatch
from models.records.tables import COMPANY, CONTACT, Company, Contact
from tests.drivers import browser_log_in, choose, element, log_in
from tests.helpers import DATA, VALID_IVA
from tests.ui.browser import sign_up_with_org


WAIT = 100


async def upload(user: User, name: str, content_type: str = 'text/csv', data: bytes | None = None) -> None:
    await element(user, 'import-upload').handle_uploads(
        [SmallFileUpload(name, content_type, data if data is not None else (DATA / name).read_bytes())])


async def test_upload_map_run_report_and_undo(user: User, acme):
    await log_in(user, acme.owner, path='/contacts')
    user.find(marker='list-import').click()
    await user.should_see(marker='import-upload', retries=WAIT)
    await upload(user, 'italian_latin1.csv')
    await user.should_see('4 rows, semicolon-separated, read as cp1252', marker='import-summary', retries=WAIT)
    await user.should_see('Città', marker='import-header-10')
    assert element(user, 'import-map-0').value == 'first_name'
    assert element(user, 'import-map-2').value == 'company'
    choose(user, 'import-map-14', '— ignore —')  # the notes stay out
    user.find(marker='import-run').click()
    await user.should_see('3 created, 0 updated, 1 skipped; 1 new company', marker='import-report-summary',
                          retries=WAIT)
    rows = {r['row']: r for r in element(user, 'import-report').rows}
    assert rows[4]['status'] == 'skipped'
    assert rows[4]['message'].startswith('VAT number (column "Partita IVA"): 12345678901 is not a valid partita IVA')
    assert (rows[2]['status'], rows[2]['name']) == ('created', 'Giuseppe Esposito')
    giuseppe = await Contact.get(last_name='Esposito')
    assert giuseppe.description == ''  # the column mapped to nothing was left out

    choose(user, 'import-report-filter', 'Skipped')
    for _ in range(50):
        if len(element(user, 'import-report').rows) == 1:
            break
        await asyncio.sleep(0.1)
    assert [r['row'] for r in element(user, 'import-report').rows] == [4]

    user.find(marker='import-undo').click()
    user.find(marker='import-undo-confirm').click()
    await user.should_see('This import was undone', marker='import-state', retries=WAIT)
    assert not await Contact.filter(org_id=acme.id).exists()

    batch = await ImportBatch.get()
    await user.open(f'/import?batch={batch.id}')  # the report stays available from "recent imports"
    await user.should_see('3 created', marker='import-report-summary', retries=WAIT)
    await user.should_not_see(marker='import-undo')


async def test_update_mode_and_a_vcard(user: User, acme):
    existing = await records.create_record(CONTACT, acme.owner.membership, {'first_name': 'Jane', 'last_name': 'Old',
                                                                            'emails': ['jane@example.com']})
    await log_in(user, acme.owner, path='/import')
    vcard = ('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jane Doe\r\nN:Doe;Jane;;;\r\nEMAIL:jane@example.com\r\n'
             'END:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nN:New;Ned;;;\r\nFN:Ned New\r\nEND:VCARD\r\n')
    await upload(user, 'people.vcf', 'text/vcard', vcard.encode())
    await user.should_see('2 vCards', marker='import-summary', retries=WAIT)
    element(user, 'import-mode').set_value('update')
    user.find(marker='import-run').click()
    await user.should_see('1 created, 1 updated, 0 skipped', marker='import-report-summary', retries=WAIT)
    assert (await Contact.get(id=existing.id)).last_name == 'Doe'


async def test_a_company_written_another_way_is_the_existing_one(user: User, acme):
    """Issue 14, broken 2: "officine meccaniche lombarde srl" in a file is the existing "Officine Meccaniche Lombarde
    S.r.l.": the contact is linked to it and no company is created."""
    officine = await records.create_record(COMPANY, acme.owner.membership,
                                           {'name': 'Officine Meccaniche Lombarde S.r.l.'})
    text = 'Nome;Cognome;Azienda;Email\nLuigi;Bianchi;officine meccaniche lombarde srl;luigi@oml.example\n'
    await log_in(user, acme.owner, path='/import')
    await upload(user, 'clienti.csv', data=text.encode())
    await user.should_see('1 row,', marker='import-summary', retries=WAIT)
    user.find(marker='import-run').click()
    await user.should_see('1 created, 0 updated, 0 skipped', marker='import-report-summary', retries=WAIT)
    await user.should_not_see('new compan', marker='import-report-summary')
    assert (await Contact.get(last_name='Bianchi')).company_id == officine.id
    assert await Company.filter(org_id=acme.id).count() == 1


async def test_a_company_vat_column_is_guessed_matches_by_vat_and_fills_a_new_company(user: User, acme):
    """A "P.IVA azienda" column is the contact's company's VAT number: it finds an existing company by VAT (whatever
    its name) and is given to a company the import creates."""
    caffe = await records.create_record(COMPANY, acme.owner.membership,
                                        {'name': 'Bar Napoli', 'vat_number': f'IT{VALID_IVA}'})
    text = ('Nome;Cognome;Azienda;P.IVA azienda;Email\n'
            'Anna;Neri;Caffè Napoli S.p.A.;IT 00743110157;anna@caffe.example\n'
            'Ugo;Gialli;Nuova Ditta SNC;IT01234560157;ugo@nuova.example\n')
    await log_in(user, acme.owner, path='/import')
    await upload(user, 'clienti.csv', data=text.encode())
    await user.should_see('2 rows', marker='import-summary', retries=WAIT)
    assert element(user, 'import-map-3').value == 'company_vat'
    user.find(marker='import-run').click()
    await user.should_see('2 created, 0 updated, 0 skipped; 1 new company', marker='import-report-summary',
                          retries=WAIT)
    assert (await Contact.get(last_name='Neri')).company_id == caffe.id
    nuova = await Company.get(id=(await Contact.get(last_name='Gialli')).company_id)
    assert (nuova.name, nuova.vat_number) == ('Nuova Ditta SNC', 'IT01234560157')
    assert [c.id for c in (await records.list_records(COMPANY, acme.owner.membership, q='IT01234560157')).items] \
        == [nuova.id]


async def test_italian_option_values_map_onto_the_lists_and_a_bad_email_drops_only_itself(user: User, acme):
    """Issue 14, "Italian spreadsheets": "Tipo: cliente" is the list's "Cliente" (case and accents aside), an unknown
    value is said in the report row and left empty (the list is not added to), and a bad email in a row with another
    key is left out with a warning instead of skipping the row; a row whose only key is the bad email is skipped."""
    await orgs.save_option_list(actor=acme.owner.membership, kind='contact_types', names=['Cliente', 'Fornitore'])
    text = ('Nome;Cognome;Tipo;Email;Email 2\n'
            'Ada;Rossi;cliente;ada@rossi.example;non-una-mail\n'
            'Bea;Neri;FORNITORÉ;bea@neri.example;\n'
            'Dino;Blu;Prospect;dino@blu.example;\n'
            'Ugo;Verdi;Cliente;ugo@@verdi;\n')
    await log_in(user, acme.owner, path='/import')
    await upload(user, 'clienti.csv', data=text.encode())
    await user.should_see('4 rows', marker='import-summary', retries=WAIT)
    assert element(user, 'import-map-2').value == 'type'
    user.find(marker='import-run').click()
    await user.should_see('3 created, 0 updated, 1 skipped', marker='import-report-summary', retries=WAIT)
    rows = {r['row']: r for r in element(user, 'import-report').rows}
    assert rows[2]['status'] == 'created'
    assert rows[2]['message'].startswith('Email "non-una-mail" (column "Email 2") left out: is not a valid email')
    assert rows[4]['message'] == 'Type "Prospect" is not in the organization\'s list of types: left empty'
    assert rows[5]['status'] == 'skipped' and rows[5]['message'].startswith('Email 1 (column "Email"): is not a')
    ada, bea, dino = [await Contact.get(last_name=name) for name in ('Rossi', 'Neri', 'Blu')]
    assert (ada.type, ada.emails, bea.type, dino.type) == ('Cliente', ['ada@rossi.example'], 'Fornitore', '')
    assert (await orgs.option_lists(acme.id))['contact_types'] == ['Cliente', 'Fornitore']  # nothing added


async def test_a_file_that_cannot_be_read_is_explained(user: User, acme):
    await log_in(user, acme.owner, path='/import')
    await upload(user, 'empty.csv', data=b'')
    await user.should_see('empty.csv: File: is empty', marker='import-problem', retries=WAIT)
    await upload(user, 'broken.vcf', 'text/vcard', b'no cards here')
    await user.should_see('holds no vCard', marker='import-problem', retries=WAIT)


async def test_guests_get_no_import_page(user: User, acme):
    await log_in(user, acme.guest, path='/import')
    await user.should_see(marker='no-access', retries=WAIT)
    await user.should_not_see(marker='import-upload')


async def test_a_report_of_an_id_beyond_any_row_is_the_same_not_found_as_an_unknown_one(user: User, acme):
    await log_in(user, acme.owner, path='/import?batch=999999')
    await user.should_see(marker='no-access', retries=WAIT)
    said = next(iter(user.find(marker='no-access').elements)).text
    await user.open(f'/import?batch={2 ** 64}')
    await user.should_see(marker='no-access', retries=WAIT)
    assert next(iter(user.find(marker='no-access').elements)).text == said
    await user.should_not_see(marker='import-upload')


async def test_list_exports_download_the_filtered_list_with_the_session(user: User, acme):
    await records.create_record(CONTACT, acme.owner.membership, {'first_name': 'Ada', 'last_name': 'Lovelace',
                                                                 'type': 'Client'})
    await records.create_record(CONTACT, acme.owner.membership, {'first_name': '=Charles', 'last_name': 'Babbage'})
    await log_in(user, acme.owner, path='/contacts?type=Client')
    await user.should_see('1 contact', marker='list-total', retries=WAIT)
    # the semicolons an Italian or French spreadsheet reads (for an English reader they are not the first entry)
    user.find(marker='list-export-csv-semicolon').click()
    text = (await user.download.next(timeout=5)).content.decode('utf-8-sig')
    assert text.startswith('First name;Last name;')
    assert [r['Last name'] for r in csv.DictReader(io.StringIO(text), delimiter=';')] == ['Lovelace']
    await user.open('/contacts')
    await user.should_see('2 contacts', marker='list-total', retries=WAIT)
    user.find(marker='list-export-csv-comma').click()
    text = (await user.download.next(timeout=5)).content.decode('utf-8-sig')
    assert sorted(r['First name'] for r in csv.DictReader(io.StringIO(text))) == ["'=Charles", 'Ada']
    user.find(marker='list-export-vcf').click()
    assert (await user.download.next(timeout=5)).text.count('BEGIN:VCARD') == 2
    # the route answers only to a session that may see the records
    from nicegui import core
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=core.app), base_url='http://test') as stranger:
        response = await stranger.get(f'/exports/{acme.id}/contacts.csv')
    assert response.status_code in (303, 307, 404) and 'Lovelace' not in response.text


# ------------------------------------------------------------------ in a real browser

def test_a_real_browser_imports_and_exports(screen):
    screen.open('/')
    screen.should_contain('Log in to your account')
    headers, org = sign_up_with_org(screen, 'ada@example.com', 'lovelace1', 'Ada Lovelace', 'Engines')
    browser_log_in(screen, 'ada@example.com', 'lovelace1')

    screen.open('/import')
    screen.should_contain('CSV or vCard file')
    screen.selenium.find_element(By.CSS_SELECTOR, '.q-uploader input[type=file]') \
        .send_keys(str(DATA / 'outlook_contacts.csv'))
    screen.should_contain('4 rows, comma-separated, read as utf-8-sig')
    screen.should_contain('Business Phone')
    screen.click('Run import')
    screen.should_contain('2 created, 0 updated, 2 skipped')
    screen.should_contain('same email luca.verdi@verdi.example as row 2')
    screen.should_contain('1-4 of 4')  # the table's footer counts the rows it lists right after the import

    listed = httpx.get(f'{screen.url}/api/v1/orgs/{org}/contacts', headers=headers).json()
    assert sorted(c['last_name'] for c in listed['items']) == ['Martin', 'Verdi']

    screen.open('/contacts')
    screen.should_contain('2 contacts')
    cookies = {c['name']: c['value'] for c in screen.selenium.get_cookies()}
    exported = httpx.get(f'{screen.url}/exports/{org}/contacts.csv?q=verdi', cookies=cookies)
    assert exported.status_code == 200 and 'Verdi' in exported.text and 'Martin' not in exported.text
    assert httpx.get(f'{screen.url}/exports/{org}/contacts.csv').status_code in (303, 307)  # no session: log in


async def test_an_italian_user_imports_in_italian(user: User, acme):
    acme.owner.user.language = 'it'
    await acme.owner.user.save(update_fields=['language'])
    await log_in(user, acme.owner, path='/import')
    await user.should_see('1. Scegli che cosa contiene il file', retries=WAIT)
    await user.should_not_see('Choose what the file holds')
    text = 'Nome;Cognome\nAda;Lovelace\nGrace;Hopper\n'
    await upload(user, 'clienti.csv', data=text.encode())
    await user.should_see('2 righe, campi separati da punto e virgola', marker='import-summary', retries=WAIT)
    await user.should_see('Avvia importazione', marker='import-run')
    user.find(marker='import-run').click()
    await user.should_see('2 creati, 0 aggiornati, 0 saltati', marker='import-report-summary', retries=WAIT)
    await user.should_see('Annulla questa importazione', marker='import-undo')
    await user.should_not_see('Undo this import')
    rows = element(user, 'import-report').rows
    assert [(row['status'], row['result']) for row in rows] == [('created', 'creato')] * 2
    assert [column['label'] for column in element(user, 'import-report').columns] == [
        'Riga', 'Esito', 'Record', 'Motivo / note']
