"""A country reads as its name in the reader's language ("Italy", "Italia", not "IT") wherever a page shows an
address: the card (test_record_card.py), the kiosk's card and the merge dialog."""
from __future__ import annotations

import pytest
from nicegui.testing import User

from models.kiosk import service as kiosk
from models.records.service import create_record
from models.records.tables import COMPANY, CONTACT
from tests.drivers import PATIENCE, log_in


@pytest.mark.parametrize('language, shown', [('en', 'Milano, Italy'), ('it', 'Milano, Italia'),
                                              ('fr', 'Lyon, France')])
async def test_the_kiosk_card_names_the_country_in_its_language(user: User, acme, language, shown):
    city, country = shown.split(', ')
    company = await create_record(COMPANY, acme.owner.membership, {
        'name': 'Officine Spa', 'addresses': [{'city': city, 'country': 'IT' if city == 'Milano' else 'FR'}]})
    _, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Wall', shown_fields=['addresses'],
                                           language=language)
    await user.open(f'/kiosk/{raw}')
    await user.should_see(marker=f'kiosk-company-{company.id}', retries=PATIENCE)
    user.find(marker=f'kiosk-company-{company.id}').click()
    await user.should_see(shown, marker='kiosk-card-address', retries=PATIENCE)


async def test_the_merge_dialog_names_the_countries(user: User, acme):
    for city, country in (('Lyon', 'FR'), ('Köln', 'DE')):
        await create_record(CONTACT, acme.owner.membership, {
            'last_name': 'Rossi', 'emails': ['rossi@example.com'], 'addresses': [{'city': city, 'country': country}]})
    await log_in(user, acme.owner, path='/duplicates?kind=contact')
    await user.should_see(marker='dups-review', retries=PATIENCE)
    user.find(marker='dups-review').click()
    await user.should_see(marker='merge-dialog', retries=PATIENCE)
    await user.should_see('Lyon, France', marker='pick-addresses')
    await user.should_see('Köln, Germany', marker='pick-addresses')
