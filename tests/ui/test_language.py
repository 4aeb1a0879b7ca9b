"""The language of a page: the user's choice, else the browser's Accept-Language, else English."""
from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from nicegui.testing import User

from models.records import service as records
from models.records.tables import CONTACT, Contact
from tests.drivers import log_in


@pytest.mark.parametrize(('header', 'button'), [('it-IT,it;q=0.9', 'Accedi'), ('fr-FR', 'Se connecter'),
                                                 (None, 'Log in'), ('de-DE', 'Log in')])
async def test_the_login_page_speaks_the_browsers_language(client: httpx.AsyncClient, header, button):
    page = await client.get('/login', headers={'Accept-Language': header} if header else {})
    assert page.status_code == 200 and button in page.text
    assert ('Log in' in page.text) == (button == 'Log in')  # no English left on an Italian or French login


async def test_a_users_choice_wins_over_the_browser_and_dates_follow(user: User, acme):
    contact = await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Lovelace'})
    await Contact.filter(id=contact.id).update(updated_at=datetime(2026, 11, 28, 15, 4, tzinfo=UTC))
    acme.owner.user.language = 'it'
    acme.owner.user.time_zone = 'UTC'
    await acme.owner.user.save(update_fields=['language', 'time_zone'])
    user.http_client.headers['Accept-Language'] = 'fr-FR'
    await log_in(user, acme.owner, path=f'/contacts/{contact.id}')
    await user.should_see('28 nov 2026, 15:04')  # Italian: no capital, no dot
