"""The frame around every page: the organization switcher, and the star that chooses the organization opening at
login."""
from __future__ import annotations

from nicegui.testing import User

from models.accounts.tables import User as Account
from tests.drivers import choose, log_in


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
