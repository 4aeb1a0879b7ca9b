"""Reading an uploaded file in a worker: which format it is in, what the preview shows of it (a CSV file's header,
first rows and guessed column mapping, or a vCard file's number of cards), and a file's rows for the import (a CSV
file's with the given or guessed column mapping, a vCard file's cards).

The import page and the API call the same functions: `sniff_format` and `preview` here, then
writing.import_file."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..access import Action, require
from ..errors import ValidationFailed
from ..i18n import _
from ..orgs.tables import Membership
from ..records.service import kind_named
from .formats import (PREVIEW_ROWS, CsvFile, Incoming, MappedCsv, check_mapping, guess_mapping, read_csv, read_vcards,
                      target_labels)
from .workers import off_loop

FORMATS = ('csv', 'vcard')
VCARD_SUFFIXES = ('.vcf', '.vcard')


def sniff_format(data: bytes, filename: str = '') -> str:
    """'vcard' for a file named .vcf or .vcard, or one that begins with a vCard; else 'csv'."""
    if filename.lower().endswith(VCARD_SUFFIXES) or data.lstrip()[:11].upper() == b'BEGIN:VCARD':
        return 'vcard'
    return 'csv'


def _check_format(file_format: str) -> None:
    if file_format not in FORMATS:
        raise ValidationFailed.one('format', _('must be csv or vcard'))


async def read_upload(data: bytes, file_format: str) -> CsvFile | list[Incoming]:
    """A CSV file's header and rows, or a vCard file's cards, read in a worker."""
    _check_format(file_format)
    return await off_loop(read_vcards if file_format == 'vcard' else read_csv, data)


def read_mapped(data: bytes, kind: str, mapping: list[str] | None) -> MappedCsv:
    """In a worker: the file's rows with the given or guessed mapping, checked there, so that a file that maps
    nothing is refused without its rows travelling back."""
    parsed = read_csv(data)
    mapping = check_mapping(mapping if mapping is not None else guess_mapping(parsed.headers, kind),
                            parsed.headers, kind)
    return MappedCsv(parsed.headers, mapping, parsed.rows)


@dataclass
class Preview:
    """What the preview shows of a file before it is imported. A vCard file has only its number of cards; a CSV
    file its encoding, separator, header, first rows (a cell for every column), the column mapping guessed for
    the kind of record and the fields a column may go to."""
    file_format: str
    row_count: int  # the rows of a CSV file, the cards of a vCard file
    encoding: str = ''
    delimiter: str = ''
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    mapping: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    def for_kind(self, kind: str) -> 'Preview':
        """The same file previewed for contacts or for companies: the mapping guessed, and the fields offered,
        for that kind of record."""
        kind = kind_named(kind).name
        if self.file_format == 'csv':
            self.mapping, self.fields = guess_mapping(self.headers, kind), target_labels(kind)
        return self


def _preview(data: bytes, file_format: str) -> Preview:
    """In a worker: only what the preview shows travels back, not every row."""
    if file_format == 'vcard':
        return Preview('vcard', len(read_vcards(data)))
    parsed = read_csv(data)
    return Preview('csv', len(parsed.rows), parsed.encoding, parsed.delimiter, parsed.headers,
                   parsed.preview(PREVIEW_ROWS))


async def preview(actor: Membership, *, kind: str, data: bytes, file_format: str = 'csv') -> Preview:
    """What the preview shows of a file to import as records of this kind, read in a worker."""
    require(actor.role, Action.EDIT_RECORDS)
    kind_named(kind)
    _check_format(file_format)
    return (await off_loop(_preview, data, file_format)).for_kind(kind)


Rows = list[Incoming] | MappedCsv


def part(rows: Rows, start: int, stop: int) -> Rows:
    return rows.part(start, stop) if isinstance(rows, MappedCsv) else rows[start:stop]
