"""Reading what people import: CSV files from spreadsheets, Google Contacts and Outlook, and vCards.

Nothing here touches the database. A CSV file becomes headers and rows (encoding and separator detected),
its columns are mapped to our fields (guessed from headers in English, Italian and French, and from the
exports of Google Contacts and Outlook), and each row — or each vCard — becomes an `Incoming` record:
plain field values that models/imports/preparing.py validates with the app's own validators.

Whatever the file holds, reading it takes time in proportion to its size: the separator is found by reading
the first lines with the csv module (no regular expressions that backtrack), vCards are cut apart line by
line before vobject sees them, and a file past one of the bounds below is refused with a message that names
the bound (models/imports/reading.py runs all of this in a worker process, away from the server's event loop).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache

import pycountry

from ..errors import TooLarge, ValidationFailed
from .. import i18n
from ..i18n import N_, _, ngettext
from ..text import fold
from ..validation import unknown_fields

MAX_IMPORT_BYTES = 64 * 1024 * 1024
MAX_ROWS = 200_000  # rows of a CSV file, cards of a vCard file
MAX_COLUMNS = 200
MAX_ROW_CHARS = 128 * 1024  # one CSV row: a line, or several when a quoted cell holds line breaks
MAX_LINES = 1_000_000  # lines of a file, blank ones included
MAX_CELLS = 5_000_000  # filled cells of a CSV file: what its rows cost in memory
MAX_CARD_CHARS = 1024 * 1024  # one vCard as written in the file, photos included
MAX_CARD_LINES = 1_000  # the lines of one vCard that are read (photos, logos, sounds and keys are left out)
SNIFF_LINES = 20  # the lines the separator is guessed from
SNIFF_CHARS = 64 * 1024
PREVIEW_ROWS = 5
DELIMITERS = (',', ';', '\t')
FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r')
MULTI_VALUE = ' ::: '  # Google Contacts puts several values in one cell this way
ADDRESS_PARTS = ('street', 'city', 'postal_code', 'province', 'country')
ADDRESS_SLOTS = 3

csv.field_size_limit(1024 * 1024)


# ---------------------------------------------------------------- the file

@dataclass
class CsvFile:
    headers: list[str]
    rows: list[list[str]]
    encoding: str
    delimiter: str

    def preview(self, count: int = PREVIEW_ROWS) -> list[list[str]]:
        """The first rows, each with a cell for every column (rows are kept without their trailing empty cells)."""
        return [row + [''] * (len(self.headers) - len(row)) for row in self.rows[:count]]


def too_many_lines() -> str:
    return ngettext('has more than {count} line: split it', 'has more than {count} lines: split it', MAX_LINES)


def larger_than(max_bytes: int) -> str:
    """The refusal of a file past `max_bytes`."""
    return _('The file is larger than {size} MiB', size=i18n.number(max_bytes // (1024 * 1024)))


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    if data.startswith(b'\xef\xbb\xbf'):
        return data[3:].decode('utf-8', errors='replace'), 'utf-8-sig'
    if data.startswith((b'\xff\xfe', b'\xfe\xff')):
        try:
            return data.decode('utf-16'), 'utf-16'
        except UnicodeDecodeError as e:
            raise ValidationFailed.one('file', _('starts like UTF-16 text (a byte-order mark) but is not: byte '
                                                 '{position} cannot be read ({reason}). Save it again as UTF-8 or '
                                                 'UTF-16', position=i18n.number(e.start), reason=e.reason)) from None
    try:
        return data.decode('utf-8'), 'utf-8'
    except UnicodeDecodeError:
        pass
    try:
        return data.decode('cp1252'), 'cp1252'
    except UnicodeDecodeError:
        return data.decode('latin-1'), 'latin-1'


def _widths(lines: list[str], delimiter: str) -> list[int]:
    try:
        return [len(row) for row in csv.reader(lines, delimiter=delimiter)]
    except csv.Error:
        return []


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one that splits the header line into the most columns (headers rarely hold a
    separator); when that does not decide, the one that splits most of the first lines into as many columns as
    the header; else a comma. Reads at most SNIFF_LINES lines of SNIFF_CHARS characters with the csv module, so
    it takes time in proportion to that sample whatever it holds."""
    lines = text[:SNIFF_CHARS].splitlines()[:SNIFF_LINES]
    if not lines:
        return ','
    widths = {d: (_widths(lines[:1], d) or [0])[0] for d in DELIMITERS}
    best = max(widths.values())
    if best > 1 and list(widths.values()).count(best) == 1:
        return max(widths, key=widths.get)
    scores = {}
    for d in DELIMITERS:
        found = _widths(lines, d)
        width = found[0] if found else 0
        if width > 1:
            scores[d] = (sum(1 for w in found if w == width), width)
    return max(scores, key=scores.get) if scores else ','


def unneutralise(cell: str) -> str:
    """Our exports prefix cells that a spreadsheet would run as formulas with a quote; take it off again."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_STARTS:
        return cell[1:]
    return cell


class _BoundedLines:
    """The lines of a text for csv.reader, refusing a row (one line, or several when a quoted cell holds line
    breaks) longer than MAX_ROW_CHARS: an unclosed quote or a line of a million cells stops here."""

    def __init__(self, text: str, delimiter: str) -> None:
        self._lines = iter(io.StringIO(text, newline=''))
        self.delimiter = delimiter
        self.number = 0  # lines read so far
        self.row_start = 1  # the line the row being read started on
        self._used = 0
        self._separators = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.number += 1
        if self.number > MAX_LINES:
            raise ValidationFailed.one('file', too_many_lines())
        self._used += len(line)
        self._separators += line.count(self.delimiter)
        if self._used > MAX_ROW_CHARS:
            values = {'line': i18n.number(self.row_start), 'most': i18n.number(MAX_ROW_CHARS), 'columns': MAX_COLUMNS}
            if self.row_start == self.number and self._separators >= MAX_COLUMNS:
                problem = _('line {line} is longer than {most} characters, the most a row may have (it has more '
                            'than {columns} columns, the most that can be imported)', **values)
            elif self.row_start == self.number:
                problem = _('line {line} is longer than {most} characters, the most a row may have (is a quote '
                            'left open?)', **values)
            elif self._separators >= MAX_COLUMNS:
                problem = _('the row that starts on line {line} is longer than {most} characters, the most a row '
                            'may have (it has more than {columns} columns, the most that can be imported)', **values)
            else:
                problem = _('the row that starts on line {line} is longer than {most} characters, the most a row '
                            'may have (is a quote left open?)', **values)
            raise ValidationFailed.one('file', problem)
        return line

    def row_read(self) -> None:
        self.row_start, self._used, self._separators = self.number + 1, 0, 0


def read_csv(data: bytes, *, max_bytes: int = MAX_IMPORT_BYTES) -> CsvFile:
    """The file's header and rows. Refused (ValidationFailed, naming the bound) past MAX_COLUMNS columns,
    MAX_ROW_CHARS characters in a row or MAX_ROWS rows; the time it takes grows with the file's size only."""
    if len(data) > max_bytes:
        raise TooLarge(larger_than(max_bytes))
    text, encoding = decode(data)
    if not text.strip():
        raise ValidationFailed.one('file', _('is empty'))
    delimiter = sniff_delimiter(text)
    lines = _BoundedLines(text, delimiter)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader, [])
        lines.row_read()
        if len(header) > MAX_COLUMNS:
            raise ValidationFailed.one('file', _('has {columns} columns; at most {most} can be imported: remove '
                                                 'the columns you do not need', columns=i18n.number(len(header)),
                                                 most=MAX_COLUMNS))
        headers = [h.strip() for h in header]
        rows = []
        cells = 0
        for row in reader:
            if len(row) > MAX_COLUMNS:
                raise ValidationFailed.one('file', _('line {line} has {cells} cells; at most {most} columns can be '
                                                     'imported', line=i18n.number(lines.row_start),
                                                     cells=i18n.number(len(row)), most=MAX_COLUMNS))
            lines.row_read()
            while row and not row[-1].strip():  # trailing empty cells (most of an Outlook row) take no memory
                row.pop()
            if not row:
                continue
            rows.append([unneutralise(cell) for cell in row])
            cells += sum(1 for cell in row if cell)
            if len(rows) > MAX_ROWS:
                raise ValidationFailed.one('file', ngettext('has more than {count} row: split it',
                                                            'has more than {count} rows: split it', MAX_ROWS))
            if cells > MAX_CELLS:
                raise ValidationFailed.one('file', ngettext('has more than {count} filled cell: split it',
                                                            'has more than {count} filled cells: split it', MAX_CELLS))
    except csv.Error as e:
        raise ValidationFailed.one('file', _('is not a readable CSV file ({reason})', reason=e)) from None
    if not any(headers):
        raise ValidationFailed.one('file', _('has no header line'))
    return CsvFile(headers, rows, encoding, delimiter)


# ---------------------------------------------------------------- our fields, and guessing them from headers

_ADDRESS_TARGETS = {'street': N_('Address {number}: street'), 'city': N_('Address {number}: city'),
                    'postal_code': N_('Address {number}: postal code'),
                    'province': N_('Address {number}: province'), 'country': N_('Address {number}: country')}
_COMMON_TARGETS = {
    'type': N_('Type'), 'email': N_('Email (one per column)'), 'pec': N_('PEC'),
    'phone': N_('Phone (one per column)'), 'vat_number': N_('VAT number'),
    'tax_code': N_('Tax code (codice fiscale)'), 'description': N_('Notes'),
    'visibility': N_('Visibility (public/private)'),
    **{f'address{n}.{part}': _ADDRESS_TARGETS[part] for n in range(1, ADDRESS_SLOTS + 1) for part in ADDRESS_PARTS},
}
# the fields a column may go to, and their labels (in English: target_labels gives them in the reader's language)
TARGETS: dict[str, dict[str, str]] = {
    'contact': {'first_name': N_('First name'), 'last_name': N_('Last name'), 'full_name': N_('Full name'),
                'company': N_('Company (name)'), 'company_vat': N_('Company VAT number'), 'role': N_('Role'),
                **_COMMON_TARGETS},
    'company': {'name': N_('Name'), 'sector': N_('Sector'), 'sdi_code': N_('SDI recipient code'),
                'registration_number': N_('Company registration number (SIREN/SIRET in France)'),
                **_COMMON_TARGETS},
}


def target_labels(kind: str) -> dict[str, str]:
    """The fields a column of a file of this kind may go to, with their labels in the reader's language."""
    return {target: _(label, number=target[len('address')]) if target.startswith('address') else _(label)
            for target, label in TARGETS[kind].items()}


REPEATABLE = {'email', 'phone'}


def _keys(*names: str) -> list[str]:
    return [fold(re.sub(r'[^\w]+', ' ', n)) for n in names]


# folded header -> target; 'company' means the contact's company, or the name when importing companies
_SYNONYMS: dict[str, str] = {}
for _target, _names in {
    'first_name': ['first name', 'firstname', 'given name', 'given', 'forename', 'nome', 'prenom', 'prénom'],
    'last_name': ['last name', 'lastname', 'surname', 'family name', 'cognome', 'nom', 'nom de famille'],
    'full_name': ['name', 'full name', 'display name', 'nome completo', 'nominativo', 'nom complet', 'contact',
                  'contatto', 'file as'],
    'company': ['company', 'company name', 'organization', 'organisation', 'organization name',
                'organization 1 name', 'azienda', 'societa', 'società', 'ragione sociale', 'ditta', 'impresa',
                'societe', 'société', 'entreprise', 'raison sociale', 'organisme'],
    'role': ['role', 'job title', 'title role', 'position', 'organization title', 'organization 1 title', 'ruolo',
             'qualifica', 'mansione', 'fonction', 'poste', 'titre'],
    'type': ['type', 'category', 'tipo', 'tipologia', 'categoria', 'categorie', 'catégorie'],
    'sector': ['sector', 'industry', 'settore', 'secteur', "secteur d'activite"],
    'email': ['email', 'e mail', 'email address', 'e mail address', 'mail', 'indirizzo email', 'posta elettronica',
              'courriel', 'adresse email', 'adresse e mail', 'e mail 2 address', 'e mail 3 address', 'email 1',
              'email 2', 'email 3', 'e mail 1 value', 'e mail 2 value', 'e mail 3 value'],
    'pec': ['pec', 'email pec', 'indirizzo pec', 'posta certificata', 'posta elettronica certificata'],
    'phone': ['phone', 'telephone', 'téléphone', 'phone number', 'tel', 'telefono', 'cellulare', 'mobile',
              'mobile phone', 'cell', 'business phone', 'business phone 2', 'home phone', 'home phone 2',
              'other phone', 'primary phone', 'company main phone', 'portable', 'numero', 'telefono fisso',
              'phone 1', 'phone 2', 'phone 3', 'phone 1 value', 'phone 2 value', 'phone 3 value',
              'tel portable', 'téléphone portable', 'telephone portable', 'car phone'],
    'vat_number': ['vat', 'vat number', 'vat id', 'vat no', 'partita iva', 'p iva', 'piva', 'p iva cf',
                   'numero tva', 'tva', 'n tva', 'numero de tva', 'tva intracommunautaire', 'ust idnr'],
    'company_vat': ['company vat', 'company vat number', 'company vat id', 'company vat no', 'organization vat',
                    'organisation vat', 'vat company', 'p iva azienda', 'piva azienda', 'partita iva azienda',
                    'p iva societa', 'partita iva societa', 'p iva ditta', 'partita iva ditta', 'iva azienda',
                    'tva societe', 'tva entreprise', 'numero de tva societe', 'numero de tva entreprise'],
    'tax_code': ['tax code', 'tax id', 'codice fiscale', 'cod fiscale', 'cf'],
    # a company's register number; a contact's SIREN or SIRET (a sole trader's) is their tax code
    'registration_number': ['registration number', 'company registration number', 'company number',
                            'registered number', 'siren', 'siret', 'siren siret', 'numero siren', 'numero siret',
                            "numero d'immatriculation", 'immatriculation', 'rcs', 'numero rcs', 'registro imprese',
                            'numero registro imprese', 'numero di iscrizione al registro delle imprese', 'rea',
                            'numero rea', 'handelsregister', 'handelsregisternummer'],
    'sdi_code': ['sdi', 'sdi code', 'sdi recipient code', 'codice sdi', 'codice destinatario',
                 'codice destinatario sdi', 'cod destinatario', 'codice univoco', 'codice univoco sdi',
                 'recipient code', 'code sdi', 'code destinataire sdi', 'code destinataire'],
    'description': ['notes', 'note', 'description', 'comments', 'comment', 'descrizione', 'commenti',
                    'remarques', 'commentaire', 'commentaires'],
    'visibility': ['visibility', 'visibilita', 'visibilité'],
    'address1.street': ['address', 'street', 'indirizzo', 'via', 'adresse', 'rue', 'business street',
                        'business street 2', 'business street 3', 'address 1 street', 'address street'],
    'address1.city': ['city', 'town', 'citta', 'città', 'comune', 'localita', 'località', 'ville', 'business city',
                      'address 1 city'],
    'address1.postal_code': ['postal code', 'zip', 'zip code', 'postcode', 'cap', 'code postal', 'cp',
                             'business postal code', 'address 1 postal code'],
    'address1.province': ['province', 'state', 'region', 'provincia', 'prov', 'departement', 'département',
                          'région', 'business state', 'address 1 region'],
    'address1.country': ['country', 'nazione', 'paese', 'stato', 'pays', 'business country region',
                         'address 1 country', 'country region'],
    'address2.street': ['home street', 'home street 2', 'home street 3', 'address 2 street'],
    'address2.city': ['home city', 'address 2 city'],
    'address2.postal_code': ['home postal code', 'address 2 postal code'],
    'address2.province': ['home state', 'address 2 region'],
    'address2.country': ['home country region', 'address 2 country'],
    'address3.street': ['other street', 'other street 2', 'other street 3', 'address 3 street'],
    'address3.city': ['other city', 'address 3 city'],
    'address3.postal_code': ['other postal code', 'address 3 postal code'],
    'address3.province': ['other state', 'address 3 region'],
    'address3.country': ['other country region', 'address 3 country'],
}.items():
    for _key in _keys(*_names):
        _SYNONYMS.setdefault(_key, _target)

# numbered columns in English, Italian and French: ours ("Address 2 city", "Indirizzo 2 città", "Adresse 2 ville",
# "Telefono 1", "Téléphone 1") and Google's
_NUMBERED = re.compile(r'^(e ?mail|phone|telefono|telephone|address|indirizzo|adresse) (\d)(?: (.*))?$')
_ADDRESS_WORDS = {'street': 'street', 'city': 'city', 'postal code': 'postal_code', 'region': 'province',
                  'province': 'province', 'country': 'country',
                  'via': 'street', 'citta': 'city', 'cap': 'postal_code', 'provincia': 'province', 'paese': 'country',
                  'nazione': 'country', 'rue': 'street', 'ville': 'city', 'code postal': 'postal_code',
                  'departement': 'province', 'pays': 'country'}


def guess_target(header: str, kind: str) -> str:
    """Our field for a column header, or '' when we do not recognize it (the column is then ignored)."""
    key = _keys(header)[0]
    target = _SYNONYMS.get(key, '')
    if not target:
        numbered = _NUMBERED.match(key)  # "Email 2", "Phone 3 - Value", "Address 2 - Postal code" (ours and Google's)
        if numbered:
            what, n, rest = numbered.group(1), numbered.group(2), numbered.group(3) or ''
            if what.startswith(('e', 'phone', 'tel')) and rest in ('', 'value', 'address'):
                target = 'email' if what.startswith('e') else 'phone'
            elif what.startswith(('address', 'indirizzo', 'adresse')) and rest in _ADDRESS_WORDS and 1 <= int(n) <= 3:
                target = f'address{n}.{_ADDRESS_WORDS[rest]}'
    if kind == 'company':
        if target == 'company_vat':
            return 'vat_number'  # a companies file: the company's VAT number is the record's own
        if target == 'company' or key in ('name', 'nome', 'nom', 'denominazione', 'denomination', 'full name'):
            return 'name'
        if target in ('first_name', 'last_name', 'full_name', 'role'):
            return ''
    elif target == 'registration_number':
        return 'tax_code'
    elif target in ('name', 'sector', 'sdi_code'):
        return ''
    return target if target in TARGETS[kind] else ''


def guess_mapping(headers: list[str], kind: str) -> list[str]:
    """One target per column; a column that would fill a single-valued field already taken is left unmapped,
    except street lines (joined)."""
    mapping: list[str] = []
    taken: set[str] = set()
    for header in headers:
        target = guess_target(header, kind)
        if target and target in taken and target not in REPEATABLE and not target.endswith('.street'):
            target = ''
        taken.add(target)
        mapping.append(target)
    return mapping


def check_mapping(mapping: object, headers: list[str], kind: str) -> list[str]:
    if not isinstance(mapping, list) or len(mapping) != len(headers) or \
            not all(isinstance(t, str) for t in mapping):
        raise ValidationFailed.one('mapping', ngettext('must give one field (or "") for each of the {count} column',
                                                       'must give one field (or "") for each of the {count} columns',
                                                       len(headers)))
    unknown = sorted({t for t in mapping if t and t not in TARGETS[kind]})
    if unknown:
        raise ValidationFailed.one('mapping', unknown_fields(unknown))
    if not any(mapping):
        raise ValidationFailed.one('mapping', _('map at least one column to a field'))
    return mapping


# ---------------------------------------------------------------- one record coming in

@dataclass
class Incoming:
    """One row of a file (or one vCard) as field values, before validation."""
    row: int  # as a spreadsheet numbers it (the header is row 1), or the card's position in a vCard file
    values: dict[str, str] = field(default_factory=dict)  # target -> text
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    addresses: list[dict[str, str]] = field(default_factory=list)
    problem: str = ''  # the row cannot be read at all
    # where the values came from, to name the column in the report: the header of each email and phone, the
    # slot (1-3) of each address, and (shared by every row of a file) the first header of each field
    email_columns: list[str] = field(default_factory=list)
    phone_columns: list[str] = field(default_factory=list)
    address_slots: list[int] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)


def incoming_from_row(row_number: int, row: list[str], mapping: list[str], headers: list[str] | None = None,
                      columns: dict[str, str] | None = None) -> Incoming:
    incoming = Incoming(row_number, columns=columns if columns is not None else {})
    headers = headers or [''] * len(mapping)
    slots: dict[int, dict[str, str]] = {}
    for target, cell, header in zip(mapping, row, headers):
        cell = cell.strip()
        if not target or not cell:
            continue
        if target in REPEATABLE:
            values, origins = (incoming.emails, incoming.email_columns) if target == 'email' \
                else (incoming.phones, incoming.phone_columns)
            for value in cell.split(MULTI_VALUE):
                values.append(value.strip())
                origins.append(header)
        elif target.startswith('address'):
            slot, part = target.split('.', 1)
            parts = slots.setdefault(int(slot[-1]), {})
            parts[part] = f'{parts[part]}, {cell}' if parts.get(part) else cell
        elif target in incoming.values:
            incoming.values[target] += ' ' + cell
        else:
            incoming.values[target] = cell
    incoming.address_slots = sorted(slots)
    incoming.addresses = [slots[n] for n in incoming.address_slots]
    if len(row) > len(mapping) and any(c.strip() for c in row[len(mapping):]):
        incoming.problem = _('has {cells} cells but the header has {columns} columns', cells=i18n.number(len(row)),
                             columns=i18n.number(len(mapping)))
    return incoming


@dataclass
class MappedCsv:
    """The rows of a CSV file with the field each column goes to, made into Incoming rows a part at a time
    (models/imports/preparing.py checks the parts in worker processes)."""
    headers: list[str]
    mapping: list[str]
    rows: list[list[str]]
    first_row: int = 2  # the number of rows[0] as a spreadsheet numbers it (the header is row 1)

    def __len__(self) -> int:
        return len(self.rows)

    def part(self, start: int, stop: int) -> 'MappedCsv':
        return MappedCsv(self.headers, self.mapping, self.rows[start:stop], self.first_row + start)

    def incoming(self) -> list[Incoming]:
        columns: dict[str, str] = {}
        for target, header in zip(self.mapping, self.headers):
            if target:
                columns.setdefault(target, header)
        return [incoming_from_row(self.first_row + n, row, self.mapping, self.headers, columns)
                for n, row in enumerate(self.rows)]


def column_of(incoming: Incoming, field_name: str, emails: list[str], phones: list[str]) -> str:
    """The CSV column a failing field came from ('' for a vCard or when unknown).

    `emails` / `phones` are the column of each value kept for validation, in order."""
    match = re.match(r'^(\w+)(?:\[(\d+)\])?(?:\.(\w+))?$', field_name)
    if not match or not incoming.columns:
        return ''
    name, index, part = match.group(1), int(match.group(2) or 0), match.group(3)
    if name in ('emails', 'phones'):
        origins = emails if name == 'emails' else phones
        return origins[index] if index < len(origins) else ''
    if name == 'addresses' and part:
        slots = incoming.address_slots
        return incoming.columns.get(f'address{slots[index]}.{part}', '') if index < len(slots) else ''
    if name == 'vat_number':
        return incoming.columns.get('vat_number' if incoming.values.get('vat_number') else 'tax_code', '')
    if name in ('first_name', 'last_name') and name not in incoming.values and 'full_name' in incoming.values:
        return incoming.columns.get('full_name', '')
    return incoming.columns.get(name, '')


# ---------------------------------------------------------------- countries written as names

_LOCAL_COUNTRY_NAMES = {
    'italia': 'IT', 'francia': 'FR', 'germania': 'DE', 'spagna': 'ES', 'svizzera': 'CH', 'austria': 'AT',
    'belgio': 'BE', 'olanda': 'NL', 'paesi bassi': 'NL', 'regno unito': 'GB', 'inghilterra': 'GB',
    'stati uniti': 'US', 'stati uniti d america': 'US', 'portogallo': 'PT', 'grecia': 'GR', 'san marino': 'SM',
    'allemagne': 'DE', 'espagne': 'ES', 'suisse': 'CH', 'autriche': 'AT', 'belgique': 'BE', 'pays bas': 'NL',
    'royaume uni': 'GB', 'angleterre': 'GB', 'etats unis': 'US', 'italie': 'IT', 'grece': 'GR',
    'usa': 'US', 'uk': 'GB', 'england': 'GB', 'united states of america': 'US', 'deutschland': 'DE',
    'espana': 'ES', 'schweiz': 'CH', 'osterreich': 'AT', 'nederland': 'NL', 'holland': 'NL',
}


@lru_cache(maxsize=1024)
def country_code_for(text: str) -> str:
    """'IT', 'Italy', 'Italia' or 'Italie' -> 'IT'; a name we cannot place is given back for the validator to refuse."""
    value = text.strip()
    if len(value) == 2:
        return value.upper()
    key = fold(re.sub(r"[^\w]+", ' ', value))
    if key in _LOCAL_COUNTRY_NAMES:
        return _LOCAL_COUNTRY_NAMES[key]
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        return value


# ---------------------------------------------------------------- vCards

def _text(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ' '.join(_text(v) for v in value if v).strip()
    return str(value or '').strip()


def _split_escaped(value: str, count: int) -> list[str]:
    """A structured value (N, ADR) that vobject left as one string (vCard 4.0): split on unescaped ';'."""
    parts = re.split(r'(?<!\\);', value)
    parts = [p.replace('\\;', ';').replace('\\,', ',').replace('\\n', '\n').strip() for p in parts]
    return (parts + [''] * count)[:count]


def _structured(line, names: tuple[str, ...]) -> dict[str, str]:
    value = line.value
    if isinstance(value, str):
        return dict(zip(names, _split_escaped(value, len(names))))
    return {name: _text(getattr(value, name, '')) for name in names}


_LINE_BREAK = re.compile(r'\r\n|\r|\n')
# the properties _card_values reads; the others (photos, logos, sounds, keys...) never reach vobject
_READ_PROPERTIES = {'BEGIN', 'END', 'VERSION', 'N', 'FN', 'ORG', 'TITLE', 'NOTE', 'EMAIL', 'TEL', 'ADR',
                    'X-RUBRICA-TYPE', 'X-RUBRICA-VAT', 'X-RUBRICA-PEC', 'X-RUBRICA-VISIBILITY'}
_PROPERTY_NAME = re.compile(r'(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)')


def split_vcards(text: str) -> list[tuple[int, str]]:
    """Each card of the file, with the line it starts on, as vobject should read it: only the properties we
    read. One pass over the lines; refused (naming the card's line and the bound) when a card has no
    END:VCARD, is longer than MAX_CARD_CHARS or has more than MAX_CARD_LINES lines we read, or when there are
    more than MAX_ROWS cards. Lines outside the cards are ignored."""
    cards: list[tuple[int, str]] = []
    kept: list[str] = []
    start = size = 0  # start: the line the open card began on, 0 outside a card
    keeping = continued = False  # the current property is one we read / its value goes on (quoted-printable)
    lines = _LINE_BREAK.split(text)
    if len(lines) > MAX_LINES:
        raise ValidationFailed.one('file', too_many_lines())
    for number, line in enumerate(lines, start=1):
        marker = line.strip().upper()
        if not start:
            if marker == 'BEGIN:VCARD':
                start, size, kept, keeping, continued = number, len(line), [line], True, False
                if len(cards) >= MAX_ROWS:
                    raise ValidationFailed.one('file', ngettext('has more than {count} card: split it',
                                                                'has more than {count} cards: split it', MAX_ROWS))
            continue
        size += len(line) + 1
        if size > MAX_CARD_CHARS:
            raise ValidationFailed.one('file', _('the vCard on line {line} is longer than {most} KiB, the most a card '
                                                 'may be', line=i18n.number(start),
                                                 most=i18n.number(MAX_CARD_CHARS // 1024)))
        if marker == 'BEGIN:VCARD':
            raise ValidationFailed.one('file', _('the vCard on line {line} has no END:VCARD before the next '
                                                 'BEGIN:VCARD (line {next})', line=i18n.number(start),
                                                 next=i18n.number(number)))
        if line[:1] in (' ', '\t') or continued:  # the value of the line before goes on
            pass
        elif marker == 'END:VCARD':
            kept.append(line)
            cards.append((start, '\r\n'.join(kept)))
            start = 0
            continue
        else:
            name = _PROPERTY_NAME.match(line)
            keeping = bool(name) and name.group(1).upper() in _READ_PROPERTIES
        continued = line.endswith('=') and 'QUOTED-PRINTABLE' in line.upper()  # vCard 2.1's soft line break
        if keeping and line.strip():
            kept.append(line)
            if len(kept) > MAX_CARD_LINES:
                raise ValidationFailed.one('file', _('the vCard on line {line} has more than {most} lines, the most '
                                                     'a card may have', line=i18n.number(start),
                                                     most=i18n.number(MAX_CARD_LINES)))
    if start:
        raise ValidationFailed.one('file', _('the vCard on line {line} has no END:VCARD', line=i18n.number(start)))
    return cards


def read_vcards(data: bytes, *, max_bytes: int = MAX_IMPORT_BYTES) -> list[Incoming]:
    """Each vCard (3.0 or 4.0) of the file as an Incoming contact; a card vobject cannot read is reported."""
    import vobject  # third-party, imported when first needed: ~40 ms of start-up most runs never use

    if len(data) > max_bytes:
        raise TooLarge(larger_than(max_bytes))
    text, _encoding = decode(data)
    chunks = split_vcards(text)
    if not chunks:
        raise ValidationFailed.one('file', _('holds no vCard (BEGIN:VCARD)'))
    cards: list[Incoming] = []
    # cut the file into cards first, so one broken card is reported instead of ending the whole file
    for number, (_line, chunk) in enumerate(chunks, start=1):
        incoming = Incoming(number)
        cards.append(incoming)
        try:
            card = vobject.readOne(chunk, ignoreUnreadable=True)
        except Exception as e:  # vobject raises many kinds of parse errors
            incoming.problem = _('is not a readable vCard ({reason})', reason=str(e)[:200])
            continue
        _card_values(card, incoming)
    return cards


def _card_values(card, incoming: Incoming) -> None:
    contents = card.contents
    values = incoming.values
    if 'n' in contents:
        name = _structured(contents['n'][0], ('family', 'given', 'additional', 'prefix', 'suffix'))
        values['first_name'] = name['given']
        values['last_name'] = name['family']
    if not values.get('first_name') and not values.get('last_name') and 'fn' in contents:
        values['full_name'] = _text(contents['fn'][0].value)
    if 'org' in contents:
        org = contents['org'][0].value
        values['company'] = _text(org[0] if isinstance(org, (list, tuple)) and org else
                                  _split_escaped(org, 1)[0] if isinstance(org, str) else org)
    for key, target in (('title', 'role'), ('note', 'description'), ('x-rubrica-type', 'type'),
                        ('x-rubrica-vat', 'vat_number'), ('x-rubrica-pec', 'pec'),
                        ('x-rubrica-visibility', 'visibility')):
        if key in contents:
            values[target] = _text(contents[key][0].value)
    for line in contents.get('email', []):
        types = {t.upper() for t in line.params.get('TYPE', [])}
        if 'PEC' in types and not values.get('pec'):
            values['pec'] = _text(line.value)
        else:
            incoming.emails.append(_text(line.value))
    for line in contents.get('tel', []):
        number = _text(line.value)
        incoming.phones.append(number[4:] if number.lower().startswith('tel:') else number)
    for line in contents.get('adr', []):
        parts = _structured(line, ('box', 'extended', 'street', 'city', 'region', 'code', 'country'))
        street = ', '.join(p for p in (parts['street'], parts['extended']) if p)
        incoming.addresses.append({'street': street, 'city': parts['city'], 'postal_code': parts['code'],
                                   'province': parts['region'], 'country': parts['country']})
