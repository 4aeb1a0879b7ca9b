"""Password reset in models/: the mailed link works once, for one hour by a clock the test controls, ends the
account's other sessions and tokens but the one kept, and the requests are limited alike for every address."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from models.accounts import resets
from models.accounts import service as accounts
from models.accounts.tables import ApiToken, LoginAttempt, PasswordReset
from models.errors import Forbidden, RateLimited, ValidationFailed
from models.mail import outbox
from models.mail.tables import OutgoingMail
from tests.helpers import make_user
from tests.mailbox import Mailbox, link_in, mailbox  # noqa: F401


def token_of(box: Mailbox, address: str) -> str:
    return parse_qs(urlsplit(link_in(box.to(address)[-1])).query)['token'][0]


async def test_the_link_works_within_the_hour_and_once(db, mailbox: Mailbox):
    user = await make_user(email='eve@example.com')
    asked = outbox.now()
    await resets.request_reset(email=' Eve@Example.com ', client='10.0.0.1', moment=asked)
    await outbox.send_due()
    token = token_of(mailbox, 'eve@example.com')
    stored = await PasswordReset.get(user=user)
    assert stored.token_hash == accounts.digest(token) and token not in stored.token_hash

    with pytest.raises(Forbidden, match='expired'):
        await resets.reset_password(token=token, password='a new password', moment=asked + timedelta(hours=1))
    assert not await resets.link_works(token, moment=asked + timedelta(hours=1))
    with pytest.raises(ValidationFailed):  # the sign-up rules: at least 8 characters
        await resets.reset_password(token=token, password='short', moment=asked + timedelta(minutes=59))

    assert await resets.link_works(token, moment=asked + timedelta(minutes=59))
    await resets.reset_password(token=token, password='a new password', moment=asked + timedelta(minutes=59))
    assert await accounts.authenticate(email='eve@example.com', password='a new password', client=None)
    with pytest.raises(Forbidden, match='already used'):
        await resets.reset_password(token=token, password='another password', moment=asked + timedelta(minutes=59))


async def test_a_new_password_ends_every_other_session_and_token_and_link(db, mailbox: Mailbox):
    user = await make_user(email='eve@example.com')
    other = await make_user(email='olga@example.com')
    in_use, elsewhere = await accounts.start_session(user), await accounts.start_session(user)
    await accounts.create_api_token(user=user, name='script')
    others_session = await accounts.start_session(other)
    await accounts.create_api_token(user=other, name='theirs')
    for _ in range(2):
        await resets.request_reset(email='eve@example.com', client=None)
    await outbox.send_due()
    first, second = [token_of(Mailbox(mailbox.url, [m]), 'eve@example.com') for m in mailbox.to('eve@example.com')]

    await resets.reset_password(token=second, password='a new password', keep_session=in_use)

    assert await accounts.user_for_session(in_use) == user
    assert await accounts.user_for_session(elsewhere) is None
    assert not await ApiToken.filter(user=user).exists()
    assert not await resets.link_works(first)  # the other link stopped working too
    assert await accounts.user_for_session(others_session) == other  # nobody else's
    assert await ApiToken.filter(user=other).count() == 1


async def test_unknown_addresses_and_servers_without_mail_get_no_link(db, mailbox: Mailbox):
    await make_user(email='eve@example.com')
    await resets.request_reset(email='nobody@example.com', client=None)
    assert not await PasswordReset.exists() and not await OutgoingMail.exists()

    outbox.configure(None, sender='', public_url='')
    await resets.request_reset(email='eve@example.com', client=None)
    assert not await PasswordReset.exists() and not await OutgoingMail.exists()


async def test_requests_are_limited_per_address_alike_and_per_client(db, mailbox: Mailbox):
    await make_user(email='eve@example.com')
    for address in ('eve@example.com', 'nobody@example.com'):  # a known and an unknown address: the same limit
        for _ in range(resets.EMAIL_REQUESTS_ALLOWED):
            await resets.request_reset(email=address, client=None)
        with pytest.raises(RateLimited) as refused:
            await resets.request_reset(email=address, client=None)
        assert refused.value.retry_after > 0
    assert await PasswordReset.all().count() == resets.LINKS_PER_HOUR

    for n in range(resets.CLIENT_REQUESTS_ALLOWED):
        await resets.request_reset(email=f'someone{n}@example.com', client='10.0.0.9')
    with pytest.raises(RateLimited):
        await resets.request_reset(email='someone.else@example.com', client='10.0.0.9')
    await resets.request_reset(email='someone.else@example.com', client='10.0.0.10')  # another client


async def test_an_account_gets_a_few_links_an_hour_however_it_is_asked(db, mailbox: Mailbox):
    await make_user(email='eve@example.com')
    start = outbox.now()
    for minute in range(resets.LINKS_PER_HOUR + 2):
        await resets.request_reset(email='eve@example.com', client=None, moment=start + timedelta(minutes=minute))
        await LoginAttempt.all().delete()  # past the per-minute brake, as if each came a minute later
    assert await OutgoingMail.all().count() == resets.LINKS_PER_HOUR
    await resets.request_reset(email='eve@example.com', client=None, moment=start + timedelta(minutes=61))
    assert await OutgoingMail.all().count() == resets.LINKS_PER_HOUR + 1


async def test_the_mail_speaks_the_recipients_language(db, mailbox: Mailbox):
    user = await make_user(email='eve@example.com')
    user.language = 'it'
    await user.save(update_fields=['language'])
    await resets.request_reset(email='eve@example.com', client=None)
    await outbox.send_due()
    [message] = mailbox.received
    assert message['Subject'] == 'Reimposta la password di Rubrica'
