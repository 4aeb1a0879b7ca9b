"""The same file gives the same report however the import is scheduled (rows checked in the workers while earlier
chunks are written): which rows were created, updated or skipped and why, with their notes, and which company each
contact got. The expected values below were taken from the import as it was before checking and writing overlapped
(main at 31d6d62); the file crosses several chunks so that a decision that needs a later chunk (a company named
without a VAT number here, with one further down) is exercised."""
from __future__ import annotations

from models.imports.progress import CHUNK
from models.imports.tables import ImportRow
from models.imports.writing import import_file
from models.records import service as records
from models.records.tables import CONTACT, Company, Contact
from tests.helpers import VALID_IVA

OTHER_IVA = '01234560017'
THIRD_IVA = '12345670157'


def the_file() -> bytes:
    lines = ['Nome;Cognome;Email;Email 2;Telefono;Azienda;P.IVA azienda;Partita IVA;Tipo;Visibilità;Note']
    special = {
        3: 'Anna;Rossi;anna@example.com;;02 1234 5678;Alfa Srl;;;Cliente;;',
        4: 'Anna;Bis;ANNA@example.com;;;;;;;;',  # the same email as row 3
        5: 'Bruno;Bad;not an email;;;;;;;;',  # no key left: refused
        6: 'Carla;Kept;not an email;carla@example.com;;;;;;;',  # another key: the bad one left out
        7: f'Dario;Vat;bad@@example.com;;;;;{VALID_IVA};;;',  # the VAT number keeps the row
        8: 'Elena;Phone;elena@example.com;;12;;;;;;',  # a bad phone refuses the row
        9: 'Fabio;Type;fabio@example.com;;;;;;Sconosciuto;segreto;',  # unknown type and visibility: notes
        10: 'Gina;Vat;gina@example.com;;;Beta Spa;99999999999;;;;',  # a bad company VAT: note
        11: f'Ivo;NoCo;ivo@example.com;;;;{OTHER_IVA};;;;',  # a company VAT without a company
        12: ';;;;;;;;;;',  # blank: not a row
        13: 'Luca;Old;old@example.com;;02 9999 0000;Delta Srl;;;;;',  # exists before the import
        14: f'Mara;Old;;;;;;{THIRD_IVA};;;',  # exists before the import, by VAT
        15: 'Nico;Many;n1@example.com;n1@EXAMPLE.com;02 1111 1111;Gamma Srl;;;;;',  # the same address twice
        16: 'Olga;Long;olga@example.com;;+39 02 2222 2222;GAMMA S.R.L.;;;;;@someone',
    }
    for row in range(2, 2 * CHUNK + 400):
        if row in special:
            lines.append(special[row])
        elif row == CHUNK + 50:
            lines.append('Pia;Late;anna@example.com;;;;;;;;')  # row 3's email again, in a later chunk
        elif row == CHUNK + 60:
            lines.append(f'Quinto;Late;quinto@example.com;;;Alfa Srl;{OTHER_IVA};;;;')  # Alfa Srl's VAT, later on
        elif row == 2 * CHUNK + 10:
            lines.append(f'Rita;Late;rita@example.com;;;alfa s.r.l.;{OTHER_IVA};;;;')
        elif row == 2 * CHUNK + 20:
            lines.append('Sara;Late;old@example.com;;;;;;;;')  # row 13's record again
        else:
            company = f'Ditta {row % 7}' if row % 3 == 0 else ''
            lines.append(f'N{row};C{row};p{row}@example.com;;02 3{row:03d} {row:04d};{company};;;;;')
    return '\n'.join(lines).encode()


def generic(name: str) -> bool:
    """A row of the filler: 'N<row> C<row>'."""
    return name[:1] == 'N' and name[1:2].isdigit()


async def outcome(actor, mode: str):
    """What the import of the file did: its counts, its report (the filler rows summed up), the companies there are
    and the company of each contact."""
    luca = await records.create_record(CONTACT, actor, {'first_name': 'Luca', 'last_name': 'Old',
                                                         'emails': ['old@example.com']})
    mara = await records.create_record(CONTACT, actor, {'first_name': 'Mara', 'last_name': 'Old',
                                                         'vat_number': THIRD_IVA})
    batch = await import_file(actor, kind='contact', data=the_file(), filename='x.csv', mode=mode)
    rows = await ImportRow.filter(batch_id=batch.id).exclude(status='company').order_by('row', 'id')
    report = [(r.row, r.status, r.name, r.message.replace(f'#{luca.id} ', '#luca ').replace(f'#{mara.id} ', '#mara '))
              for r in rows if not (generic(r.name) and r.status == 'created' and not r.message)]
    filler = sum(1 for r in rows if generic(r.name) and r.status == 'created' and not r.message)
    companies = sorted((c.name, c.vat_number) for c in await Company.filter(org_id=actor.org_id))
    linked = {}
    for contact in await Contact.filter(org_id=actor.org_id).select_related('company'):
        company = (contact.company.name, contact.company.vat_number) if contact.company else None
        if generic(contact.first_name):
            row = int(contact.first_name[1:])
            assert company == ((f'Ditta {row % 7}', '') if row % 3 == 0 else None), contact.first_name
        else:
            linked[f'{contact.first_name} {contact.last_name}'] = company
    return (batch.created, batch.updated, batch.skipped, batch.companies_created), filler, report, companies, linked


CREATED = ((2390, 0, 7, 11),
 2380,
 [(3, 'created', 'Anna Rossi', ''),
  (4, 'skipped', '', 'same email anna@example.com as row 3'),
  (5,
   'skipped',
   '',
   'Email 1 (column "Email"): is not a valid email address (An email address must have an @-sign.)'),
  (6,
   'created',
   'Carla Kept',
   'Email "not an email" (column "Email") left out: is not a valid email address (An email address must have an '
   '@-sign.)'),
  (7,
   'created',
   'Dario Vat',
   'Email "bad@@example.com" (column "Email") left out: is not a valid email address (The part after the @-sign '
   "contains invalid characters: '@'.)"),
  (8, 'skipped', '', 'Phone 1 (column "Telefono"): \'12\' is not a valid phone number (read as a number of IT)'),
  (9,
   'created',
   'Fabio Type',
   'Type "Sconosciuto" is not in the organization\'s list of types: left empty; visibility \'segreto\' is neither '
   'public nor private: left public'),
  (10,
   'created',
   'Gina Vat',
   "Company VAT number left out: 99999999999 is not a valid partita IVA (The number's checksum or check digit is "
   'invalid.)'),
  (11, 'created', 'Ivo NoCo', 'Company VAT number 01234560017 left out: the row names no company'),
  (12, 'skipped', '', 'already exists: contact #luca has the same email old@example.com'),
  (13, 'skipped', '', 'already exists: contact #mara has the same VAT number 12345670157'),
  (14, 'created', 'Nico Many', ''),
  (15, 'created', 'Olga Long', ''),
  (1049, 'skipped', '', 'same email anna@example.com as row 3'),
  (1059, 'created', 'Quinto Late', ''),
  (2009, 'created', 'Rita Late', ''),
  (2019, 'skipped', '', 'same email old@example.com as row 12')],
 [('Alfa Srl', '01234560017'),
  ('Beta Spa', ''),
  ('Delta Srl', ''),
  ('Ditta 0', ''),
  ('Ditta 1', ''),
  ('Ditta 2', ''),
  ('Ditta 3', ''),
  ('Ditta 4', ''),
  ('Ditta 5', ''),
  ('Ditta 6', ''),
  ('Gamma Srl', '')],
 {'Anna Rossi': ('Alfa Srl', '01234560017'),
  'Carla Kept': None,
  'Dario Vat': None,
  'Fabio Type': None,
  'Gina Vat': ('Beta Spa', ''),
  'Ivo NoCo': None,
  'Luca Old': None,
  'Mara Old': None,
  'Nico Many': ('Gamma Srl', ''),
  'Olga Long': ('Gamma Srl', ''),
  'Quinto Late': ('Alfa Srl', '01234560017'),
  'Rita Late': ('Alfa Srl', '01234560017')})


def updated() -> tuple:
    """The same file imported as an update: the two rows that match records update them."""
    counts, filler, report, companies, linked = CREATED
    report = [(12, 'updated', 'Luca Old', '') if row[0] == 12 else
              (13, 'updated', 'Mara Old', 'nothing new: the record already had these values') if row[0] == 13 else row
              for row in report]
    return (2390, 2, 5, 11), filler, report, companies, {**linked, 'Luca Old': ('Delta Srl', '')}


async def test_the_report_of_a_file_is_the_same_in_create_mode(acme):
    assert await outcome(acme.owner.membership, 'create') == CREATED


async def test_the_report_of_a_file_is_the_same_in_update_mode(acme):
    assert await outcome(acme.owner.membership, 'update') == updated()


def test_each_address_is_checked_once(monkeypatch):
    """A row's addresses are checked for its keys, then with its other fields: email_validator reads each once."""
    from models import validation
    from models.imports.formats import MappedCsv
    from models.imports.preparing import _prepare_part
    from models.orgs.service import DEFAULT_OPTIONS

    seen = []
    real = validation.validate_email
    monkeypatch.setattr(validation, 'validate_email', lambda text, **options: seen.append(text) or real(text, **options))
    validation._email_syntax.cache_clear()
    rows = MappedCsv(['Name', 'Email', 'Email 2'], ['first_name', 'email', 'email'],
                     [['Ada', 'ada@example.com', 'ada@work.example'], ['Bea', 'bea@example.com', 'not an email'],
                      ['Cy', 'not an email either', '']])
    found = _prepare_part('contact', 'IT', {k: list(v) for k, v in DEFAULT_OPTIONS.items()}, set(), rows)
    assert [type(f).__name__ for f in found] == ['Prepared', 'Prepared', 'tuple']
    assert sorted(seen) == sorted(['ada@example.com', 'ada@work.example', 'bea@example.com', 'not an email',
                                   'not an email either'])
