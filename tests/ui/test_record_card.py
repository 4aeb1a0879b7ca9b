"""Contacts and companies on their cards (NiceGUI's simulated user): every field, errors, stale saves, mentions,
delete, what a guest and a private record show; and in a real browser, hostile text shows as plain text."""
from __future__ import annotations

import asyncio

import httpx
import pytest
from nicegui import ui
from nicegui.testing import Screen, User
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from models.records import bulk, service as records
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
    choose(user, 'field-addresses[0].country', 'Italy')
    fill(user, 'vat_number', 'it 007 431 101 57')
    # what the browser's editor sends once a member is picked after "@" (test_mention_completion_by_keyboard)
    element(user, 'field-description').value = f'Met at the fair with {acme.member.mention}'
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


async def test_mentions_read_as_names_on_the_card_and_in_its_editor(user: User, acme):
    """Nobody sees the stored `@[Name](user:ID)`: the card and its editor show "@Name" (the current name); the editor
    offers the members the gate lets be mentioned (not the guest), and saving keeps the mentions."""
    description = f'Call {acme.member.mention} with @[Olga O.](user:{acme.owner.id})'
    contact = await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Neri',
                                                                           'description': description})
    await log_in(user, acme.owner, path=f'/contacts/{contact.id}')
    await user.should_see(content='@Mario Member', marker='mention')
    await user.should_see(content='@Olga Owner', marker='mention')
    await user.should_not_see('(user:')
    user.find(marker='record-edit').click()
    await user.should_see(marker='record-save')
    await user.should_see(content='Call @Mario Member with @Olga Owner', marker='field-description')
    await user.should_not_see('(user:')
    editor = element(user, 'field-description')
    assert [m['name'] for m in editor.props['members']] == ['Mario Member', 'Olga Owner', 'Tina Other']
    fill(user, 'first_name', 'Ada')
    user.find(marker='record-save').click()
    await user.should_see(content='Ada', marker='view-first_name')
    assert (await Contact.get(id=contact.id)).description == description


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
    choose(user, 'field-addresses[0].country', 'France')
    user.find(marker='record-save').click()
    await user.should_see('Please correct the highlighted fields')
    assert 'not a valid email' in element(user, 'field-emails[1]').error
    assert 'not a valid phone number' in element(user, 'field-phones[2]').error
    assert 'not a valid French VAT number' in element(user, 'field-vat_number').error  # read in its address's country
    assert element(user, 'field-emails[0]').error is None
    assert await Contact.all().count() == 0


async def test_pec_emails_and_phones_are_links_and_a_country_reads_as_its_name(user: User, acme):
    company = await records.create_record(COMPANY, acme.owner.membership, {
        'name': 'Officine Srl', 'pec': 'officine@pec.example.it', 'emails': ['info@officine.example'],
        'phones': ['02 1234 5678'], 'addresses': [{'city': 'Lyon', 'country': 'FR'}]})
    await log_in(user, acme.owner, path=f'/companies/{company.id}')
    await user.should_see(content='officine@pec.example.it', marker='view-pec')
    assert element(user, 'view-pec').props['href'] == 'mailto:officine@pec.example.it'  # write to the PEC
    assert element(user, 'view-email').props['href'] == 'mailto:info@officine.example'
    assert element(user, 'view-phone').props['href'] == 'tel:+390212345678'
    await user.should_see(content='France', marker='view-address')
    assert 'FR' not in element(user, 'view-address').text.split()

    user.find(marker='record-edit').click()
    await user.should_see(marker='record-save')
    country = element(user, 'field-addresses[0].country')
    assert country.value == 'FR' and country.options['FR'] == 'France'  # chosen by name, stored as the code
    assert country.options['KR'] == 'South Korea' and 'Italy' in country.options.values()


async def test_every_field_of_the_form_has_one_style(user: User, acme):
    """Inputs, option selects and the country select alike: outlined, dense, errors and hints under the field (in
    its own room, so a long message wraps there); and no label too long to read on a phone."""
    await log_in(user, acme.owner, path='/contacts/new')
    await user.should_see(marker='record-save')
    fields = [e for e in user.client.elements.values()
              if any(m.startswith('field-') for m in e._markers) and not isinstance(e, ui.switch)]
    keys = {next(m for m in f._markers if m.startswith('field-')) for f in fields}
    assert {'field-first_name', 'field-type', 'field-role', 'field-addresses[0].country', 'field-vat_number'} <= keys
    for field in fields:
        if 'field-description' in field._markers:  # its own component, outlined too
            continue
        for prop in ('outlined', 'dense', 'hide-bottom-space'):
            assert field.props.get(prop) is True, (field._markers, prop)
        assert len(field.props.get('label', '')) <= 30, field.props['label']
    assert 'Partita IVA' in element(user, 'field-vat_number').props['hint']


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


async def test_an_open_card_is_told_at_once_when_someone_else_changes_or_deletes_its_record(user: User, acme):
    """The notice comes from the record's live event (models/records/live.py), not from a save attempt; the
    reader's own changes and versions the card shows already tell nothing."""
    contact = await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Neri'})
    await log_in(user, acme.owner, path=f'/contacts/{contact.id}')
    await user.should_see(marker='record-edit')
    await records.update_record(CONTACT, acme.owner.membership, contact.id, {'first_name': 'Olga'}, 1)
    await asyncio.sleep(0.3)
    await user.should_not_see(marker='record-changed')  # the reader's own change (another tab of theirs)

    await records.update_record(CONTACT, acme.member.membership, contact.id, {'first_name': 'Mario'}, 2)
    await user.should_see('Mario Member changed this contact after you opened it.', marker='record-changed-text')
    await user.should_see(marker='record-changed-reload')

    await bulk.bulk_action(CONTACT, acme.member.membership, 'delete', [contact.id])
    await user.should_see('Mario Member deleted this contact, or merged it into another one.',
                          marker='record-changed-text')


async def test_the_notice_of_a_change_speaks_the_readers_language(user: User, acme):
    acme.owner.user.language = 'it'
    await acme.owner.user.save(update_fields=['language'])
    company = await records.create_record(COMPANY, acme.owner.membership, {'name': 'Officine Rossi'})
    await log_in(user, acme.owner, path=f'/companies/{company.id}')
    await user.should_see(marker='record-edit')
    # made in an English context: the notice is worded in the open page's language all the same
    await records.update_record(COMPANY, acme.member.membership, company.id, {'sector': 'Retail'}, 1)
    await user.should_see('Mario Member ha modificato questa azienda dopo che l\'hai aperta.',
                          marker='record-changed-text')


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
    assert (await Contact.get(id=contact.id)).deleted_at is not None  # in the trash


async def test_a_record_deleted_on_its_card_and_then_from_the_trash_takes_its_files(user: User, acme, rubrica_env):
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
    assert len([p for p in (rubrica_env / 'files').rglob('*') if p.is_file()]) == 1  # in the trash, with its file
    await user.open('/trash')
    await user.should_see('Viola', marker='trash-name')
    user.find(marker='trash-forever').click()
    await user.should_see(marker='trash-forever-confirm')
    user.find(marker='trash-forever-confirm').click()
    await user.should_see(marker='trash-total')
    await user.should_not_see('Viola', marker='trash-name')
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


# ------------------------------------------------------------------ in a real browser

def _description_editor(screen: Screen):
    return screen.selenium.find_element(By.CSS_SELECTOR, 'textarea.rubrica-mention-input')


def _options(screen: Screen) -> list[str]:
    return screen.selenium.execute_script(
        "return [...document.querySelectorAll('.rubrica-mention-option')].map(o => o.textContent.trim())")


def _active_option(screen: Screen) -> str | None:
    return screen.selenium.execute_script(
        "const o = document.querySelector('.rubrica-mention-option[aria-selected=true]'); return o && o.textContent.trim()")


def test_mention_completion_by_keyboard(screen: Screen):
    """Typing "@" offers the members (never a guest); arrows move, Enter and Tab pick, Escape closes; the text reads
    "@Name" and the saved description holds the mentions the gate reads."""
    screen.open('/login')
    headers, org_id = sign_up_with_org(screen, 'olga@example.com', 'password1', 'Olga Owner', 'Acme')
    base = f'{screen.url}/api/v1'
    for email, name, role in (('mario@example.com', 'Mario Rossi', 'member'),
                              ('marta@example.com', 'Marta Bianchi', 'member'),
                              ('max@example.com', 'Max Guest', 'guest')):
        httpx.post(f'{base}/users', json={'email': email, 'password': 'password1', 'name': name}).raise_for_status()
        httpx.post(f'{base}/orgs/{org_id}/members', json={'email': email, 'role': role},
                   headers=headers).raise_for_status()
    contact = httpx.post(f'{base}/orgs/{org_id}/contacts', json={'last_name': 'Neri'}, headers=headers).json()
    browser_log_in(screen, 'olga@example.com', 'password1')
    screen.open(f'/contacts/{contact["id"]}')
    screen.click('Edit')
    editor = _description_editor(screen)
    editor.send_keys('Call @ma')
    screen.wait_for(lambda: _options(screen) == ['@Mario Rossi', '@Marta Bianchi'])  # not Max, a guest
    assert _active_option(screen) == '@Mario Rossi'
    for key, active in ((Keys.ARROW_DOWN, '@Marta Bianchi'), (Keys.ARROW_UP, '@Mario Rossi'),
                        (Keys.ARROW_UP, '@Marta Bianchi')):
        editor.send_keys(key)
        screen.wait_for(lambda: _active_option(screen) == active)
    editor.send_keys(Keys.ENTER)
    screen.wait_for(lambda: _options(screen) == [])
    editor.send_keys('and @ros')
    screen.wait_for(lambda: _options(screen) == ['@Mario Rossi'])
    editor.send_keys(Keys.TAB)
    screen.wait_for(lambda: _options(screen) == [])
    editor.send_keys('or @o')
    screen.wait_for(lambda: _options(screen) == ['@Olga Owner'])
    editor.send_keys(Keys.ESCAPE)
    screen.wait_for(lambda: _options(screen) == [])
    editor.send_keys('k' + Keys.ENTER + 'bye')  # closed: Enter is a new line, and "@ok" stays plain text
    assert editor.get_attribute('value') == 'Call @Marta Bianchi and @Mario Rossi or @ok\nbye'
    assert screen.selenium.execute_script(
        "return [...document.querySelectorAll('.rubrica-mention')].map(m => m.textContent)") == \
        ['@Marta Bianchi', '@Mario Rossi']
    screen.shot('mention_editor', failed=False)
    screen.click('Save')
    ids = {m['email']: m['user_id'] for m in httpx.get(f'{base}/orgs/{org_id}/members', headers=headers).json()}
    wanted = (f'Call @[Marta Bianchi](user:{ids["marta@example.com"]}) and '
              f'@[Mario Rossi](user:{ids["mario@example.com"]}) or @ok\nbye')
    url = f'{base}/orgs/{org_id}/contacts/{contact["id"]}'
    screen.wait_for(lambda: httpx.get(url, headers=headers).json()['description'] == wanted)
    saved = httpx.get(url, headers=headers).json()
    assert saved['mentions'] == [ids['marta@example.com'], ids['mario@example.com']]


def _notifications(screen: Screen) -> list[str]:
    return screen.selenium.execute_script(
        "return [...document.querySelectorAll('.q-notification')].map(n => n.textContent.trim())")


def _warns_on_unload(screen: Screen) -> bool:
    """Whether closing or reloading the tab now would ask (the page's beforeunload handler cancels the event)."""
    return screen.selenium.execute_script(
        "const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented")


def _field(screen: Screen, label: str):
    return screen.selenium.find_element(By.XPATH, f'//label[.//*[normalize-space()="{label}"]]//input')


def test_saving_says_so_and_leaving_an_edited_card_asks(screen: Screen):
    """Creating and saving a contact say so on the card; an edited card asks before a link or the navigation
    leaves it (Keep editing stays, Discard leaves) and before the tab closes or reloads; once saved, nothing asks."""
    screen.open('/login')
    headers, org_id = sign_up_with_org(screen, 'olga@example.com', 'password1', 'Olga Owner', 'Acme')
    screen.selenium.set_window_size(1440, 900)  # the navigation drawer stays open
    browser_log_in(screen, 'olga@example.com', 'password1')
    screen.open('/contacts/new')
    _field(screen, 'Last name').send_keys('Neri')
    screen.wait_for(lambda: _warns_on_unload(screen))  # the edit reaches the server before the page is marked edited
    screen.click('Save')
    screen.wait_for(lambda: any('Contact created' in n for n in _notifications(screen)))
    assert not _warns_on_unload(screen)
    contact_path = screen.selenium.current_url.removeprefix(screen.url)
    assert contact_path.startswith('/contacts/') and contact_path[len('/contacts/'):].isdigit()

    screen.click('Edit')
    first_name = _field(screen, 'First name')
    assert not _warns_on_unload(screen)
    first_name.send_keys('Ada')
    screen.wait_for(lambda: _warns_on_unload(screen))
    screen.selenium.find_element(By.XPATH, '//*[contains(@class, "q-item")][.//*[normalize-space()="Companies"]]').click()
    screen.should_contain('Leave without saving?')
    screen.click('Keep editing')
    screen.wait_for(lambda: not screen.selenium.find_elements(By.XPATH, '//*[normalize-space()="Leave without saving?"]'))
    assert screen.selenium.current_url == screen.url + contact_path
    assert first_name.get_attribute('value') == 'Ada'

    screen.click('Save')
    screen.wait_for(lambda: any('Contact saved' in n for n in _notifications(screen)))
    screen.should_contain('Ada')
    assert screen.selenium.current_url == screen.url + contact_path
    assert httpx.get(f'{screen.url}/api/v1/orgs/{org_id}{contact_path}', headers=headers).json()['first_name'] == 'Ada'
    assert not _warns_on_unload(screen)

    screen.click('Edit')
    _field(screen, 'First name').send_keys('line')
    screen.wait_for(lambda: _warns_on_unload(screen))
    screen.selenium.find_element(By.XPATH, '//header//a[normalize-space()="Rubrica"]').click()
    screen.should_contain('Leave without saving?')
    screen.click('Discard changes and leave')
    screen.wait_for(lambda: screen.selenium.title == 'Dashboard · Rubrica')
    assert httpx.get(f'{screen.url}/api/v1/orgs/{org_id}{contact_path}', headers=headers).json()['first_name'] == 'Ada'


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


FORM_LAYOUT_PROBLEMS = """
const problems = [];
for (const field of document.querySelectorAll('.q-card .q-field')) {  // the form's, not the header's search
  if (!field.offsetParent) continue;  // a collapsed address
  const label = field.querySelector('.q-field__label');
  if (label && label.scrollWidth > label.clientWidth + 1) problems.push('cut label: ' + label.textContent);
  const box = field.getBoundingClientRect();
  const card = field.closest('.q-card').getBoundingClientRect();
  for (const message of field.querySelectorAll('.q-field__messages > div')) {
    const r = message.getBoundingClientRect();
    if (r.bottom > box.bottom + 1 || r.right > box.right + 1 || r.right > card.right + 1)
      problems.push('message out of its field: ' + message.textContent);
  }
}
if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push('page wider than the screen');
return problems;
"""


@pytest.mark.parametrize('width, height', [(390, 844), (1440, 900)])
def test_the_form_fits_a_phone_and_its_errors_wrap_inside_their_fields(screen: Screen, width, height):
    screen.open('/login')
    headers, org_id = sign_up_with_org(screen, 'olga@example.com', 'password1', 'Olga Owner', 'Acme')
    contact = httpx.post(f'{screen.url}/api/v1/orgs/{org_id}/contacts', headers=headers, json={
        'first_name': 'Marco', 'last_name': 'Rossi', 'type': 'Client', 'role': 'Purchasing Manager',
        'pec': 'marco@pec.example.it', 'addresses': [{'city': 'Milano', 'country': 'IT'}]}).json()
    screen.selenium.set_window_size(width, height)
    browser_log_in(screen, 'olga@example.com', 'password1')
    screen.open(f'/contacts/{contact["id"]}')
    screen.should_contain('marco@pec.example.it')
    screen.click('Edit')
    screen.should_contain('VAT number or tax code')
    assert screen.selenium.execute_script(FORM_LAYOUT_PROBLEMS) == []

    _field(screen, 'Email 2').send_keys('marco at officine')  # a long message, from the email validator
    _field(screen, 'Phone 1').send_keys('12')
    _field(screen, 'VAT number or tax code').send_keys('IT01234567890')
    screen.click('Save')
    screen.should_contain('Please correct the highlighted fields')
    screen.should_contain('is not a valid email address')
    screen.selenium.execute_script("document.querySelector('.q-notifications').remove()")  # what it covers
    screen.shot(f'contact-form-errors-{width}x{height}', failed=False)
    assert screen.selenium.execute_script(FORM_LAYOUT_PROBLEMS) == []


async def test_an_italian_reader_sees_the_card_and_its_form_in_italian(user: User, acme):
    acme.owner.user.language = 'it'
    await acme.owner.user.save(update_fields=['language'])
    company = await records.create_record(COMPANY, acme.owner.membership, {'name': 'Officine Rossi'})
    await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Bianchi', 'company_id': company.id})

    await log_in(user, acme.owner, path=f'/companies/{company.id}')
    for text in ('Dettagli', 'Contatti', 'Allegati', 'Collegamenti', 'Modifica', 'Elimina', 'Azienda',
                 'Email e telefono', 'Indirizzi', 'Ancora nessun indirizzo.', 'Nessuna descrizione.'):
        await user.should_see(text)
    await user.should_see('Creato da Olga Owner il', marker='record-meta')
    for english in ('Details', 'Edit', 'Email and phone', 'No address yet.', 'No description.'):
        await user.should_not_see(english)
    user.find(marker='tab-contacts').click()
    await user.should_see('1 contatto', marker='company-contacts-total')
    await user.should_see('Aggiungi contatto', marker='company-add-contact')

    user.find(marker='tab-details').click()
    user.find(marker='record-edit').click()
    await user.should_see(marker='field-vat_number')
    assert element(user, 'field-vat_number').props['label'] == 'Partita IVA o codice fiscale'
    assert element(user, 'field-addresses[0].postal_code').props['label'] == 'CAP'
    assert element(user, 'field-emails[1]').props['label'] == 'Email 2'
    editor = element(user, 'field-description')
    assert editor.props['label'] == 'Descrizione' and editor.props['texts']['noMatch'] == 'Nessun membro corrisponde'
    await user.should_see('Privata: la vedono solo io e le persone menzionate')
    fill(user, 'name', 'Officine Rossi S.p.A.')
    user.find(marker='record-save').click()
    await user.should_see('Azienda salvata')
    user.find(marker='record-delete').click()
    await user.should_see('Eliminare Officine Rossi S.p.A.?')
    await user.should_see('Va nel cestino, da cui si può ripristinare finché non viene svuotato.')


async def test_a_french_reader_is_told_a_contact_is_missing_in_french(user: User, acme):
    acme.member.user.language = 'fr'
    await acme.member.user.save(update_fields=['language'])
    await log_in(user, acme.member, path='/contacts/999999')
    await user.should_see("Ce contact n'existe pas, ou vous ne pouvez pas le voir.")
    await user.should_see('Retour aux contacts')
    await user.open('/contacts/new')
    await user.should_see('Nouveau contact', marker='page-title')
    await user.should_see('Personne')
    assert element(user, 'field-first_name').props['label'] == 'Prénom'
    assert element(user, 'field-addresses[0].street').props['label'] == 'Rue'


async def test_a_card_builds_its_other_tabs_only_when_they_are_first_opened(user: User, acme):
    """The card is the page opened most: its attachments, connections, history (and a company's contacts) cost
    queries and elements few look at, so only Details is built with the page, each other tab when first opened."""
    company = await records.create_record(COMPANY, acme.member.membership, {'name': 'Lazy Srl'})
    await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Pigro', 'company_id': company.id})
    await log_in(user, acme.member, path=f'/companies/{company.id}')
    await user.should_see(marker='record-meta')
    tabs = {'tab-contacts': 'company-contacts-total', 'tab-attachments': 'attachments-usage',
            'tab-connections': 'connections-projects-heading', 'tab-history': 'note-add'}

    def built() -> set[str]:
        return {content for content in tabs.values()
                if any(content in element._markers for element in user.client.layout.descendants())}

    assert built() == set()
    for opened, (tab, content) in enumerate(tabs.items(), start=1):
        user.find(marker=tab).click()
        await user.should_see(marker=content)
        assert len(built()) == opened
    user.find(marker='tab-details').click()
    user.find(marker='tab-history').click()  # opened again: shown as it was, not built twice
    await user.should_see(marker='note-add')
    assert len(user.find(marker='note-add').elements) == 1
