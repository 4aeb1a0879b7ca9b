"""The organization's page (/organization), simulated with NiceGUI's user fixture: plan, space, people by role,
what premium adds; reached from the user menu; a guest is not told who is in the organization."""
from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import Screen, User

from models.orgs import service as orgs
from models.orgs.tables import Organization
from tests.drivers import PATIENCE, element, item_texts, log_in
from tests.helpers import make_user
from tests.ui.browser import signed_in_owner


async def test_an_owner_sees_plan_space_and_people_and_a_link_to_settings(user: User, acme):
    await orgs.invite(actor=acme.owner.membership, email='new@example.com', role='guest')
    await Organization.filter(id=acme.id).update(storage_used=25 * 1024 * 1024)
    await log_in(user, acme.owner, path='/')
    user.find(marker='menu-organization').click()
    await user.should_see(content='Acme', marker='page-title', retries=PATIENCE)
    assert user.client.title == 'Acme · Rubrica'
    await user.should_see('Free', marker='org-plan')
    await user.should_see('25.0 MiB used of 100.0 MiB (25%)', marker='org-storage')
    assert element(user, 'org-storage-bar').props['value'] == 0.25
    await user.should_see('4 people', marker='people-total')
    await user.should_see('1 owner', marker='people-owner')
    await user.should_see('2 members', marker='people-member')
    await user.should_see('1 guest', marker='people-guest')
    await user.should_see('1 invitation waiting for a sign-up', marker='people-invitations')
    await user.should_see('What premium adds', marker='premium-heading')
    assert any('Google Drive and Dropbox' in text for text in item_texts(user, 'premium-feature'))
    assert any('10.0 GiB instead of 100.0 MiB' in text for text in item_texts(user, 'premium-feature'))
    await user.should_see(marker='premium-how')
    assert element(user, 'org-settings-link').props['href'] == '/settings?section=organization'


async def test_a_premium_organization_says_what_its_plan_includes(user: User, acme):
    await orgs.set_plan(org_id=acme.id, plan='premium')
    await log_in(user, acme.member, path='/organization')
    await user.should_see('Premium', marker='org-plan', retries=PATIENCE)
    await user.should_see('0 bytes used of 10.0 GiB (0%)', marker='org-storage')
    await user.should_see('Included in your plan', marker='premium-heading')
    await user.should_not_see(marker='premium-how')
    await user.should_see('2 members', marker='people-member')
    await user.should_not_see(marker='org-settings-link')  # members do not change the organization


async def test_a_guest_sees_the_plan_but_not_the_people(user: User, acme):
    await log_in(user, acme.guest, path='/organization')
    await user.should_see('Free', marker='org-plan', retries=PATIENCE)
    await user.should_see('Your role: guest', marker='org-role')
    await user.should_not_see(marker='people-card')
    await user.should_not_see(marker='org-settings-link')


async def test_someone_without_an_organization_is_told_to_join_one(user: User):
    await make_user(email='alone@example.com')
    await log_in(user, 'alone@example.com', path='/organization')
    await user.should_see('Create or join an organization first.', kind=ui.label, retries=PATIENCE)
    await user.should_not_see(marker='menu-organization')


@pytest.mark.parametrize('width', [1440, 390])
def test_the_organization_page_fits_desktops_and_phones(screen: Screen, width: int):
    signed_in_owner(screen, width)
    screen.open('/organization')
    screen.should_contain('What premium adds')
    screen.should_contain('1 owner')
    assert screen.selenium.title == 'Acme · Rubrica'
    assert screen.selenium.execute_script('return document.documentElement.scrollWidth <= window.innerWidth + 1')
    screen.SCREENSHOT_DIR = Screen.SCREENSHOT_DIR / 'screens'
    screen.shot(f'organization-{width}', failed=False)


async def test_a_french_owner_reads_the_organization_page_in_french(user: User, acme):
    await orgs.invite(actor=acme.owner.membership, email='new@example.com', role='guest')
    await Organization.filter(id=acme.id).update(storage_used=25 * 1024 * 1024)
    acme.owner.user.language = 'fr'
    await acme.owner.user.save(update_fields=['language'])
    await log_in(user, acme.owner, path='/organization')
    await user.should_see('Votre rôle : propriétaire', marker='org-role')
    await user.should_see('Gratuit', marker='org-plan')
    await user.should_see(content='utilisés sur', marker='org-storage')
    await user.should_see(content='(25 %)', marker='org-storage')
    await user.should_see('4 personnes', marker='people-total')
    await user.should_see('1 propriétaire', marker='people-owner')
    await user.should_see('2 membres', marker='people-member')
    await user.should_see('1 invité', marker='people-guest')
    await user.should_see('1 invitation en attente d’inscription', marker='people-invitations')
    await user.should_see('Ce qu’apporte premium', marker='premium-heading')
    await user.should_see('La modifier dans Paramètres', marker='org-settings-link')
    await user.should_not_see('What premium adds')


async def test_an_italian_member_reads_the_organization_page_in_italian(user: User, acme):
    acme.member.user.language = 'it'
    await acme.member.user.save(update_fields=['language'])
    await log_in(user, acme.member, path='/organization')
    await user.should_see('Il tuo ruolo: membro', marker='org-role')
    await user.should_see('4 persone', marker='people-total')
    await user.should_see("Che cosa aggiunge premium", marker='premium-heading')
    assert any('Google Drive e Dropbox' in text for text in item_texts(user, 'premium-feature'))
