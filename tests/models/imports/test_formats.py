"""Import files as the readers take them: hostile and broken files are read in one pass within stated bounds and
refused with a message naming the bound; the separator is guessed from the header.

How long the old code took on these inputs (quadratic) is measured by bench/hostile_uploads.py, not here."""
from __future__ import annotations

import base64
import os

import pytest

from models.imports import formats as import_formats
from models.errors import ValidationFailed
from models.imports.formats import read_csv, read_vcards, sniff_delimiter


def refusal(error: pytest.ExceptionInfo) -> str:
    assert list(error.value.errors) == ['file']
    return error.value.errors['file']


# ---------------------------------------------------------------- vCards

def test_a_vcard_file_of_begin_lines_without_end_is_refused_naming_the_line():
    with pytest.raises(ValidationFailed) as error:
        read_vcards(b'BEGIN:VCARD\r\n' * 2000)
    assert refusal(error) == 'the vCard on line 1 has no END:VCARD before the next BEGIN:VCARD (line 2)'


def test_a_card_without_end_between_good_ones_is_refused_not_merged_with_the_next():
    text = ('BEGIN:VCARD\nVERSION:3.0\nFN:Ada Lovelace\nEND:VCARD\n'
            'BEGIN:VCARD\nVERSION:3.0\nFN:Broken Card\n'
            'BEGIN:VCARD\nVERSION:3.0\nFN:Charles Babbage\nEND:VCARD\n')
    with pytest.raises(ValidationFailed) as error:
        read_vcards(text.encode())
    assert refusal(error) == 'the vCard on line 5 has no END:VCARD before the next BEGIN:VCARD (line 8)'
    with pytest.raises(ValidationFailed) as error:
        read_vcards(b'BEGIN:VCARD\nVERSION:3.0\nFN:Ada Lovelace\nEND:VCARD\nBEGIN:VCARD\nFN:Last\n')
    assert refusal(error) == 'the vCard on line 5 has no END:VCARD'


def test_cards_past_the_size_and_line_bounds_are_refused():
    note = 'x' * import_formats.MAX_CARD_CHARS
    with pytest.raises(ValidationFailed) as error:
        read_vcards(f'BEGIN:VCARD\nFN:A\nEND:VCARD\nBEGIN:VCARD\nFN:Big\nNOTE:{note}\nEND:VCARD\n'.encode())
    assert refusal(error) == 'the vCard on line 4 is longer than 1,024 KiB, the most a card may be'
    emails = ''.join(f'EMAIL:p{n}@example.com\n' for n in range(import_formats.MAX_CARD_LINES))
    with pytest.raises(ValidationFailed) as error:
        read_vcards(f'BEGIN:VCARD\nFN:Many\n{emails}END:VCARD\n'.encode())
    assert refusal(error) == 'the vCard on line 1 has more than 1,000 lines, the most a card may have'


def test_too_many_cards_are_refused(monkeypatch):
    monkeypatch.setattr(import_formats, 'MAX_ROWS', 3)
    card = b'BEGIN:VCARD\nFN:A B\nEND:VCARD\n'
    assert len(read_vcards(card * 3)) == 3
    with pytest.raises(ValidationFailed) as error:
        read_vcards(card * 4)
    assert refusal(error) == 'has more than 3 cards: split it'


def test_photos_and_other_unread_properties_never_reach_the_card_reader():
    """A phone's export: a folded base64 photo, grouped properties, a label, a vCard 2.1 quoted-printable note."""
    photo = base64.b64encode(os.urandom(300_000)).decode()
    folded = '\r\n '.join(photo[i:i + 74] for i in range(0, len(photo), 74))
    text = ('BEGIN:VCARD\r\nVERSION:3.0\r\nN:Rossi;Mario;;;\r\nFN:Mario Rossi\r\n'
            f'PHOTO;ENCODING=b;TYPE=JPEG:{folded}\r\n'
            'item1.EMAIL;type=INTERNET:mario@example.com\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n'
            'TEL;TYPE=CELL:+39 347 123 4567\r\nEND:VCARD\r\n'
            'BEGIN:VCARD\r\nVERSION:2.1\r\nN:Bianchi;Chiara\r\n'
            'NOTE;ENCODING=QUOTED-PRINTABLE:Prima riga=0D=0A=\r\nseconda riga\r\nEND:VCARD\r\n')
    assert len(text) > 400_000
    chunks = import_formats.split_vcards(text)
    second = text.count('\n', 0, text.index('BEGIN:VCARD\r\nVERSION:2.1')) + 1
    assert [start for start, _ in chunks] == [1, second]
    assert 'PHOTO' not in chunks[0][1] and 'X-ABLabel' not in chunks[0][1] and len(chunks[0][1]) < 300
    mario, chiara = read_vcards(text.encode())
    assert (mario.values['first_name'], mario.values['last_name'], mario.emails, mario.phones) == \
        ('Mario', 'Rossi', ['mario@example.com'], ['+39 347 123 4567'])
    assert chiara.values['last_name'] == 'Bianchi' and chunks[1][1].endswith('=\r\nseconda riga\r\nEND:VCARD')


# ---------------------------------------------------------------- CSV

def test_a_csv_with_more_columns_than_the_bound_is_refused_naming_it():
    header = ','.join(f'Column {n}' for n in range(import_formats.MAX_COLUMNS + 1))
    with pytest.raises(ValidationFailed) as error:
        read_csv(f'{header}\n{"x," * import_formats.MAX_COLUMNS}x\n'.encode())
    assert refusal(error) == 'has 201 columns; at most 200 can be imported: remove the columns you do not need'
    with pytest.raises(ValidationFailed) as error:
        read_csv(f'Name,Email\nAda,ada@example.com\n{"x," * import_formats.MAX_COLUMNS}x\n'.encode())
    assert refusal(error) == 'line 3 has 201 cells; at most 200 columns can be imported'
    assert len(read_csv(f'{header.rsplit(",", 1)[0]}\nAda\n'.encode()).headers) == import_formats.MAX_COLUMNS


def test_a_million_columns_are_refused_before_they_are_split():
    with pytest.raises(ValidationFailed) as error:
        read_csv(','.join(['c'] * 1_000_000).encode() + b'\nAda\n')
    assert refusal(error) == ('line 1 is longer than 131,072 characters, the most a row may have (it has more than '
                              '200 columns, the most that can be imported)')


def test_a_row_longer_than_the_bound_is_refused_naming_its_line():
    unclosed = 'Name,Notes\nAda,fine\nBob,"an open quote' + '\nand more' * (import_formats.MAX_ROW_CHARS // 9) + '\n'
    with pytest.raises(ValidationFailed) as error:
        read_csv(unclosed.encode())
    assert refusal(error) == ('the row that starts on line 3 is longer than 131,072 characters, the most a row may '
                              'have (is a quote left open?)')
    crafted = "-'a" * 350_000  # 1 MB on one line: made for csv.Sniffer's backtracking
    with pytest.raises(ValidationFailed) as error:
        read_csv(crafted.encode())
    assert refusal(error).startswith('line 1 is longer than 131,072 characters')
    long_cell = 'x' * (import_formats.MAX_ROW_CHARS - 100)
    assert read_csv(f'Name,Notes\nAda,"{long_cell}"\n'.encode()).rows == [['Ada', long_cell]]


def test_lines_and_filled_cells_are_bounded(monkeypatch):
    monkeypatch.setattr(import_formats, 'MAX_CELLS', 10)
    assert len(read_csv(b'A,B\n' + b'1,2\n' * 5).rows) == 5
    with pytest.raises(ValidationFailed) as error:
        read_csv(b'A,B\n' + b'1,2\n' * 6)
    assert refusal(error) == 'has more than 10 filled cells: split it'
    monkeypatch.setattr(import_formats, 'MAX_LINES', 100)
    with pytest.raises(ValidationFailed) as error:
        read_csv(b'A,B\n1,2\n' + b'\n' * 100)
    assert refusal(error) == 'has more than 100 lines: split it'


def test_crafted_lines_for_the_separator_guess_are_read_like_any_other():
    """Twenty lines of quotes that made csv.Sniffer backtrack: one column, comma-separated."""
    crafted = ("-'a" * 1000 + '\n') * 20
    assert sniff_delimiter(crafted) == ','
    parsed = read_csv(crafted.encode())
    assert (parsed.delimiter, len(parsed.headers), len(parsed.rows)) == (',', 1, 19)


def test_separator_guess_when_the_header_does_not_decide():
    assert sniff_delimiter('a;b,c\n1;2;3,4\n5;6;7,8\n9,10\n') == ','  # most lines have the header's width
    assert sniff_delimiter('a;b,c\n1;2;3,4\n5;6\n7;8\n') == ';'
    assert sniff_delimiter('"Name, full"\nAda\n') == ','


def test_utf16_with_an_odd_length_is_refused_not_a_crash():
    with pytest.raises(ValidationFailed) as error:
        read_csv(b'\xff\xfeN\x00a\x00m\x00e\x00\n')
    assert refusal(error).startswith('starts like UTF-16 text (a byte-order mark) but is not: byte 10 cannot be '
                                     'read (truncated data)')
    with pytest.raises(ValidationFailed):
        read_vcards(b'\xfe\xff\x00B\x00E\x00')
    assert read_csv('Name\nAda\n'.encode('utf-16')).rows == [['Ada']]


def test_separator_detection_trusts_the_header():
    assert sniff_delimiter('Nome;Cognome;Note\nAda;Lovelace;"uno, due, tre, quattro"\n') == ';'
    assert sniff_delimiter('Name,Notes\nAda,"a;b;c;d;e"\n') == ','
    assert sniff_delimiter('Name\tCity\nAda\tLondon, UK\n') == '\t'
    assert sniff_delimiter('Name\nAda\n') == ','
