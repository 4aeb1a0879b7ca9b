"""The user menu's language switch: the three languages, each named in itself, the page's own marked; choosing one
saves it on the account and draws the page again in it."""
from __future__ import annotations

from nicegui.testing import User

from models.accounts.tables import User as Account
from tests.drivers import PATIENCE, log_in


async def test_the_user_menu_switches_the_language_at_once_and_keeps_it(user: User, acme):
    await log_in(user, acme.owner, path='/tasks')
    await user.should_see(content='Tasks', marker='page-title', retries=PATIENCE)
    user.find(marker='user-menu').click()
    await user.should_see(marker='menu-language-current')
    assert user.find(marker='menu-language-current').elements == user.find(marker='menu-language-en').elements
    for name in ('English', 'Italiano', 'Français'):
        await user.should_see(name)

    user.find(marker='menu-language-it').click()
    await user.should_see(content='Attività', marker='page-title', retries=PATIENCE)  # the same page, in Italian
    await user.should_see('Esci')
    await user.should_not_see('Log out')
    assert (await Account.get(id=acme.owner.id)).language == 'it'
    assert user.find(marker='menu-language-current').elements == user.find(marker='menu-language-it').elements

    await user.open('/projects')  # kept on the account: every page speaks it
    await user.should_see(content='Progetti', marker='page-title', retries=PATIENCE)
    user.find(marker='user-menu').click()
    user.find(marker='menu-language-fr').click()
    await user.should_see(content='Projets', marker='page-title', retries=PATIENCE)
    assert (await Account.get(id=acme.owner.id)).language == 'fr'
