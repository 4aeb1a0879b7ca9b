"""The languages: which one a client's Accept-Language gets, texts and counted texts in each, and the language of a
task (a request, a page) that does not leak into another."""
from __future__ import annotations

import asyncio

import pytest

from models import i18n


@pytest.mark.parametrize(('header', 'language'), [
    ('it-IT,it;q=0.9,en-US;q=0.8', 'it'), ('fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5', 'fr'),
    ('de-DE,de;q=0.9', 'en'), ('en-GB;q=0.2, it;q=0.8', 'it'), ('fr;q=0', 'en'), ('it;q=abc', 'en'),
    ('', 'en'), (None, 'en'), ('x' * 10_000, 'en'), ('FR_fr', 'fr'),
])
def test_the_best_language_for_an_accept_language(header, language):
    assert i18n.negotiate(header) == language


async def test_texts_and_counts_in_each_language():
    async def in_language(language: str) -> tuple[str, str, str]:
        i18n.use(language)
        return i18n._('Log in'), i18n.ngettext('{count} row', '{count} rows', 1), i18n.current()

    english, italian, french = await asyncio.gather(in_language('en'), in_language('it'), in_language('fr'))
    assert english[0] == 'Log in' and italian[0] == 'Accedi' and french[0] == 'Se connecter'
    assert [english[2], italian[2], french[2]] == ['en', 'it', 'fr']  # each task kept its own


async def test_a_language_rubrica_does_not_speak_is_english():
    i18n.use('de')
    assert i18n.current() == 'en' and i18n._('Log in') == 'Log in'
    assert i18n.ngettext('{count} row', '{count} rows', 1200) == '1,200 rows'  # numbers in the language's format
