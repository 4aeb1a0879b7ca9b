"""The bell: its count follows what arrives for the reader while the page is open (no reload), the panel lists what
happened, newest first, and opening an entry marks it read and leads to its record; a record hidden since is named
by nothing. One test in a real browser shows the count changing live."""
from __future__ import annotations

import httpx
from nicegui.testing import Screen, User
from selenium.webdriver.common.by import By

from models.records import service as records
from models.records.tables import CONTACT
from tests.drivers import browser_log_in, log_in
from tests.ui.browser import sign_up_with_org


async def test_the_bell_counts_live_and_its_panel_leads_to_the_record(user: User, acme):
    mario, olga = acme.member, acme.owner
    await log_in(user, mario)
    await user.should_see('1', marker='notification-count')  # having been added to Acme

    # Olga mentions Mario while his page is open: the count changes without a reload
    contact = await records.create_record(CONTACT, olga.membership, {
        'first_name': 'Anna', 'last_name': 'Rossi', 'description': f'Ask {mario.mention}'})
    await user.should_see('2', marker='notification-count')

    user.find(marker='notification-bell').click()
    await user.should_see('Olga Owner mentioned you in Anna Rossi', marker='notification-text')
    assert {label.text for label in user.find(marker='notification-text').elements} == {
        'Olga Owner mentioned you in Anna Rossi', 'Olga Owner added you to Acme'}
    user.find(marker='notification-mentioned').click()
    await user.should_see('Anna Rossi', marker='page-title')  # the contact's card
    await user.should_see('1', marker='notification-count')  # read now


async def test_mark_all_as_read_and_what_a_hidden_record_leaves(user: User, acme):
    mario, tina = acme.member, acme.members[1]
    hidden = await records.create_record(CONTACT, tina.membership, {
        'first_name': 'Sara', 'last_name': 'Segreta', 'description': f'{mario.mention}'})
    await records.update_record(CONTACT, tina.membership, hidden.id,
                                {'description': '', 'visibility': 'private'}, hidden.version)
    await log_in(user, mario)
    await user.should_see('2', marker='notification-count')
    user.find(marker='notification-bell').click()
    await user.should_see('Tina Other mentioned you in a record you can no longer see', marker='notification-text')
    await user.should_not_see('Segreta')
    user.find(marker='notifications-read-all').click()
    await user.should_not_see(marker='notification-unread')
    await user.should_not_see(marker='notifications-read-all')


def test_the_count_changes_live_in_a_real_browser(screen: Screen):
    screen.open('/login')  # starts the server
    olga, org_id = sign_up_with_org(screen, 'olga@example.com', 'password1', 'Olga Owner', 'Acme')
    httpx.post(f'{screen.url}/api/v1/users', json={'email': 'mario@example.com', 'password': 'password1',
                                                    'name': 'Mario Member'}).raise_for_status()
    mario = httpx.post(f'{screen.url}/api/v1/orgs/{org_id}/members', headers=olga,
                       json={'email': 'mario@example.com', 'role': 'member'}).json()
    screen.selenium.set_window_size(1440, 900)
    browser_log_in(screen, 'mario@example.com', 'password1')

    def count() -> str:
        badges = screen.selenium.find_elements(By.CSS_SELECTOR, '.rubrica-bell-count')
        return badges[0].text if badges and badges[0].is_displayed() else ''
    screen.wait_for(lambda: count() == '1')
    httpx.post(f'{screen.url}/api/v1/orgs/{org_id}/contacts', headers=olga, json={
        'last_name': 'Rossi', 'description': f'@[Mario Member](user:{mario["user_id"]})'}).raise_for_status()
    screen.wait_for(lambda: count() == '2')  # pushed: the page's own look comes only every 30 seconds
    screen.selenium.find_element(By.CSS_SELECTOR, '.rubrica-bell').click()
    screen.should_contain('Olga Owner mentioned you in Rossi')
