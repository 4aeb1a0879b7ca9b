"""The translation catalogs match the code: every text marked for translation (`_`, `ngettext`, `N_` where
models.i18n.TRANSLATED_CODE says) has an Italian and a French translation, with the same `{placeholders}`, and the
catalogs keep no text the code no longer has. `make messages` brings the catalogs up to date; a person translates."""
from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from models import i18n

PLACEHOLDER = re.compile(r'\{(\w*)[^{}]*\}')
TEXTS = i18n.texts_in_code()


def _catalog(language: str):
    with i18n.catalog_path(language).open('rb') as po:
        return read_po(po, locale=language)


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_the_code_marks_texts_for_translation():
    assert ('Log in' in TEXTS) and len(TEXTS) > 10


@pytest.mark.parametrize('language', [code for code in i18n.LANGUAGES if code != i18n.DEFAULT])
def test_every_text_is_translated_and_none_is_stale(language: str):
    catalog = _catalog(language)
    entries = {message.id if isinstance(message.id, str) else tuple(message.id): message
               for message in catalog if message.id}
    missing = sorted(map(str, TEXTS - entries.keys()))
    stale = sorted(map(str, entries.keys() - TEXTS))
    assert not missing, f'{language}: not in the catalog (run `make messages`, then translate): {missing}'
    assert not stale, f'{language}: in the catalog but no longer in the code (run `make messages`): {stale}'
    problems = []
    for key, message in entries.items():
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        sources = [key] if isinstance(key, str) else list(key)
        if 'fuzzy' in message.flags or not i18n.translated(message.string):
            problems.append(f'{key!r}: not translated')
        elif any(_placeholders(form) - set().union(*map(_placeholders, sources)) for form in forms):
            problems.append(f'{key!r}: a translation uses a placeholder the English text does not fill')
    assert not problems, f'{language}: ' + '; '.join(problems)
