"""No English on an Italian or French page: the main pages are walked in each language with NiceGUI's simulated
user, and no text shown (labels, buttons, field labels and placeholders, table headings, choices) may be an English
text of the catalog whose translation differs: a text marked for translation but shown untranslated (a table of
labels read without `_()`, a handler that lost the page's language) fails here."""
from __future__ import annotations

import pytest
from nicegui import ElementFilter
from nicegui.testing import User

from models import i18n
from models.kiosk import service as kiosk
from models.records import service as records
from models.records.tables import COMPANY, CONTACT
from tests.drivers import log_in

TEXT_PROPS = ('label', 'placeholder', 'hint', 'title', 'prefix', 'suffix', 'no-data-label', 'no-results-label')


def _shown_texts(user: User) -> set[str]:
    """Every text the open page shows, element by element."""
    texts = set()
    with user:
        for element in ElementFilter(only_visible=True, local_scope=False):
            if isinstance(getattr(element, 'text', None), str):
                texts.add(element.text)
            props = element.props
            texts.update(props[name] for name in TEXT_PROPS if isinstance(props.get(name), str))
            for listed in ('columns', 'options'):
                for item in props.get(listed) or ():
                    if isinstance(item, dict) and isinstance(item.get('label'), str):
                        texts.add(item['label'])
    return {text.strip() for text in texts if text and text.strip()}


def _english_left(language: str, texts: set[str]) -> list[str]:
    catalog = i18n.translations(language)
    english = {text for text in i18n.texts_in_code() if isinstance(text, str)}
    return sorted(text for text in texts & english if catalog.gettext(text) != text)


@pytest.mark.parametrize('language', ['it', 'fr'])
async def test_the_main_pages_show_no_english(user: User, make_org, language: str):
    i18n.use(language)  # the organization is made by someone speaking it: its lists are in that language too
    team = await make_org('Officine', owner='Olga Owner', members=['Mario Member'])
    owner = team.owner.membership
    company = await records.create_record(COMPANY, owner, {'name': 'Officine Meccaniche S.r.l.'})
    contact = await records.create_record(CONTACT, owner, {'first_name': 'Marco', 'last_name': 'Rossi',
                                                           'company_id': company.id, 'emails': ['m@rossi.example']})
    await records.create_record(CONTACT, owner, {'first_name': 'Marco', 'last_name': 'Rossi'})
    _, token = await kiosk.create_kiosk_link(actor=owner, name='Reception', language=language)
    team.owner.user.language = language
    await team.owner.user.save(update_fields=['language'])
    i18n.use(None)

    await log_in(user, team.owner)
    found = {}
    for path in ('/', '/contacts', '/companies', f'/contacts/{contact.id}', f'/companies/{company.id}', '/import',
                 '/duplicates', '/settings', '/projects', '/tasks', '/tickets', f'/kiosk/{token}'):
        await user.open(path)
        if left := _english_left(language, _shown_texts(user)):
            found[path] = left
    assert not found, f'English on {language} pages: {found}'
