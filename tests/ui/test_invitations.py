"""Invitations that arrive and addresses that are confirmed, with NiceGUI's simulated user and a real SMTP server:
an owner invites, the invitee reads the mail, its link opens sign-up with the address and the organization, and
signing up there makes the membership at once; a sign-up without the link joins only once its confirmation link is
opened; dead links say so; without mail the owner copies the link instead, and can renew it."""
from __future__ import annotations

from urllib.parse import urlsplit

from nicegui.testing import User

from models.mail import outbox
from models.orgs import service as orgs
from models.orgs.tables import Membership
from tests.drivers import element, log_in
from tests.helpers import make_user
from tests.mailbox import Mailbox, link_in, mailbox  # noqa: F401


def local(link: str) -> str:
    """A mailed or copied link as the simulated browser opens it (path and query)."""
    parts = urlsplit(link)
    return f'{parts.path}?{parts.query}'


async def log_out(user: User) -> None:
    user.find(marker='user-menu').click()
    user.find(marker='menu-logout').click()
    await user.should_see(marker='login-email')


async def sign_up_as_carol(user: User, *, email: str | None = None) -> None:
    user.find(marker='signup-name').type('Carol')
    if email is not None:
        user.find(marker='signup-email').type(email)
    user.find(marker='signup-password').type('carol password')
    user.find(marker='signup-submit').click()


async def test_an_invitation_mail_leads_to_sign_up_with_the_address_and_the_membership(mailbox: Mailbox, user: User,
                                                                                        make_org):
    acme = await make_org('Acme', owner='Olga Owner')
    await log_in(user, acme.owner, path='/settings?section=members')
    user.find(marker='invite-email').type('carol@example.com')
    user.find(marker='invite-send').click()
    await user.should_see('carol@example.com was invited: a mail with a link is on its way')
    await user.should_not_see(marker='invite-link')  # mailed: nothing to copy
    await log_out(user)

    await outbox.send_due()
    [message] = mailbox.to('carol@example.com')
    assert message['Subject'] == 'Olga Owner invites you to Acme on Rubrica'
    await user.open(local(link_in(message)))
    await user.should_see(content='Olga Owner invites you to join Acme.', marker='signup-invitation')
    email = element(user, 'signup-email')
    assert email.value == 'carol@example.com' and 'readonly' in email.props
    await sign_up_as_carol(user)

    await user.should_see(content='Acme · your role: member', marker='active-org')
    await user.should_not_see(marker='verify-banner')  # the link came to her mailbox: nothing to confirm
    assert await Membership.filter(org_id=acme.id, user__email='carol@example.com').exists()
    assert mailbox.to('carol@example.com') == [message]  # and no confirmation mail

    await log_out(user)
    await user.open(local(link_in(message)))  # used: it opens nothing any more
    await user.should_see(marker='invitation-link-dead')
    await user.should_not_see(marker='signup-password')


async def test_a_sign_up_without_the_link_joins_once_the_address_is_confirmed(mailbox: Mailbox, user: User,
                                                                              make_org):
    acme = await make_org('Acme')
    await orgs.invite(actor=acme.owner.membership, email='carol@example.com', role='member')
    await user.open('/signup')
    await sign_up_as_carol(user, email='carol@example.com')
    await user.should_see(marker='verify-banner')
    await user.should_see('Confirm your address: we sent a link to carol@example.com.')
    await user.should_see(marker='no-org')  # the invitation waits
    assert not await Membership.filter(user__email='carol@example.com').exists()

    user.find(marker='verify-resend').click()  # a link left a moment ago: braked
    await user.should_see('A link was sent a moment ago')
    await outbox.send_due()
    invitation, confirmation = mailbox.to('carol@example.com')
    assert confirmation['Subject'] == 'Confirm your address for Rubrica'

    await user.open(local(link_in(confirmation)))
    await user.should_see(content='Acme · your role: member', marker='active-org')
    await user.should_see('Your address is confirmed.')
    await user.should_not_see(marker='verify-banner')

    await user.open(local(link_in(confirmation)))  # once only
    await user.should_see(content='This confirmation link has expired or was already used', marker='verify-link-dead')
    await user.open('/verify-email?token=made-up')
    await user.should_see(marker='verify-link-dead')


async def test_without_mail_the_owner_copies_the_link_and_can_renew_it(user: User, make_org):
    acme = await make_org('Acme')
    await log_in(user, acme.owner, path='/settings?section=members')
    user.find(marker='invite-email').type('carol@example.com')
    user.find(marker='invite-send').click()
    await user.should_see(marker='invite-link')
    first = element(user, 'invite-link').value
    assert urlsplit(first).path == '/signup' and 'invitation=' in first
    await user.should_see(marker='invite-link-copy')

    user.find(marker='invitation-new-link').click()
    await user.should_see('A new link for carol@example.com is copied; the earlier one no longer works')
    second = element(user, 'invite-link').value
    assert second != first
    await log_out(user)

    await user.open(local(first))
    await user.should_see(marker='invitation-link-dead')
    await user.open(local(second))
    assert element(user, 'signup-email').value == 'carol@example.com'
    await sign_up_as_carol(user)
    await user.should_see(content='Acme · your role: member', marker='active-org')
    await user.should_not_see(marker='verify-banner')  # no mail: nothing to confirm, as before


async def test_an_added_account_opens_the_organization_from_its_mail(mailbox: Mailbox, user: User, make_org):
    bobco = await make_org('Bobco', owner='Bob')  # Bob's own, his preferred organization
    acme = await make_org('Acme')
    await orgs.invite(actor=acme.owner.membership, email=bobco.owner.email, role='member')
    await outbox.send_due()
    [message] = mailbox.to(bobco.owner.email)
    assert message['Subject'] == 'Olga Owner added you to Acme on Rubrica'
    await log_in(user, bobco.owner, path=local(link_in(message)))
    await user.should_see(content='Acme · your role: member', marker='active-org')


async def test_an_unconfirmed_account_invited_stays_invited(mailbox: Mailbox, user: User, make_org):
    acme = await make_org('Acme')
    await make_user(name='Carol', email='carol@example.com', verified=False)
    await log_in(user, acme.owner, path='/settings?section=members')
    user.find(marker='invite-email').type('carol@example.com')
    user.find(marker='invite-send').click()
    await user.should_see('carol@example.com was invited: a mail with a link is on its way')
    await user.should_see(marker='invitation-row')
    await user.should_not_see(marker='member-role-carol@example.com')
