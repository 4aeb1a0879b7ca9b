"""The languages: which one a client's Accept-Language gets, texts and counted texts in each, and the language of a
task (a request, a page) that does not leak into another."""
from __future__ import annotations

import asyncio

import pytest

from models import i18n, validation
from models.errors import ValidationFailed
from models.labels import field_label


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


FIELD_KEYS = ['emails[1]', 'addresses[0].city', 'vat_number', 'sectors[4]', 'pec', 'due_date']


@pytest.mark.parametrize(('language', 'labels'), [
    ('en', ['Email 2', 'Address 1, city', 'VAT number', 'Sectors, value 5', 'PEC (certified email)', 'Due date']),
    ('it', ['Email 2', 'Indirizzo 1, città', 'Partita IVA', 'Settori, valore 5', 'PEC (posta elettronica certificata)',
            'Due date']),
    ('fr', ['E-mail 2', 'Adresse 1, ville', 'Numéro de TVA', 'Secteurs, valeur 5', 'PEC (e-mail certifié)',
            'Due date']),
])
async def test_field_labels_in_the_readers_language(language, labels):
    i18n.use(language)  # this test's task only
    assert [field_label(key) for key in FIELD_KEYS] == labels


async def test_a_refusal_names_the_field_in_the_readers_language():
    i18n.use('fr')
    with pytest.raises(ValidationFailed) as refused:
        validation.vat_number('vat_number', 'IT12345678901')
    assert refused.value.errors['vat_number'].startswith("IT12345678901 n'est pas un numéro de TVA UE valide (")
    assert refused.value.message.startswith("Numéro de TVA : IT12345678901 n'est pas un numéro de TVA UE valide (")
