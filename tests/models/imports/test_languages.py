"""An import speaks the language of whoever runs it — its rows are checked in worker processes, which are told that
language — and recognises the headers of Rubrica's own exports in each language."""
from __future__ import annotations

import pytest

from models import i18n
from models.imports.formats import guess_mapping
from models.imports.recovery import INTERRUPTED
from models.imports.reports import batch_message, report_rows
from models.imports.tables import ImportBatch
from models.imports.writing import import_file
from models.records import exports
from models.records import service as records
from models.records.tables import COMPANY, CONTACT

FILE = (b'Name,Email,Type\n'
        b'Ada Lovelace,ada-at-example.com,\n'
        b'Grace Hopper,grace@example.com,Nope\n'
        b'Alan Turing,grace@example.com,\n')


async def test_an_import_report_in_french(acme):
    i18n.use('fr')  # this test's task, as a page or a request in French would
    batch = await import_file(acme.owner.membership, kind='contact', data=FILE, filename='people.csv')
    rows, _total = await report_rows(acme.owner.membership, batch.id)
    report = {row.row: (row.status, row.message) for row in rows}
    status, message = report[2]
    assert status == 'skipped'
    assert message.startswith("E-mail 1 (colonne « Email ») : n'est pas une adresse e-mail valide (")  # a worker's
    assert report[3] == ('created', "Le type « Nope » n'est pas dans la liste des types de l'organisation : "
                                    'laissé vide')
    assert report[4] == ('skipped', 'même e-mail grace@example.com que la ligne 3')


async def test_the_same_import_in_english_without_a_language(acme):
    batch = await import_file(acme.owner.membership, kind='contact', data=FILE, filename='people.csv')
    rows, _total = await report_rows(acme.owner.membership, batch.id)
    report = {row.row: (row.status, row.message) for row in rows}
    assert report[2][1].startswith('Email 1 (column "Email"): is not a valid email address (')
    assert report[4] == ('skipped', 'same email grace@example.com as row 3')


async def _headers(actor, filename: str) -> list[str]:
    export = exports.open_export(actor, filename, separator='comma')
    first = [piece async for piece in export.chunks][0].decode('utf-8')
    return first.lstrip('\ufeff').splitlines()[0].split(',')


@pytest.mark.parametrize('language', ['it', 'fr'])
@pytest.mark.parametrize(('filename', 'kind'), [('contacts.csv', CONTACT), ('companies.csv', COMPANY)])
async def test_an_export_has_the_readers_headers_and_imports_back_in_any_language(acme, language, filename, kind):
    await records.create_record(kind, acme.owner.membership,
                                {'last_name': 'Rossi'} if kind is CONTACT else {'name': 'Rossi S.r.l.'})
    english = await _headers(acme.owner.membership, filename)
    i18n.use(language)
    translated = await _headers(acme.owner.membership, filename)
    assert translated != english and len(translated) == len(english)
    assert (translated[:2] == ['Nome', 'Cognome'] if language == 'it' else translated[:2] == ['Prénom', 'Nom']) \
        if kind is CONTACT else translated[0] == ('Nome' if language == 'it' else 'Nom')
    mapping = guess_mapping(english, kind.name)
    assert all(mapping), dict(zip(english, mapping))  # every column of our own export is recognised…
    assert guess_mapping(translated, kind.name) == mapping  # …in every language


async def test_a_message_written_at_start_is_read_in_the_readers_language(acme):
    """An import cut off by a crash is marked at the next start, in English (nobody reads it then); its reader
    gets it in their language, and a message written in the importer's language is left as it was."""
    interrupted, italian = ImportBatch(message=INTERRUPTED), ImportBatch(message='Già in italiano')
    assert batch_message(interrupted) == INTERRUPTED and batch_message(ImportBatch()) == ''
    i18n.use('it')
    assert batch_message(interrupted) == ('Il server si è fermato durante questa importazione; quanto aveva scritto '
                                          'è stato annullato: non è stato importato nulla')
    assert batch_message(italian) == 'Già in italiano' and batch_message(ImportBatch()) == ''


async def test_list_values_are_recognised_in_any_language(acme, make_org):
    """Acme's lists are English: an Italian or French file's types find them; an Italian organization's lists are
    found from an English or French file."""
    data = 'Cognome;Tipo\nRossi;Fornitore\nDupont;Prospect\nMüller;Kunde\n'.encode()
    batch = await import_file(acme.owner.membership, kind='contact', data=data, filename='contatti.csv')
    rows, _total = await report_rows(acme.owner.membership, batch.id)
    assert [row.status for row in rows] == ['created'] * 3
    types = {c.last_name: c.type for c in (await records.list_records(CONTACT, acme.owner.membership)).items}
    assert types == {'Rossi': 'Supplier', 'Dupont': 'Lead', 'Müller': ''}  # German is not one of Rubrica's

    i18n.use('it')
    italian = await make_org('Officine', owner='Ilaria Rossi')
    i18n.use(None)
    data = b'Last name,Type\nSmith,Supplier\nMartin,Fournisseur\n'
    await import_file(italian.owner.membership, kind='contact', data=data, filename='people.csv')
    types = {c.last_name: c.type for c in (await records.list_records(CONTACT, italian.owner.membership)).items}
    assert types == {'Smith': 'Fornitore', 'Martin': 'Fornitore'}
