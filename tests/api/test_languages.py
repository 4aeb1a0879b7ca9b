"""The API's human messages follow Accept-Language (Italian, French, else English); what a program reads — status
codes, `field`, `loc`, `type` — stays the same in every language."""
from __future__ import annotations

ITALIAN = {'Accept-Language': 'it-IT,it;q=0.9,en;q=0.5'}
FRENCH = {'Accept-Language': 'fr-FR'}


def by_field(response) -> dict[str, dict]:
    assert response.status_code == 422, response.text
    return {error['field']: error for error in response.json()['detail']}


async def test_a_422_speaks_the_clients_language_and_keeps_its_keys(client, acme):
    body = {'last_name': 'Rossi', 'emails': ['nobody-at-example.com'], 'phones': ['123'], 'vat_number': '12345678901'}
    answers = {}
    for name, language in (('en', {}), ('it', ITALIAN)):
        answers[name] = by_field(await client.post(f'{acme.base}/contacts', json=body,
                                                   headers={**acme.member.auth, **language}))
    english, italian = answers['en'], answers['it']
    assert english.keys() == italian.keys() == {'emails[0]', 'phones[0]', 'vat_number'}
    for field in english:
        assert (english[field]['loc'], english[field]['type']) == (italian[field]['loc'], italian[field]['type'])
    assert english['emails[0]']['msg'].startswith('is not a valid email address (')
    assert italian['emails[0]']['msg'].startswith('non è un indirizzo email valido (')
    assert english['phones[0]']['msg'] == "'123' is not a valid phone number (read as a number of IT)"
    assert italian['phones[0]']['msg'] == "'123' non è un numero di telefono valido (letto come numero di IT)"
    assert italian['vat_number']['msg'].startswith('12345678901 non è una partita IVA valida (')


async def test_fastapis_own_422_speaks_it_too(client, acme):
    """A query parameter that is not a number: FastAPI's message, pydantic's words in English, ours in Italian."""
    english = (await client.get(f'{acme.base}/contacts?limit=many', headers=acme.member.auth)).json()['detail']
    italian = (await client.get(f'{acme.base}/contacts?limit=many', headers={**acme.member.auth, **ITALIAN})) \
        .json()['detail']
    assert [(e['loc'], e['type']) for e in english] == [(e['loc'], e['type']) for e in italian] == \
        [(['query', 'limit'], 'int_parsing')]
    assert english[0]['msg'] == 'Input should be a valid integer, unable to parse string as an integer'
    assert italian[0]['msg'] == 'Il valore deve essere un numero intero valido; il testo non è un numero intero'


async def test_refusals_and_missing_records_in_each_language(client, acme):
    missing = f'{acme.base}/contacts/999999'
    assert (await client.get(missing, headers=acme.member.auth)).json() == {'detail': 'contact not found'}
    assert (await client.get(missing, headers={**acme.member.auth, **ITALIAN})).json() == \
        {'detail': 'contatto non trovato'}
    refused = await client.post(f'{acme.base}/contacts', json={'last_name': 'Rossi'},
                                headers={**acme.guest.auth, **FRENCH})
    assert refused.status_code == 403
    assert refused.json() == {'detail': 'Votre rôle ne vous permet pas de modifier les contacts et les entreprises'}
