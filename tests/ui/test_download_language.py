"""A download from a page (web/session.py) speaks the language the visitor chose on their account, as their pages do,
whatever their browser asks for."""
from __future__ import annotations

from nicegui.testing import User

from models.records import service as records
from models.records.tables import CONTACT
from tests.drivers import log_in

WAIT = 100


async def test_a_csv_export_has_the_headers_of_the_language_the_visitor_chose(user: User, acme):
    await records.create_record(CONTACT, acme.owner.membership, {'first_name': 'Ada', 'last_name': 'Lovelace'})
    acme.owner.user.language = 'it'
    await acme.owner.user.save(update_fields=['language'])
    user.http_client.headers['Accept-Language'] = 'fr-FR'
    await log_in(user, acme.owner, path='/contacts')
    await user.should_see(marker='list-total', retries=WAIT)
    user.find(marker='list-export-csv').click()
    text = (await user.download.next(timeout=5)).content.decode('utf-8-sig')
    assert text.startswith('Nome;Cognome;Azienda;Tipo;Ruolo;Email 1;'), text[:80]
    assert 'Lovelace' in text
