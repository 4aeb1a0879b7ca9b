"""The frame around every page: the organization switcher, and the star that chooses the organization opening at
login."""
from __future__ import annotations

from nicegui.testing import User

from models.accounts.tables import User as Account
from tests.drivers import choose, element, log_in


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
