"""Invitation links and address verification in models/, with a real SMTP server: an invitation is mailed with a
sign-up link (kept as a digest, renewed by inviting again) that proves the address; an account that signed up without
one has its invitations wait until it opens its confirmation link (once, within its days); an existing account is
added at once and told; without mail nothing is sent, everyone counts as verified, and the link is handed over."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from models.accounts import service as accounts
from models.accounts import verification
from models.accounts.links import digest
from models.accounts.tables import EmailVerification, User
from models.errors import Forbidden, RateLimited, ValidationFailed
from models.mail import outbox
from models.mail.tables import OutgoingMail
from models.orgs import service as orgs
from models.orgs.tables import Invitation, Membership
from tests.helpers import PASSWORD, make_user
from tests.mailbox import Mailbox, link_in, mailbox, text_of  # noqa: F401


def query_of(link: str, name: str) -> str:
    return parse_qs(urlsplit(link).query)[name][0]


async def sent(box: Mailbox, address: str):
    """The mails the server handed to the test SMTP server for this address, oldest first."""
    await outbox.send_due()
    return box.to(address)


async def test_an_invitation_mails_a_sign_up_link_that_proves_the_address(db, mailbox: Mailbox, make_org):
    acme = await make_org('Acme', owner='Olga Owner')
    invitation = await orgs.invite(actor=acme.owner.membership, email='Carol@Example.com', role='member')
    assert isinstance(invitation, Invitation) and invitation.link == ''  # mailed, not handed over

    [message] = await sent(mailbox, 'carol@example.com')
    assert message['Subject'] == 'Olga Owner invites you to Acme on Rubrica'
    assert 'Olga Owner (olga@example.com) invites you to join Acme' in text_of(message)
    link = link_in(message)
    assert link.startswith('http://rubrica.test/signup?invitation=')
    token = query_of(link, 'invitation')
    stored = await Invitation.get(id=invitation.id)
    assert stored.token_hash == digest(token) and token not in stored.token_hash
    assert (await orgs.invitation_for_link(token)).org.name == 'Acme'

    with pytest.raises(ValidationFailed) as wrong:  # the link is for Carol's address only
        await accounts.sign_up(email='eve@example.com', password=PASSWORD, name='Eve', client=None, invitation=token)
    assert 'carol@example.com' in wrong.value.errors['email']

    carol = await accounts.sign_up(email='carol@example.com', password=PASSWORD, name='Carol', client=None,
                                   invitation=token)
    assert carol.email_verified_at is not None  # no second mail: the link came to her mailbox
    assert (await Membership.get(org_id=acme.id, user_id=carol.id)).role == 'member'
    assert not await Invitation.exists() and not await EmailVerification.exists()
    assert await orgs.invitation_for_link(token) is None  # used: it opens nothing any more
    assert await sent(mailbox, 'carol@example.com') == [message]


async def test_inviting_again_renews_the_link(db, mailbox: Mailbox, make_org):
    acme = await make_org('Acme')
    await orgs.invite(actor=acme.owner.membership, email='carol@example.com', role='member')
    await orgs.invite(actor=acme.owner.membership, email='carol@example.com', role='guest')
    first, second = [query_of(link_in(m), 'invitation') for m in await sent(mailbox, 'carol@example.com')]
    assert first != second and await Invitation.all().count() == 1
    assert await orgs.invitation_for_link(first) is None
    with pytest.raises(Forbidden, match='no longer valid'):
        await accounts.sign_up(email='carol@example.com', password=PASSWORD, name='Carol', client=None,
                               invitation=first)
    assert not await User.filter(email='carol@example.com').exists()
    carol = await accounts.sign_up(email='carol@example.com', password=PASSWORD, name='Carol', client=None,
                                   invitation=second)
    assert (await Membership.get(user_id=carol.id, org_id=acme.id)).role == 'guest'


async def test_a_sign_up_without_the_link_waits_for_the_address_to_be_confirmed(db, mailbox: Mailbox, make_org):
    acme = await make_org('Acme')
    await orgs.invite(actor=acme.owner.membership, email='carol@example.com', role='member')
    asked = outbox.now()
    carol = await accounts.sign_up(email='carol@example.com', password=PASSWORD, name='Carol', client=None)
    assert carol.email_verified_at is None and verification.needs_verification(carol)
    assert not await Membership.filter(user_id=carol.id).exists()  # whoever signs up first claims nothing
    assert await Invitation.filter(email='carol@example.com').exists()

    mails = await sent(mailbox, 'carol@example.com')
    assert [m['Subject'] for m in mails] == ['Olga Owner invites you to Acme on Rubrica',
                                             'Confirm your address for Rubrica']
    link = link_in(mails[-1])
    assert link.startswith('http://rubrica.test/verify-email?token=')
    token = query_of(link, 'token')
    assert (await EmailVerification.get(user=carol)).token_hash == digest(token)

    with pytest.raises(Forbidden, match='expired'):
        await verification.verify_email(token=token, moment=asked + verification.LINK_LIFETIME + timedelta(minutes=1))
    verified = await verification.verify_email(token=token)
    assert verified.id == carol.id and (await User.get(id=carol.id)).email_verified_at is not None
    assert (await Membership.get(user_id=carol.id, org_id=acme.id)).role == 'member'
    assert (await User.get(id=carol.id)).preferred_org_id == acme.id
    assert not await Invitation.exists()

    with pytest.raises(Forbidden, match='already used'):  # once only
        await verification.verify_email(token=token)
    with pytest.raises(Forbidden, match='expired or was already used'):  # an unknown link, said as clearly
        await verification.verify_email(token='not-a-token')


async def test_an_unconfirmed_account_is_invited_and_joins_once_confirmed(db, mailbox: Mailbox, make_org):
    acme = await make_org('Acme')
    carol = await make_user(name='Carol', email='carol@example.com', verified=False)
    waiting = await orgs.invite(actor=acme.owner.membership, email='carol@example.com', role='member')
    assert isinstance(waiting, Invitation) and waiting.token_hash is None  # no sign-up link: the account exists
    assert not await Membership.filter(user_id=carol.id).exists()
    [message] = await sent(mailbox, 'carol@example.com')
    assert 'as soon as you confirm your address' in text_of(message)

    await verification.resend_verification(user=carol)
    token = query_of(link_in((await sent(mailbox, 'carol@example.com'))[-1]), 'token')
    await verification.verify_email(token=token)
    assert await Membership.filter(user_id=carol.id, org_id=acme.id).exists()


async def test_an_existing_account_is_added_at_once_and_told(db, mailbox: Mailbox, make_org):
    acme = await make_org('Acme')
    bob = await make_user(name='Bob', email='bob@example.com')
    bob.language = 'it'
    await bob.save(update_fields=['language'])
    added = await orgs.invite(actor=acme.owner.membership, email='bob@example.com', role='member')
    assert isinstance(added, Membership) and added.user_id == bob.id
    [message] = await sent(mailbox, 'bob@example.com')
    assert message['Subject'] == 'Olga Owner ti ha aggiunto a Acme su Rubrica'  # in Bob's own language
    assert link_in(message) == f'http://rubrica.test/?org={acme.id}'


async def test_the_invitation_speaks_the_inviters_language(db, mailbox: Mailbox, make_org):
    acme = await make_org('Acme')
    acme.owner.user.language = 'fr'
    await acme.owner.user.save(update_fields=['language'])
    await orgs.invite(actor=acme.owner.membership, email='carol@example.com', role='member')
    [message] = await sent(mailbox, 'carol@example.com')
    assert message['Subject'] == 'Olga Owner vous invite à rejoindre Acme sur Rubrica'


async def test_asking_again_for_a_confirmation_link_is_braked(db, mailbox: Mailbox):
    start = outbox.now()
    carol = await accounts.sign_up(email='carol@example.com', password=PASSWORD, name='Carol', client=None)
    with pytest.raises(RateLimited) as too_soon:
        await verification.resend_verification(user=carol)
    assert 0 < too_soon.value.retry_after <= 60
    for minute in (2, 4):
        assert await verification.resend_verification(user=carol, moment=start + timedelta(minutes=minute))
    with pytest.raises(RateLimited):  # three links within the hour
        await verification.resend_verification(user=carol, moment=start + timedelta(minutes=6))
    assert await verification.resend_verification(user=carol, moment=start + timedelta(minutes=61))
    assert await OutgoingMail.filter(recipient='carol@example.com').count() == 4

    verified = await make_user(email='vera@example.com')
    assert not await verification.resend_verification(user=verified)  # nothing to confirm


async def test_without_mail_everyone_is_verified_and_the_link_is_handed_over(db, make_org):
    acme = await make_org('Acme')
    outbox.configure(None, sender='', public_url='http://rubrica.test')
    try:
        invitation = await orgs.invite(actor=acme.owner.membership, email='carol@example.com', role='member')
        assert invitation.link.startswith('http://rubrica.test/signup?invitation=')
        renewed = await orgs.renew_invitation_link(actor=acme.owner.membership, invitation_id=invitation.id)
        assert renewed != invitation.link
        assert await orgs.invitation_for_link(query_of(invitation.link, 'invitation')) is None
        assert (await orgs.invitation_for_link(query_of(renewed, 'invitation'))).email == 'carol@example.com'
        with pytest.raises(Forbidden):  # only owners hand out links
            await orgs.renew_invitation_link(actor=(await make_org('Other', owner='Otto', members=['Mia']))
                                             .member.membership, invitation_id=invitation.id)

        carol = await accounts.sign_up(email='carol@example.com', password=PASSWORD, name='Carol', client=None)
        assert carol.email_verified_at is not None and not verification.needs_verification(carol)
        assert await Membership.filter(user_id=carol.id, org_id=acme.id).exists()  # as before verification existed
        assert not await OutgoingMail.exists()
    finally:
        outbox.configure(None, sender='', public_url='')
