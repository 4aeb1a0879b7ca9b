"""The outbox, against a real SMTP server on 127.0.0.1: a queued mail leaves with both bodies, user text is never
markup, a server that refuses connections is retried after 1, 5 and 30 minutes and then given up, the log never
shows the password, and without SMTP settings nothing is queued."""
from __future__ import annotations

import logging
from datetime import timedelta

from models.mail import outbox
from models.mail.letters import Letter
from models.mail.tables import OutgoingMail
from tests.mailbox import SMTP_PASSWORD, Mailbox, html_of, link_in, mailbox, refusing_smtp, text_of  # noqa: F401

LETTER = Letter(subject='Hello <there>', greeting='Hello <b>Eve</b> & co,', paragraphs=['One', 'Two'],
                action='Open it', link='http://rubrica.test/somewhere?token=a%26b')


async def test_a_queued_mail_leaves_with_a_text_and_an_html_body(db, mailbox: Mailbox):
    mail = await outbox.queue('eve@example.com', LETTER)
    await outbox.send_due()

    [message] = mailbox.received
    assert message['To'] == 'eve@example.com'
    assert message['From'] == 'Rubrica <rubrica@example.com>'
    assert message['Subject'] == 'Hello <there>'
    assert 'Hello <b>Eve</b> & co,' in text_of(message)  # plain text as typed
    assert link_in(message) == 'http://rubrica.test/somewhere?token=a%26b'
    html = html_of(message)
    assert 'Hello &lt;b&gt;Eve&lt;/b&gt; &amp; co,' in html and '<b>Eve' not in html  # a name is never markup
    assert 'href="http://rubrica.test/somewhere?token=a%26b"' in html

    sent = await OutgoingMail.get(id=mail.id)
    assert sent.sent_at is not None and sent.attempts == 1 and sent.next_attempt_at is None
    assert (sent.text, sent.html) == ('', '')  # the link it carried is not kept

    await outbox.send_due()
    assert len(mailbox.received) == 1  # sent once

    await outbox.send_due(sent.sent_at + outbox.KEPT_FOR + timedelta(minutes=1))
    assert not await OutgoingMail.exists()  # a month later the row goes too


async def test_a_refused_connection_is_logged_and_retried_then_given_up(db, refusing_smtp: str, caplog):
    caplog.set_level(logging.INFO, logger='rubrica.mail')
    mail = await outbox.queue('eve@example.com', LETTER)
    start = outbox.now()

    await outbox.send_due(start)
    failed = await OutgoingMail.get(id=mail.id)
    assert failed.attempts == 1 and failed.sent_at is None
    assert failed.next_attempt_at == start + timedelta(minutes=1)
    assert failed.last_error and SMTP_PASSWORD not in failed.last_error
    assert f'mail {mail.id}: attempt 1 failed' in caplog.text

    await outbox.send_due(start + timedelta(seconds=59))  # not due yet
    assert (await OutgoingMail.get(id=mail.id)).attempts == 1

    moment = start
    for attempts, delay in ((2, timedelta(minutes=5)), (3, timedelta(minutes=30))):
        moment = (await OutgoingMail.get(id=mail.id)).next_attempt_at
        await outbox.send_due(moment)
        retried = await OutgoingMail.get(id=mail.id)
        assert retried.attempts == attempts
        assert retried.next_attempt_at == moment + delay

    await outbox.send_due(moment + timedelta(minutes=30))
    given_up = await OutgoingMail.get(id=mail.id)
    assert given_up.attempts == 4 and given_up.next_attempt_at is None and given_up.sent_at is None
    assert (given_up.text, given_up.html) == ('', '')
    assert f'mail {mail.id}: attempt 4 failed' in caplog.text and 'given up' in caplog.text
    assert [r.levelname for r in caplog.records if r.name == 'rubrica.mail'] == ['WARNING'] * 3 + ['ERROR']
    assert SMTP_PASSWORD not in caplog.text


async def test_without_smtp_settings_nothing_is_queued(db):
    outbox.configure(None, sender='', public_url='')
    assert not outbox.enabled()
    assert await outbox.queue('eve@example.com', LETTER) is None
    assert not await OutgoingMail.exists()
