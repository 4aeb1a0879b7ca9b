"""Exports of the current (searched and filtered) list: CSV for contacts and companies, vCard for contacts.

Only what the caller may see: the records come from records.filtered (the access gate, the search and the
list's filters, and a selection of ids when one is given), read in chunks of ids so 100,000 records never sit in
memory at once; a contact's company
is written by name only when the caller may see that company. Mentions in the notes are written as people read
them, `@Name` (the member's current name), never as the stored `@[Name](user:ID)` markup. CSV cells are separated
by commas, or by semicolons (what Excel expects where the decimal separator is a comma: Italy, France, Germany…)
or tabs. Cells a spreadsheet would run as a formula (starting with =, @, tab or CR, or with + or - followed by
more than a number: "+39 02 1234 5678" is a phone number and is left alone) get a leading quote; our importer
takes it off again.

`open_export` is the one way in, for the API's export routes and the pages' export downloads alike; a background
export (models/jobs/exports.py) checks its request with `check_export` when it is started and writes it with
`write_export` when it runs: the same writer, the same bytes.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from ..access import Action, parse_id, require
from ..errors import NotFound, ValidationFailed
from ..i18n import N_, _
from ..imports.formats import ADDRESS_SLOTS, FORMULA_STARTS
from ..mentions import readable
from ..orgs.tables import Membership
from . import service as records
from .bulk import MAX_IDS, at_most_records
from .tables import COMPANY, CONTACT, Kind, Record

CHUNK = 1000
Progress = Callable[[int], Awaitable[None]]  # told how many records were written so far, after each chunk
CSV_TYPE = 'text/csv; charset=utf-8'
VCARD_TYPE = 'text/vcard; charset=utf-8'
# the headers of the export, in English here and in the reader's language in a file (models/imports/formats.py
# recognises them in each language)
ADDRESS_LABELS = (('street', N_('Address {number} street')), ('city', N_('Address {number} city')),
                  ('postal_code', N_('Address {number} postal code')), ('province', N_('Address {number} province')),
                  ('country', N_('Address {number} country')))
_CONTACT_HEADERS = (N_('First name'), N_('Last name'), N_('Company'), N_('Type'), N_('Role'))
_COMPANY_HEADERS = (N_('Name'), N_('Type'), N_('Sector'), N_('SDI recipient code'), N_('Company registration number'))


SEPARATORS = {'comma': ',', 'semicolon': ';', 'tab': '\t'}  # the names the API and the pages use
# countries whose spreadsheets write decimals with a comma, so that Excel there reads CSV cells split by semicolons
SEMICOLON_COUNTRIES = frozenset({
    'IT', 'FR', 'DE', 'AT', 'BE', 'ES', 'PT', 'NL', 'LU', 'GR', 'DK', 'SE', 'NO', 'FI', 'IS', 'PL', 'CZ', 'SK',
    'SI', 'HR', 'HU', 'RO', 'BG', 'EE', 'LV', 'LT', 'TR', 'RU', 'UA', 'BR', 'AR', 'CL', 'CO', 'SM', 'VA', 'MC'})
_A_NUMBER = re.compile(r'[+-][\d ]*\d[\d ]*')  # "+39 02 1234 5678", "-12": nothing a spreadsheet would run


def separator_named(name: object) -> str:
    """The separator character for one of SEPARATORS' names; anything else is a refusal naming `separator`."""
    if name not in SEPARATORS:
        raise ValidationFailed.one('separator', _('must be comma, semicolon or tab'))
    return SEPARATORS[name]


def usual_separator(country: str) -> str:
    """The separator a spreadsheet of that country reads without asking: 'semicolon' or 'comma'."""
    return 'semicolon' if country in SEMICOLON_COUNTRIES else 'comma'


def neutralise(value: object) -> str:
    """The cell with a leading quote when a spreadsheet would run it as a formula; a number or a phone number
    (a + or - followed by digits and spaces) is not one."""
    text = '' if value is None else str(value)
    if not text.startswith(FORMULA_STARTS) or _A_NUMBER.fullmatch(text):
        return text
    return "'" + text


def csv_headers(kind: Kind) -> list[str]:
    """The header line of a CSV export, in the reader's language."""
    own = [_(header) for header in (_CONTACT_HEADERS if kind is CONTACT else _COMPANY_HEADERS)]
    return own + [_('Email {number}', number=n) for n in (1, 2, 3)] + [_('PEC')] + \
        [_('Phone {number}', number=n) for n in (1, 2, 3)] + \
        [_(label, number=n) for n in range(1, ADDRESS_SLOTS + 1) for _part, label in ADDRESS_LABELS] + \
        [_('VAT number'), _('Visibility'), _('Notes')]


def _padded(values: list, count: int, empty: object = '') -> list:
    return (list(values) + [empty] * count)[:count]


async def member_names(org_id: int) -> dict[int, str]:
    """The current names of the organization's people, for the mentions in the notes."""
    return dict(await Membership.filter(org_id=org_id).values_list('user_id', 'user__name'))


def csv_row(kind: Kind, record: Record, company_name: str, names: Mapping[int, str] | None = None) -> list[str]:
    own = [record.first_name, record.last_name, company_name, record.type, record.role] if kind is CONTACT \
        else [record.name, record.type, record.sector, record.sdi_code, record.registration_number]
    addresses = _padded(record.addresses, ADDRESS_SLOTS, {})
    cells = own + _padded(record.emails, 3) + [record.pec] + _padded(record.phones, 3) + \
        [a.get(part, '') for a in addresses for part, _label in ADDRESS_LABELS] + \
        [record.vat_number, record.visibility, readable(record.description, names)]
    return [neutralise(cell) for cell in cells]


def visible_query(kind: Kind, actor: Membership, *, q: str = '', ids: list[int] | None = None,
                  **filters: object):
    """The records of the filtered list (only those among `ids`, when given), as one query."""
    require(actor.role, Action.SEE_RECORDS)
    query = records.filtered(kind, actor, q=q, **filters)
    return query.filter(id__in=ids) if ids is not None else query


async def visible_chunks(kind: Kind, actor: Membership, *, q: str = '', ids: list[int] | None = None,
                         progress: Progress | None = None,
                         **filters: object) -> AsyncIterator[tuple[list[Record], dict[int, str]]]:
    """The records of the filtered list (only those among `ids`, when given) in id order, a chunk at a time, with
    the names of the visible companies; `progress` is told how many were handed out once each chunk was written."""
    query = visible_query(kind, actor, q=q, ids=ids, **filters)
    last = done = 0
    while True:
        chunk = await query.filter(id__gt=last).order_by('id').limit(CHUNK)
        if not chunk:
            return
        last = chunk[-1].id
        names: dict[int, str] = {}
        if kind is CONTACT:
            companies = await records.visible_companies_by_id(actor, [r.company_id for r in chunk])
            names = {company_id: company.name for company_id, company in companies.items()}
        yield chunk, names
        done += len(chunk)
        if progress is not None:
            await progress(done)
        if len(chunk) < CHUNK:
            return


async def export_csv(kind: Kind, actor: Membership, *, q: str = '', separator: str = 'comma',
                     ids: list[int] | None = None, headers: list[str] | None = None, progress: Progress | None = None,
                     **filters: object) -> AsyncIterator[str]:
    """The CSV text in pieces (UTF-8 with a BOM when encoded, so spreadsheets read the accents right), its cells
    separated by the named separator (SEPARATORS); `headers` are csv_headers(kind) in the language of whoever
    asked for it (written once the file is read, which may be in another task)."""
    require(actor.role, Action.SEE_RECORDS)
    delimiter = separator_named(separator)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator='\r\n')
    writer.writerow(headers or csv_headers(kind))
    yield '\ufeff' + out.getvalue()
    names = await member_names(actor.org_id)
    async for chunk, company_names in visible_chunks(kind, actor, q=q, ids=ids, progress=progress, **filters):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator='\r\n')
        for record in chunk:
            writer.writerow(csv_row(kind, record, company_names.get(getattr(record, 'company_id', None), ''), names))
        yield out.getvalue()


def vcard(record: Record, company_name: str, names: Mapping[int, str] | None = None) -> str:
    """One contact as a vCard 3.0."""
    import vobject  # third-party, imported when first needed: ~40 ms of start-up most runs never use

    card = vobject.vCard()
    card.add('n').value = vobject.vcard.Name(family=record.last_name, given=record.first_name)
    card.add('fn').value = record.display_name or company_name or _('(no name)')
    if company_name:
        card.add('org').value = [company_name]
    if record.role:
        card.add('title').value = record.role
    for address in record.emails:
        line = card.add('email')
        line.value = address
        line.type_param = 'INTERNET'
    if record.pec:
        card.add('x-rubrica-pec').value = record.pec
    for number in record.phones:
        card.add('tel').value = number
    for address in record.addresses:
        card.add('adr').value = vobject.vcard.Address(
            street=address.get('street', ''), city=address.get('city', ''), region=address.get('province', ''),
            code=address.get('postal_code', ''), country=address.get('country', ''))
    if record.description:
        card.add('note').value = readable(record.description, names)
    if record.type:
        card.add('x-rubrica-type').value = record.type
    if record.vat_number:
        card.add('x-rubrica-vat').value = record.vat_number
    if record.visibility != 'public':
        card.add('x-rubrica-visibility').value = record.visibility
    return card.serialize()


async def export_vcards(actor: Membership, *, q: str = '', ids: list[int] | None = None,
                        progress: Progress | None = None, **filters: object) -> AsyncIterator[str]:
    require(actor.role, Action.SEE_RECORDS)
    names = await member_names(actor.org_id)
    async for chunk, company_names in visible_chunks(CONTACT, actor, q=q, ids=ids, progress=progress, **filters):
        yield ''.join(vcard(record, company_names.get(record.company_id, ''), names) for record in chunk)


async def collect(pieces: AsyncIterator[str]) -> bytes:
    """The whole export as bytes, at once."""
    return ''.join([piece async for piece in pieces]).encode('utf-8')


@dataclass(frozen=True)
class Export:
    """An export ready to send: the file's name and type, and its bytes (UTF-8) as they are written."""
    filename: str
    content_type: str
    chunks: AsyncIterator[bytes]


EXPORTS: dict[str, tuple[Kind, str]] = {'contacts.csv': (CONTACT, CSV_TYPE), 'companies.csv': (COMPANY, CSV_TYPE),
                                        'contacts.vcf': (CONTACT, VCARD_TYPE)}


@dataclass(frozen=True)
class ExportRequest:
    """What an export writes, checked: which file, of which records (the narrowing filters the list has, the
    selected ids parsed), its separator's name. JSON-safe, so that a background job can keep it (models/jobs)."""
    filename: str
    q: str
    filters: dict[str, object]
    separator: str
    ids: list[int] | None

    @property
    def kind(self) -> Kind:
        return EXPORTS[self.filename][0]

    @property
    def content_type(self) -> str:
        return EXPORTS[self.filename][1]


def check_export(actor: Membership, filename: str, *, q: str = '', filters: Mapping[str, object] | None = None,
                 separator: object = 'comma', ids: Sequence[object] | None = None) -> ExportRequest:
    """The export called `filename` (one of EXPORTS) of the list searched with `q` and narrowed by `filters`; a CSV
    file's cells separated by `separator` (a name of SEPARATORS: comma, semicolon or tab); only the selected
    records `ids` when given (a list's selection: at most bulk.MAX_IDS; what names no record matches nothing).

    `filters` may hold any names (a page's query string): those the list has (records.FILTERS) narrow it, the
    others are left out. Checked now, before any of the file is written: an unknown name is NotFound, and a role
    that may not see records gets Forbidden, not an empty file.
    """
    if filename not in EXPORTS:
        raise NotFound('export')
    require(actor.role, Action.SEE_RECORDS)
    kind, content_type = EXPORTS[filename]
    if content_type == CSV_TYPE:
        separator_named(separator)
    narrowing = {name: value for name, value in (filters or {}).items() if name in records.FILTERS[kind.name]}
    if ids is not None:
        if len(ids) > MAX_IDS:
            raise ValidationFailed.one('ids', at_most_records(MAX_IDS))
        ids = [i for i in (parse_id(i) for i in ids) if i is not None]
    return ExportRequest(filename, q or '', narrowing, str(separator), None if ids is None else list(ids))


def open_export(actor: Membership, filename: str, *, q: str = '', filters: Mapping[str, object] | None = None,
                separator: object = 'comma', ids: Sequence[object] | None = None,
                progress: Progress | None = None) -> Export:
    """The export (see check_export for what it is and what is refused, at once), written as it is read.
    `progress` is told how many records were written, after each chunk (a background export's progress)."""
    return write_export(actor, check_export(actor, filename, q=q, filters=filters, separator=separator, ids=ids),
                        progress=progress)


def write_export(actor: Membership, request: ExportRequest, *, progress: Progress | None = None) -> Export:
    """A checked export's file, written as it is read: the one writer of every export, the API's and the pages'
    streams and the background exports' files (models/jobs/exports.py) alike."""
    kind, content_type = request.kind, request.content_type
    pieces = export_vcards(actor, q=request.q, ids=request.ids, progress=progress, **request.filters) \
        if content_type == VCARD_TYPE else \
        export_csv(kind, actor, q=request.q, separator=request.separator, ids=request.ids,
                   headers=csv_headers(kind), progress=progress, **request.filters)
    return Export(request.filename, content_type, _encoded(pieces))


async def count_export(actor: Membership, request: ExportRequest) -> int:
    """How many records a checked export holds now (a background export's total)."""
    return await visible_query(request.kind, actor, q=request.q, ids=request.ids, **request.filters).count()


async def _encoded(pieces: AsyncIterator[str]) -> AsyncIterator[bytes]:
    async for piece in pieces:
        yield piece.encode('utf-8')
