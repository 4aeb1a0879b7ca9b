"""POST /api/v1/password-reset, with the app's own sender and a real SMTP server: 202 for any address, a mail with
a working link only for an account, and a server that refuses connections fails nothing (the mail is retried and
the failure logged without the password)."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from models.accounts import resets
from models.mail import outbox
from models.mail.tables import OutgoingMail
from tests.mailbox import SMTP_PASSWORD, Mailbox, link_in, mailbox, refusing_smtp  # noqa: F401

RESET = '/api/v1/password-reset'
SUBJECT = 'Reset your Rubrica password'


@pytest.fixture
async def acme(acme, request):
    """Acme, without the "X added you to Acme" mails its members were sent when it was made: the tests look only
    at the mails of their own requests."""
    await outbox.send_due()
    await OutgoingMail.all().delete()
    if 'mailbox' in request.fixturenames:
        request.getfixturevalue('mailbox').received.clear()
    return acme


async def test_any_address_gets_202_and_only_an_account_gets_a_mail(mailbox: Mailbox, client, acme):
    unknown = await client.post(RESET, json={'email': 'nobody@example.com'})
    known = await client.post(RESET, json={'email': acme.member.user.email})
    assert (unknown.status_code, known.status_code) == (202, 202)
    assert unknown.content == known.content == b''

    await outbox.send_due()  # whatever the app's sender has not sent yet
    [message] = mailbox.about(SUBJECT)
    assert message['To'] == acme.member.user.email
    link = link_in(message)
    assert link.startswith('http://rubrica.test/reset-password?token=')

    # the link sets a new password once; the account's API tokens end
    token = parse_qs(urlsplit(link).query)['token'][0]
    assert (await client.get('/api/v1/me', headers=acme.member.auth)).status_code == 200
    await resets.reset_password(token=token, password='a brand new password')
    assert (await client.get('/api/v1/me', headers=acme.member.auth)).status_code == 401
    assert (await client.get('/api/v1/me', headers=acme.owner.auth)).status_code == 200  # nobody else's
    signed_in = await client.post('/api/v1/tokens', json={'email': acme.member.user.email,
                                                        'password': 'a brand new password'})
    assert signed_in.status_code == 201


async def test_the_limit_answers_429_for_known_and_unknown_addresses_alike(mailbox: Mailbox, client, acme):
    for address in (acme.member.user.email, 'nobody@example.com'):
        answers = [(await client.post(RESET, json={'email': address})).status_code
                   for _ in range(resets.EMAIL_REQUESTS_ALLOWED + 1)]
        assert answers == [202] * resets.EMAIL_REQUESTS_ALLOWED + [429]
    refused = await client.post(RESET, json={'email': 'nobody@example.com'})
    assert int(refused.headers['retry-after']) > 0


async def test_a_body_without_an_email_is_refused(client):
    assert (await client.post(RESET, json={})).status_code == 422
    assert (await client.post(RESET, json={'email': 'a@example.com', 'admin': True})).status_code == 422


async def test_a_refusing_smtp_server_fails_nothing_and_the_mail_is_retried(refusing_smtp: str, client, acme, caplog):
    caplog.set_level(logging.INFO, logger='rubrica.mail')
    assert (await client.post(RESET, json={'email': acme.member.user.email})).status_code == 202

    await outbox.send_due()
    mail = await OutgoingMail.get(recipient=acme.member.user.email, subject=SUBJECT)
    assert mail.attempts == 1 and mail.sent_at is None and mail.next_attempt_at is not None
    await outbox.send_due(mail.next_attempt_at)
    assert (await OutgoingMail.get(id=mail.id)).attempts == 2
    assert f'mail {mail.id}: attempt 2 failed' in caplog.text
    assert SMTP_PASSWORD not in caplog.text


async def test_without_smtp_the_answer_is_the_same_and_no_mail_is_queued(client, acme):
    assert (await client.post(RESET, json={'email': acme.member.user.email})).status_code == 202
    assert not await OutgoingMail.exists()


async def test_the_server_sends_queued_mail_by_itself(mailbox: Mailbox, client, acme):
    assert (await client.post(RESET, json={'email': acme.member.user.email})).status_code == 202
    for _ in range(100):  # the app's sender, woken by the request: no call of the test's makes it send
        if mailbox.about(SUBJECT):
            break
        await asyncio.sleep(0.1)
    assert [m['To'] for m in mailbox.about(SUBJECT)] == [acme.member.user.email]
