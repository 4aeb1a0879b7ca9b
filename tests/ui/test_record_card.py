"""Contacts and companies on their cards (NiceGUI's simulated user): every field, errors, stale saves, mentions,
delete, what a guest and a private record show; and in a real browser, hostile text shows as plain text."""
from __future__ import annotations

import asyncio

import httpx
import pytest
from nicegui import ui
from nicegui.testing import Screen, User

from models.records import service as records
from models.records.tables import COMPANY, CONTACT, Contact
from tests.drivers import browser_log_in, choose, element, item_texts, log_in
from tests.helpers import VALID_IVA
from tests.ui.browser import sign_up_with_org


def fill(user: User, key: str, text: str) -> None:
    user.find(marker=f'field-{key}').clear().type(text)


def fill_all(user: User, texts: dict[str, str]) -> None:
    for key, text in texts.items():
        fill(user, key, text)


async def test_enter_every_contact_field_and_see_it(user: User, acme):
    await records.create_record(COMPANY, acme.owner.membership, {'name': 'Rossi Impianti'})
    await log_in(user, acme.owner, path='/contacts/new')
    fill_all(user, {'first_name': 'André', 'last_name': 'Müller'})
    choose(user, 'field-type', 'Client')
    choose(user, 'field-role', 'Marketing Manager')
    user.find(marker='company-picker-search').type('rossi')
    await user.should_see(marker='company-picker-option')
    user.find(marker='company-picker-option').click()
    await user.should_see(content='Rossi Impianti', marker='company-picker-chosen')
    fill_all(user, {'emails[0]': 'andre@example.com', 'emails[2]': 'a.muller@example.org',
                    'pec': 'andre@pec.example.it', 'phones[0]': '02 1234 5678', 'phones[1]': '+33 1 42 68 53 00',
                    'addresses[0].street': 'Via Roma 1', 'addresses[0].city': 'Milano',
                    'addresses[0].postal_code': '20121', 'addresses[0].province': 'MI'})
    choose(user, 'field-addresses[0].country', 'Italy (IT)')
    fill(user, 'vat_number', 'it 007 431 101 57')
    user.find(marker='field-description').type('Met at the fair with @mar')
    await user.should_see(marker='mention-option')
    user.find(marker='mention-option').click()
    user.find(marker='field-visibility').click()
    user.find(marker='record-save').click()
    await user.should_see(marker='record-edit')

    contact = await Contact.get(last_name='Müller')
    assert contact.emails == ['andre@example.com', 'a.muller@example.org']
    assert contact.phones == ['+390212345678', '+33142685300']
    assert contact.addresses == [{'street': 'Via Roma 1', 'city': 'Milano', 'postal_code': '20121', 'province': 'MI',
                                  'country': 'IT'}]
    assert (contact.type, contact.role, contact.vat_number, contact.visibility) == \
        ('Client', 'Marketing Manager', f'IT{VALID_IVA}', 'private')
    assert contact.description == f'Met at the fair with {acme.member.mention}'
    await user.should_see(content='André', marker='view-first_name')
    await user.should_see(content='Rossi Impianti', marker='view-company')
    await user.should_see(content='02 1234 5678', kind=ui.link)
    await user.should_see(content='+33 1 42 68 53 00', kind=ui.link)
    await user.should_see(content='andre@pec.example.it', marker='view-pec')
    await user.should_see(content=f'IT{VALID_IVA}', marker='view-vat_number')
    await user.should_see(content='@Mario Member', marker='mention')
    await user.should_see(marker='header-private')


async def test_change_and_clear_fields(user: User, acme):
    contact = await records.create_record(CONTACT, acme.owner.membership, {
        'first_name': 'Luca', 'last_name': 'Bianchi', 'type': 'Lead', 'emails': ['luca@example.com'],
        'phones': ['3471234567'], 'addresses': [{'city': 'Torino'}], 'vat_number': VALID_IVA,
        'description': 'old notes', 'company_name': 'Bianchi Srl'})
    await log_in(user, acme.owner, path=f'/contacts/{contact.id}')
    user.find(marker='record-edit').click()
    await user.should_see(marker='record-save')
    fill(user, 'first_name', 'Lucia')
    user.find(marker='field-emails[0]').clear()
    user.find(marker='field-phones[0]').clear()
    user.find(marker='field-addresses[0].city').clear()
    user.find(marker='field-vat_number').clear()
    user.find(marker='field-description').clear()
    element(user, 'field-type').value = None
    user.find(marker='company-picker-clear').click()
    user.find(marker='record-save').click()
    await user.should_see(content='Lucia', marker='view-first_name')
    saved = await Contact.get(id=contact.id)
    assert (saved.first_name, saved.emails, saved.phones, saved.addresses, saved.vat_number, saved.description,
            saved.type, saved.company_id, saved.version) == ('Lucia', [], [], [], '', '', '', None, 2)


async def test_bad_values_are_named_next_to_their_field(user: User, acme):
    await log_in(user, acme.owner, path='/contacts/new')
    fill_all(user, {'last_name': 'Verdi', 'emails[1]': 'not an email', 'phones[2]': '123',
                    'vat_number': '01234567890'})
    choose(user, 'field-addresses[0].country', 'France (FR)')
    user.find(marker='record-save').click()
    await user.should_see('Please correct the highlighted fields')
    assert 'not a valid email' in element(user, 'field-emails[1]').error
    assert 'not a valid phone number' in element(user, 'field-phones[2]').error
    assert 'not a valid partita IVA' in element(user, 'field-vat_number').error
    assert element(user, 'field-emails[0]').error is None
    assert await Contact.all().count() == 0


async def test_a_stale_save_is_refused_with_who_changed_it(user: User, acme):
    contact = await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Neri'})
    await log_in(user, acme.owner, path=f'/contacts/{contact.id}')
    user.find(marker='record-edit').click()
    await user.should_see(marker='record-save')
    fill(user, 'first_name', 'Olga wrote this')
    await records.update_record(CONTACT, acme.member.membership, contact.id, {'first_name': 'Mario wrote this'}, 1)
    user.find(marker='record-save').click()
    await user.should_see(marker='conflict-message')
    await user.should_see(content='Mario Member changed this contact', marker='conflict-message')
    saved = await Contact.get(id=contact.id)
    assert (saved.first_name, saved.version) == ('Mario wrote this', 2)


async def test_a_company_is_created_on_the_spot_and_lists_its_contacts(user: User, acme):
    await log_in(user, acme.owner, path='/contacts/new')
    fill(user, 'last_name', 'Gialli')
    user.find(marker='company-picker-search').type('Gialli Logistica')
    await user.should_see(marker='company-picker-create')
    user.find(marker='company-picker-create').click()
    user.find(marker='record-save').click()
    await user.should_see(marker='record-edit')
    await user.should_see(content='Gialli Logistica', marker='view-company')
    contact = await Contact.get(last_name='Gialli')

    await user.open(f'/companies/{contact.company_id}')
    user.find(marker='tab-contacts').click()
    await user.should_see(content='1 contact', marker='company-contacts-total')
    await user.should_see(marker='company-contact')
    user.find(marker='company-add-contact').click()
    await user.should_see(content='Gialli Logistica', marker='company-picker-chosen')


async def test_typing_fast_in_the_company_picker_offers_only_the_last_text(user: User, acme):
    await records.create_record(COMPANY, acme.owner.membership, {'name': 'Rossi Impianti'})
    await log_in(user, acme.owner, path='/contacts/new')
    search = user.find(marker='company-picker-search')
    for letter in 'Rossa':  # each keystroke searches again before the previous search has answered
        search.type(letter)
    for _ in range(50):
        if item_texts(user, 'company-picker-create') == ['Create company “Rossa”']:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # the earlier searches have answered too by now
    assert item_texts(user, 'company-picker-create') == ['Create company “Rossa”']  # not one per keystroke
    await user.should_not_see(marker='company-picker-option')  # "Rossi Impianti" matched "Ross", not "Rossa"


async def test_only_the_creator_may_switch_visibility(user: User, acme):
    contact = await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Blu'})
    await log_in(user, acme.owner, path=f'/contacts/{contact.id}')
    user.find(marker='record-edit').click()
    await user.should_see(marker='record-save')
    assert not element(user, 'field-visibility').enabled


async def test_delete_with_confirmation(user: User, acme):
    contact = await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Viola'})
    await log_in(user, acme.owner, path=f'/contacts/{contact.id}')
    user.find(marker='record-delete').click()
    await user.should_see(marker='record-delete-confirm')
    user.find(marker='record-delete-confirm').click()
    await user.should_see(marker='list-table')
    assert not await Contact.filter(id=contact.id).exists()


async def test_deleting_a_record_on_its_card_removes_its_files(user: User, acme, rubrica_env):
    from nicegui import app

    from models.files.attachments import add_upload

    async def chunks():
        yield b'v' * 4096
    contact = await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Viola'})
    await log_in(user, acme.owner, path=f'/contacts/{contact.id}')
    await add_upload(acme.owner.membership, CONTACT, contact.id, filename='cv.txt', content_type='text/plain',
                     chunks=chunks(),
                     integrations=app.state.integrations)
    stored = [p for p in (rubrica_env / 'files').rglob('*') if p.is_file()]
    assert [p.stat().st_size for p in stored] == [4096]
    user.find(marker='record-delete').click()
    await user.should_see(marker='record-delete-confirm')
    user.find(marker='record-delete-confirm').click()
    await user.should_see(marker='list-table')
    assert not await Contact.filter(id=contact.id).exists()
    assert [p for p in (rubrica_env / 'files').rglob('*') if p.is_file()] == []


async def test_a_guest_sees_no_contacts_or_companies(user: User, acme):
    contact = await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Public'})
    await log_in(user, acme.guest, path='/contacts')
    await user.should_see(marker='no-access')
    await user.should_not_see(marker='list-table')
    await user.open(f'/contacts/{contact.id}')
    await user.should_see(marker='no-access')
    await user.should_not_see(content='Public', marker='view-last_name')
    await user.open('/companies')
    await user.should_see(marker='no-access')


@pytest.mark.parametrize('mentioned', [False, True])
async def test_a_private_record_on_every_page_follows_the_gate(user: User, acme, mentioned):
    """Owners have no bypass: Olga sees Mario's private contact only when the description mentions her."""
    company = await records.create_record(COMPANY, acme.member.membership, {'name': 'Shared Spa'})
    description = f'ask @[Olga](user:{acme.owner.id})' if mentioned else 'just notes'
    secret = await records.create_record(CONTACT, acme.member.membership, {
        'last_name': 'Segreto', 'visibility': 'private', 'description': description, 'company_id': company.id})
    await records.create_record(COMPANY, acme.member.membership, {'name': 'Hidden Holding', 'visibility': 'private'})
    await log_in(user, acme.owner, path='/contacts')
    expected = 1 if mentioned else 0
    await user.should_see(content=f'{expected} contact', marker='list-total')
    assert [r['name'] for r in element(user, 'list-table').rows] == (['Segreto'] if mentioned else [])
    user.find(marker='list-search').type('segreto')
    await user.should_see(content=f'{expected} contact', marker='list-total')

    await user.open(f'/contacts/{secret.id}')
    if mentioned:
        await user.should_see(content='Segreto', marker='view-last_name')
    else:
        await user.should_see(marker='no-access')
        await user.should_not_see(content='Segreto', marker='view-last_name')

    await user.open(f'/companies/{company.id}')
    user.find(marker='tab-contacts').click()
    await user.should_see(content=f'{expected} contact', marker='company-contacts-total')
    await user.open('/companies')
    await user.should_see(content='1 company', marker='list-total')  # Hidden Holding stays hidden


# ------------------------------------------------------------------ in a real browser: hostile text stays text

HOSTILE = '<img src=x onerror=alert(1)>'
PROBE = '<img src=y onerror="window.pwned=1"><script>window.pwned=2</script>'


def _no_injected_markup(screen: Screen) -> None:
    """No element was made from user text, and none of its script ran (an alert would also fail the next call)."""
    # asked in JavaScript: an empty find_elements would wait out Selenium's implicit wait
    assert screen.selenium.execute_script('return document.querySelectorAll(\'img[src="x"], img[src="y"], b\').length') == 0
    assert screen.selenium.execute_script('return window.pwned === undefined')


def test_hostile_names_and_descriptions_are_plain_text(screen: Screen):
    screen.open('/login')
    headers, org_id = sign_up_with_org(screen, 'xss@example.com', 'password1', 'Mallory', 'Acme')
    base = f'{screen.url}/api/v1/orgs/{org_id}'
    company = httpx.post(f'{base}/companies', json={'name': HOSTILE, 'description': HOSTILE}, headers=headers).json()
    contact = httpx.post(f'{base}/contacts', headers=headers, json={
        'first_name': HOSTILE, 'last_name': '<b>bold</b>', 'company_id': company['id'],
        'description': f'{HOSTILE} and {PROBE}'}).json()

    browser_log_in(screen, 'xss@example.com', 'password1')
    screen.open('/contacts')
    screen.should_contain(f'{HOSTILE} <b>bold</b>')
    _no_injected_markup(screen)

    screen.open(f'/contacts/{contact["id"]}')
    screen.should_contain('<script>window.pwned=2</script>')
    screen.should_contain(HOSTILE)
    _no_injected_markup(screen)

    screen.open(f'/companies/{company["id"]}')
    screen.should_contain(HOSTILE)
    _no_injected_markup(screen)
    screen.selenium.set_window_size(1280, 1000)
    screen.open(f'/contacts/{contact["id"]}')
    screen.shot('contact_card', failed=False)
