"""Single-line fields refuse control and text-direction characters and drop invisible ones; a description keeps its
lines and tabs. Each refusal names the field and the character."""
from __future__ import annotations

import pytest

from models.errors import ValidationFailed
from models.labels import field_label
from models.validation import address_list, clean_text


@pytest.mark.parametrize('value, message', [
    ('Ada\x1b[31m Lovelace', 'must not contain control characters (U+001B)'),  # an ANSI escape
    ('Ada\x07', 'must not contain control characters (U+0007)'),
    ('Ada\x7f', 'must not contain control characters (U+007F)'),
    ('Ada\x9bLovelace', 'must not contain control characters (U+009B)'),  # C1
    ('Ada\x00', 'must not contain NUL characters'),
    ('invoice\u202efdp.exe', 'must not contain characters that override the text direction (U+202E)'),
    ('Ada\u202aLovelace', 'must not contain characters that override the text direction (U+202A)'),
    ('\u2067Ada\u2069', 'must not contain characters that override the text direction (U+2067)'),  # an isolate
    ('Ada\nLovelace', 'must be a single line (no line breaks or tabs)'),
    ('Ada\tLovelace', 'must be a single line (no line breaks or tabs)'),
    ('Ada\u2028Lovelace', 'must be a single line (no line breaks or tabs)'),
    ('Ada\ud800', 'contains an invalid character (U+D800)'),
])
def test_single_line_text_refuses_controls_naming_field_and_character(value, message):
    with pytest.raises(ValidationFailed) as refused:
        clean_text('first_name', value)
    assert refused.value.errors == {'first_name': message}


@pytest.mark.parametrize('value, kept', [
    ('A\u200bda', 'Ada'),  # zero-width space
    ('\ufeffAda\u2060', 'Ada'),  # byte order mark, word joiner
    ('A\u200dda', 'Ada'),  # a joiner between Latin letters joins nothing: it only makes "Ada" differ from "Ada"
    ('\u200b  Ada Lovelace \u200b', 'Ada Lovelace'),
    ('  Ada\n', 'Ada'),  # surrounding white space is trimmed, as before
    ('👩\u200d💻 Ada', '👩\u200d💻 Ada'),  # an emoji sequence needs its joiner
    ('می\u200cخواهم', 'می\u200cخواهم'),  # Persian needs the non-joiner
    ('\u200fשלום Ada', '\u200fשלום Ada'),  # direction marks are kept: mixed-direction text needs them
    ('Müller 株式会社', 'Müller 株式会社'),
])
def test_single_line_text_drops_invisible_characters_and_keeps_real_text(value, kept):
    assert clean_text('name', value) == kept


def test_multi_line_text_keeps_lines_and_tabs_but_refuses_other_controls():
    assert clean_text('description', 'First line\r\n\tindented\rthird\u2028fourth', multiline=True) == \
        'First line\n\tindented\nthird\nfourth'
    with pytest.raises(ValidationFailed) as refused:
        clean_text('description', 'Hello\x1b]0;title\x07', multiline=True)
    assert refused.value.errors == {'description': 'must not contain control characters (U+001B)'}
    with pytest.raises(ValidationFailed) as refused:
        clean_text('description', 'see file\u202egnp.exe', multiline=True)
    assert 'description' in refused.value.errors


def test_an_address_street_on_two_lines_is_joined_not_refused():
    assert address_list('addresses', [{'street': 'Via Roma 1\nScala B', 'city': 'Milano'}]) == \
        [{'street': 'Via Roma 1, Scala B', 'city': 'Milano', 'postal_code': '', 'province': '', 'country': ''}]
    with pytest.raises(ValidationFailed) as refused:
        address_list('addresses', [{'street': 'Via Roma 1', 'city': 'Mil\x1bano'}])
    assert refused.value.errors == {'addresses[0].city': 'must not contain control characters (U+001B)'}


@pytest.mark.parametrize('key, label', [
    ('emails[0]', 'Email 1'), ('phones[2]', 'Phone 3'), ('addresses[1].city', 'Address 2, city'),
    ('addresses[0].postal_code', 'Address 1, postal code'), ('vat_number', 'VAT number'),
    ('contact_types[5]', 'Contact types, value 6'), ('frame_origins[0]', 'Sites that may frame it, value 1'),
    ('due_date', 'Due date'), ('pec', 'PEC (certified email)'), ('emails', 'Emails')])
def test_messages_name_fields_by_their_labels(key, label):
    assert field_label(key) == label
    assert ValidationFailed.one(key, 'is wrong').message == f'{label}: is wrong'
