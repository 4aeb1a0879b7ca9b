"""The platform's flows in the browser, simulated with NiceGUI's user fixture."""
from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from models.accounts.tables import User as Account
from models.orgs import service as orgs
from models.orgs.tables import Membership
from tests.helpers import PASSWORD, add_member, choose, log_in, make_org, make_user


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


async def test_sign_up_create_organization_invite_and_switch(user: User):
    # Bob already has an account and an organization of his own
    bob = await make_user(name='Bob', email='bob@example.com')
    await make_org(bob, 'Bobco')

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

    await log_in(user, 'bob@example.com')
    await user.should_see(content='Bobco · your role: owner', marker='active-org')
    choose(user, 'org-switcher', 'Acme')
    await user.should_see(content='Acme · your role: member', marker='active-org')


async def test_the_star_chooses_the_organization_that_opens_at_login(user: User):
    person = await make_user(email='star@example.com')
    first = await make_org(person, 'First')
    await make_org(person, 'Second')
    await log_in(user, 'star@example.com')
    await user.should_see(content='First · your role: owner', marker='active-org')
    choose(user, 'org-switcher', 'Second')
    await user.should_see(content='Second · your role: owner', marker='active-org')
    await user.should_see(marker='org-not-starred')
    user.find(marker='org-star').click()
    await user.should_see(marker='org-starred')
    refreshed = await Account.get(id=person.id)
    assert refreshed.preferred_org_id != first.org_id


async def test_a_guest_sees_no_settings_but_the_profile(user: User):
    owner = await make_user()
    guest = await make_user(email='guest@example.com')
    org = await make_org(owner)
    await add_member(org, guest, 'guest')
    await log_in(user, 'guest@example.com', path='/settings')
    await user.should_see(marker='guest-settings-note')
    await user.should_see(marker='profile-name')
    await user.should_not_see(marker='org-name')
    await user.should_not_see(marker='invite-email')
    await user.should_not_see(marker='option-sectors-new')


async def test_a_member_sees_members_but_cannot_manage_them(user: User):
    owner = await make_user(email='owner@example.com')
    member = await make_user(email='member@example.com')
    org = await make_org(owner)
    await add_member(org, member, 'member')
    await log_in(user, 'member@example.com', path='/settings')
    await user.should_see(marker='member-role-label-owner@example.com')
    await user.should_not_see(marker='invite-email')
    await user.should_not_see(marker='member-remove-owner@example.com')
    await user.should_not_see(marker='org-save')
    await user.should_see(marker='option-sectors-new')  # members do edit the lists


async def test_the_last_owner_is_protected(user: User):
    await make_user(email='solo@example.com')
    solo = await Account.get(email='solo@example.com')
    org = await make_org(solo)
    await log_in(user, 'solo@example.com', path='/settings')
    choose(user, 'member-role-solo@example.com', 'Member')
    await user.should_see('An organization must keep at least one owner')
    user.find(marker='member-remove-solo@example.com').click()
    await user.should_see('An organization must keep at least one owner')
    assert (await Membership.get(org_id=org.org_id, user_id=solo.id)).role == 'owner'


async def test_option_lists_are_edited_in_settings(user: User):
    owner = await make_user(email='lists@example.com')
    org = await make_org(owner)
    await log_in(user, 'lists@example.com', path='/settings')
    user.find(marker='option-sectors-new').type('Agriculture')
    user.find(marker='option-sectors-add').click()
    await user.should_see(marker=f'option-sectors-{len(orgs.DEFAULT_OPTIONS["sectors"])}')
    assert (await orgs.option_lists(org.org_id))['sectors'][-1] == 'Agriculture'
    user.find(marker='option-sectors-remove-0').click()
    await user.should_not_see(marker=f'option-sectors-{len(orgs.DEFAULT_OPTIONS["sectors"])}')
    assert (await orgs.option_lists(org.org_id))['sectors'][0] == orgs.DEFAULT_OPTIONS['sectors'][1]


async def test_api_tokens_are_created_shown_once_and_revoked(user: User):
    await make_user(email='tokens@example.com')
    await log_in(user, 'tokens@example.com', path='/settings')
    user.find(marker='token-name').type('Import script')
    user.find(marker='token-create').click()
    await user.should_see(marker='token-value')
    await user.should_see(marker='token-row')
    user.find(marker='token-revoke').click()
    await user.should_see(marker='no-tokens')
