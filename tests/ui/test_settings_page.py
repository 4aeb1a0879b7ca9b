"""The Settings page, simulated with NiceGUI's user fixture: its sections and the address that opens one, what a
guest and a member see, the time zone and the language, the last owner kept, option lists, API tokens; in Italian
and French."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from nicegui import ui
from nicegui.testing import Screen, User
from selenium.webdriver.common.by import By

from models.accounts import service as accounts
from models.orgs import service as orgs
from models.records import service as records
from models.records.tables import CONTACT, Contact
from models.accounts.tables import User as Account
from models.orgs.tables import Membership
from tests.drivers import PATIENCE, choose, element, follow_history, log_in
from tests.helpers import make_user
from tests.ui.browser import signed_in_owner


async def test_a_guest_sees_no_settings_but_the_profile(user: User, acme):
    await log_in(user, acme.guest, path='/settings')
    await user.should_see(marker='guest-settings-note')
    await user.should_see(marker='profile-name')
    await user.should_not_see(marker='org-name')
    await user.should_not_see(marker='invite-email')
    await user.should_not_see(marker='option-sectors-new')


async def test_a_member_sees_members_but_cannot_manage_them(user: User, acme):
    await log_in(user, acme.member, path='/settings')
    await user.should_see(marker=f'member-role-label-{acme.owner.email}')
    await user.should_not_see(marker='invite-email')
    await user.should_not_see(marker=f'member-remove-{acme.owner.email}')
    await user.should_not_see(marker='org-save')
    await user.should_see(marker='option-sectors-new')  # members do edit the lists


async def test_the_last_owner_is_protected(user: User, acme):
    await log_in(user, acme.owner, path='/settings')
    choose(user, f'member-role-{acme.owner.email}', 'Member')
    await user.should_see('An organization must keep at least one owner')
    user.find(marker=f'member-remove-{acme.owner.email}').click()
    await user.should_see('An organization must keep at least one owner')
    assert (await Membership.get(org_id=acme.id, user_id=acme.owner.id)).role == 'owner'


async def test_option_lists_are_edited_in_settings(user: User, acme):
    await log_in(user, acme.owner, path='/settings')
    user.find(marker='option-sectors-new').type('Agriculture')
    user.find(marker='option-sectors-add').click()
    await user.should_see(marker=f'option-sectors-{len(orgs.DEFAULT_OPTIONS["sectors"])}')
    assert (await orgs.option_lists(acme.id))['sectors'][-1] == 'Agriculture'
    user.find(marker='option-sectors-remove-0').click()
    await user.should_see(content='No record you can see uses', marker='option-remove-count')
    user.find(marker='option-remove-confirm').click()
    await user.should_not_see(marker=f'option-sectors-{len(orgs.DEFAULT_OPTIONS["sectors"])}')
    assert (await orgs.option_lists(acme.id))['sectors'][0] == orgs.DEFAULT_OPTIONS['sectors'][1]


async def test_removing_a_value_in_use_asks_says_how_many_and_moves_them(user: User, acme):
    owner = acme.owner.membership
    await orgs.save_option_list(actor=owner, kind='contact_roles', names=['Consulente', 'Technician'])
    made = [await records.create_record(CONTACT, owner, {'last_name': f'Rossi {i}', 'role': 'Consulente'})
            for i in range(5)]
    await log_in(user, acme.owner, path='/settings')
    user.find(marker='option-contact_roles-remove-0').click()
    await user.should_see(content='5 contacts you can see use "Consulente"', marker='option-remove-count')
    user.find(marker='option-remove-cancel').click()  # asking removed nothing
    assert (await orgs.option_lists(acme.id))['contact_roles'] == ['Consulente', 'Technician']

    user.find(marker='option-contact_roles-remove-0').click()
    await user.should_see(marker='option-remove-move-to')
    choose(user, 'option-remove-move-to', 'Technician')
    user.find(marker='option-remove-confirm').click()
    await user.should_see('5 records moved to "Technician"')
    assert (await orgs.option_lists(acme.id))['contact_roles'] == ['Technician']
    assert {c.role for c in await Contact.filter(id__in=[c.id for c in made])} == {'Technician'}


async def test_api_tokens_are_created_shown_once_and_revoked(user: User):
    await make_user(email='tokens@example.com')
    await log_in(user, 'tokens@example.com', path='/settings')
    user.find(marker='token-name').type('Import script')
    user.find(marker='token-create').click()
    await user.should_see(marker='token-value')
    shown = element(user, 'token-value')
    assert isinstance(shown, ui.textarea) and shown.props.get('autogrow'), 'the token wraps whole in its box'
    assert (await accounts.user_for_api_token(shown.value)).email == 'tokens@example.com'
    user.find(marker='token-value-copy').click()
    await user.should_see('Copied')
    user.find(marker='token-value-done').click()
    await user.should_see(marker='token-row')
    user.find(marker='token-revoke').click()
    await user.should_see(marker='no-tokens')


async def test_a_refused_value_is_named_by_its_label_not_its_field_key(user: User, acme):
    """People read "Sectors, value 9", not `sectors[8]`."""
    await log_in(user, acme.owner, path='/settings')
    existing = orgs.DEFAULT_OPTIONS['sectors'][0]
    user.find(marker='option-sectors-new').type(existing)
    user.find(marker='option-sectors-add').click()
    place = len(orgs.DEFAULT_OPTIONS['sectors']) + 1
    await user.should_see(f'Sectors, value {place}: "{existing}" is in the list twice')
    await user.should_not_see('sectors[')


async def test_settings_open_the_section_the_address_names_and_the_address_follows(user: User, acme, monkeypatch):
    follow_history(user, monkeypatch)
    await log_in(user, acme.owner, path='/settings?section=tokens')
    await user.should_see(marker='settings-tabs', retries=PATIENCE)
    tabs, panels = element(user, 'settings-tabs'), element(user, 'settings-panels')
    assert (tabs.value, panels.value, element(user, 'settings-section-select').value) == ('tokens', 'tokens', 'tokens')
    assert [t.props['name'] for t in tabs.default_slot.children] == [
        'profile', 'organization', 'members', 'lists', 'plan', 'cloud', 'phones', 'tokens', 'kiosk']
    user.find(marker='settings-tab-lists').click()
    assert panels.value == 'lists'
    assert user.back_history[-1] == '/settings?section=lists'  # a reload or a shared link opens Lists
    choose(user, 'settings-section-select', 'Plan & storage')  # the phone's picker moves the same sections
    assert (tabs.value, panels.value) == ('plan', 'plan')
    assert user.back_history[-1] == '/settings?section=plan'
    await user.should_see('0 bytes used of 100.0 MiB (0%)', marker='org-storage')

    await user.open('/settings?section=nonsense')
    await user.should_see(marker='settings-tabs', retries=PATIENCE)
    assert element(user, 'settings-tabs').value == 'profile'


async def test_a_guest_gets_only_their_own_sections(user: User, acme):
    await log_in(user, acme.guest, path='/settings?section=members')
    await user.should_see(marker='settings-tabs', retries=PATIENCE)
    tabs = element(user, 'settings-tabs')
    assert [t.props['name'] for t in tabs.default_slot.children] == ['profile', 'cloud', 'phones', 'tokens']
    assert tabs.value == 'profile'  # members is not theirs to open


async def test_the_time_zone_chosen_in_the_profile_shows_every_time_in_it(user: User, acme):
    contact = await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Rossi'})
    await Contact.filter(id=contact.id).update(updated_at=datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    await log_in(user, acme.owner, path='/settings?section=profile')
    assert element(user, 'profile-time-zone').value == ''  # the browser's own, until one is chosen
    choose(user, 'profile-time-zone', 'Asia/Tokyo')
    user.find(marker='profile-save').click()
    await user.should_see('Saved', retries=PATIENCE)
    assert (await Account.get(id=acme.owner.id)).time_zone == 'Asia/Tokyo'

    await user.open(f'/contacts/{contact.id}')
    await user.should_see(content='29 Nov 2026, 21:00', marker='record-meta', retries=PATIENCE)  # 12:00 UTC
    await user.open('/settings')
    choose(user, 'profile-time-zone', "The browser's own")
    user.notify.messages.clear()
    user.find(marker='profile-save').click()
    await user.should_see('Saved', retries=PATIENCE)
    assert (await Account.get(id=acme.owner.id)).time_zone == ''


# ------------------------------------------------------------------ in a real browser: the sections' navigation

@pytest.mark.parametrize('width', [1440, 390])
def test_the_sections_navigation_fits_desktops_and_phones(screen: Screen, width: int):
    """Tabs down the left on a wide screen, a select above the section on a phone; the page never gets wider than
    the screen, and the address opens the section it names."""
    signed_in_owner(screen, width)
    screen.open('/settings?section=tokens')
    screen.should_contain('A personal token lets scripts use the REST API')
    tabs = screen.selenium.find_element(By.CSS_SELECTOR, '.q-tabs--vertical')
    select = screen.selenium.find_element(By.XPATH, '//label[.//*[normalize-space()="Section"]]')
    assert (tabs.is_displayed(), select.is_displayed()) == ((True, False) if width > 800 else (False, True))
    assert screen.selenium.execute_script('return document.documentElement.scrollWidth <= window.innerWidth + 1')
    screen.SCREENSHOT_DIR = Screen.SCREENSHOT_DIR / 'screens'
    screen.shot(f'settings-tokens-{width}', failed=False)
    if width > 800:
        screen.click('Plan & storage')
        screen.should_contain('What premium adds')
        screen.wait_for(lambda: screen.selenium.current_url.endswith('/settings?section=plan'))


async def test_the_language_chosen_in_the_profile_speaks_at_once(user: User, acme):
    await log_in(user, acme.owner, path='/settings?section=profile')
    assert element(user, 'profile-language').value == ''  # the browser's own, until one is chosen
    choose(user, 'profile-language', 'Italiano')
    user.find(marker='profile-save').click()
    await user.should_see(content='Impostazioni', marker='page-title', retries=PATIENCE)  # drawn again, in Italian
    await user.should_see('Fuso orario')
    await user.should_not_see('Time zone')
    assert (await Account.get(id=acme.owner.id)).language == 'it'

    choose(user, 'profile-language', 'Quella del browser')
    user.find(marker='profile-save').click()
    await user.should_see(content='Settings', marker='page-title', retries=PATIENCE)  # the browser sends no language
    assert (await Account.get(id=acme.owner.id)).language == ''


async def test_settings_in_french_and_italian(user: User, acme):
    acme.owner.user.language = 'fr'
    await acme.owner.user.save(update_fields=['language'])
    await log_in(user, acme.owner, path='/settings?section=members')
    await user.should_see(content='Paramètres', marker='page-title', retries=PATIENCE)
    for text in ('Profil', 'Membres et invitations', 'Inviter par e-mail', 'Jetons d’API', 'Listes'):
        await user.should_see(text)
    await user.should_not_see('Members & invitations')
    assert element(user, f'member-role-{acme.guest.email}').options == {'owner': 'Propriétaire', 'member': 'Membre',
                                                                       'guest': 'Invité'}

    acme.owner.user.language = 'it'
    await acme.owner.user.save(update_fields=['language'])
    await user.open('/settings?section=lists')
    await user.should_see(content='Impostazioni', marker='page-title', retries=PATIENCE)
    await user.should_see('Aggiungi un valore')
    user.find(marker='option-sectors-remove-0').click()
    await user.should_see(content='Nessun record che puoi vedere usa', marker='option-remove-count', retries=PATIENCE)
    await user.should_see('Rimuovi')
