"""Reading an uploaded file in a worker: a CSV file's header and rows (with the given or guessed column
mapping), a vCard file's cards, or what the preview shows."""
from __future__ import annotations

from ..errors import ValidationFailed
from .formats import (PREVIEW_ROWS, CsvFile, Incoming, MappedCsv, check_mapping, guess_mapping, read_csv,
                      read_vcards)
from .workers import off_loop


async def read_upload(data: bytes, file_format: str) -> CsvFile | list[Incoming]:
    """A CSV file's header and rows, or a vCard file's cards, read in a worker."""
    if file_format == 'vcard':
        return await off_loop(read_vcards, data)
    if file_format == 'csv':
        return await off_loop(read_csv, data)
    raise ValidationFailed.one('format', 'must be csv or vcard')


def read_mapped(data: bytes, kind: str, mapping: list[str] | None) -> MappedCsv:
    """In a worker: the file's rows with the given or guessed mapping, checked there, so that a file that maps
    nothing is refused without its rows travelling back."""
    parsed = read_csv(data)
    mapping = check_mapping(mapping if mapping is not None else guess_mapping(parsed.headers, kind),
                            parsed.headers, kind)
    return MappedCsv(parsed.headers, mapping, parsed.rows)


def _preview(data: bytes) -> dict:
    parsed = read_csv(data)
    return {'encoding': parsed.encoding, 'delimiter': parsed.delimiter, 'headers': parsed.headers,
            'rows': parsed.preview(PREVIEW_ROWS), 'row_count': len(parsed.rows)}


async def preview_csv(data: bytes) -> dict:
    """What the preview shows of a CSV file (encoding, separator, header, first rows, row count), read in a
    worker; only that comes back, not every row."""
    return await off_loop(_preview, data)


Rows = list[Incoming] | MappedCsv


def part(rows: Rows, start: int, stop: int) -> Rows:
    return rows.part(start, stop) if isinstance(rows, MappedCsv) else rows[start:stop]
