"""The platform's flows in the browser, simulated with NiceGUI's user fixture."""
from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from models import orgs
from models.accounts import User as Account
from tests.drivers import choose, log_in
from tests.helpers import PASSWORD, make_user


async def test_anonymous_visitors_go_to_login_and_come_back(user: User):
    await make_user(email='back@example.com')
    await user.open('/settings')
    await user.should_see(marker='login-email')
    user.find(marker='login-email').type('back@example.com')
    user.find(marker='login-password').type(PASSWORD)
    user.find(marker='login-submit').click()
    await user.should_see(content='Settings', kind=ui.label, marker='page-title')


async def test_login_refuses_a_wrong_password(user: User):
    await make_user(email='someone@example.com')
    await log_in(user, 'someone@example.com', 'not the password', succeeds=False)
    await user.should_see(content='Wrong email or password', marker='login-error')


async def test_sign_up_create_organization_invite_and_switch(user: User, make_org):
    # Bob already has an account and an organization of his own
    bobco = await make_org('Bobco', owner='Bob')

    await user.open('/signup')
    user.find(marker='signup-name').type('Alice')
    user.find(marker='signup-email').type('alice@example.com')
    user.find(marker='signup-password').type('alice password')
    user.find(marker='signup-submit').click()
    await user.should_see(marker='no-org')

    user.find(marker='create-first-org').click()
    user.find(marker='new-org-name').type('Acme')
    user.find(marker='new-org-create').click()
    await user.should_see(content='Acme · your role: owner', marker='active-org')

    await user.open('/settings')
    user.find(marker='invite-email').type('bob@example.com')
    user.find(marker='invite-send').click()
    await user.should_see('bob@example.com was added')
    user.find(marker='invite-email').type('carol@example.com')
    user.find(marker='invite-send').click()
    await user.should_see('carol@example.com was invited')
    await user.should_see(marker='invitation-row')

    user.find(marker='user-menu').click()
    user.find(marker='menu-logout').click()
    await user.should_see(marker='login-email')

    await log_in(user, bobco.owner)
    await user.should_see(content='Bobco · your role: owner', marker='active-org')
    choose(user, 'org-switcher', 'Acme')
    await user.should_see(content='Acme · your role: member', marker='active-org')


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
    assert (await orgs.Membership.get(org_id=acme.id, user_id=acme.owner.id)).role == 'owner'


async def test_option_lists_are_edited_in_settings(user: User, acme):
    await log_in(user, acme.owner, path='/settings')
    user.find(marker='option-sectors-new').type('Agriculture')
    user.find(marker='option-sectors-add').click()
    await user.should_see(marker=f'option-sectors-{len(orgs.DEFAULT_OPTIONS["sectors"])}')
    assert (await orgs.option_lists(acme.id))['sectors'][-1] == 'Agriculture'
    user.find(marker='option-sectors-remove-0').click()
    await user.should_not_see(marker=f'option-sectors-{len(orgs.DEFAULT_OPTIONS["sectors"])}')
    assert (await orgs.option_lists(acme.id))['sectors'][0] == orgs.DEFAULT_OPTIONS['sectors'][1]


async def test_api_tokens_are_created_shown_once_and_revoked(user: User):
    await make_user(email='tokens@example.com')
    await log_in(user, 'tokens@example.com', path='/settings')
    user.find(marker='token-name').type('Import script')
    user.find(marker='token-create').click()
    await user.should_see(marker='token-value')
    await user.should_see(marker='token-row')
    user.find(marker='token-revoke').click()
    await user.should_see(marker='no-tokens')
