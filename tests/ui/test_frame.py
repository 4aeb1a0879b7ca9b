"""The frame around every page: the organization switcher, and the star that chooses the organization opening at
login."""
from __future__ import annotations

from nicegui.testing import Screen, User
from selenium.webdriver.common.by import By

from models.accounts.tables import User as Account
from tests.drivers import choose, element, log_in
from tests.ui.browser import signed_in_owner


async def test_the_star_chooses_the_organization_that_opens_at_login(user: User, make_org):
    first = await make_org('First', owner='Stella Star')
    await make_org('Second', owner=first.owner)
    await log_in(user, first.owner)
    await user.should_see(content='First · your role: owner', marker='active-org')
    choose(user, 'org-switcher', 'Second')
    await user.should_see(content='Second · your role: owner', marker='active-org')
    await user.should_see(marker='org-not-starred')
    user.find(marker='org-star').click()
    await user.should_see(marker='org-starred')
    refreshed = await Account.get(id=first.owner.id)
    assert refreshed.preferred_org_id != first.id


async def test_the_navigation_and_the_new_organization_dialog_speak_the_users_language(user: User, make_org):
    team = await make_org('Officina', owner='Olga Owner')
    team.owner.user.language = 'it'
    await team.owner.user.save(update_fields=['language'])
    await log_in(user, team.owner)
    for marker, text in (('nav-dashboard', 'Bacheca'), ('nav-contacts', 'Contatti'), ('nav-companies', 'Aziende'),
                         ('nav-projects', 'Progetti'), ('nav-tasks', 'Attività'), ('nav-settings', 'Impostazioni')):
        await user.should_see(text, marker=marker)
    await user.should_see(marker='org-starred')  # the only organization: the one that opens at login
    await user.should_see("Organizzazione preferita (si apre all'accesso)")  # the star's tooltip
    user.find(marker='menu-new-org').click()
    await user.should_see('Nuova organizzazione')
    assert element(user, 'new-org-country').props['label'] == 'Paese (prefisso telefonico predefinito)'
    await user.should_see('Crea', marker='new-org-create')
    await user.should_not_see('Dashboard')


def test_the_new_organization_dialog_built_on_demand_opens_in_a_browser(screen: Screen):
    """The dialog is built when the menu asks for it, outside the menu (whose content goes when it closes): in a real
    browser it opens, takes a name and creates the organization."""
    signed_in_owner(screen, 1200)
    screen.open('/contacts')
    screen.selenium.find_element(By.XPATH, '//header//button[.//*[normalize-space()="account_circle"]]').click()
    screen.click('New organization')
    screen.should_contain('Country (default phone region)')
    name = screen.selenium.find_element(By.XPATH, '//div[contains(@class, "q-dialog")]//label[.//*[normalize-space()='
                                                  '"Name"]]//input')
    name.send_keys('Second Srl')
    screen.click('Create')
    screen.wait_for(lambda: 'Second Srl' in screen.selenium.page_source and screen.selenium.title.startswith('Dash'))
