"""A real SMTP server for the mail tests (aiosmtpd on 127.0.0.1, with a user name and password to check), and
the mails it received, read as a person's mail program would.

Fixtures (import them into a test module to use them): `mailbox` starts the server and points RUBRICA_SMTP_URL at
it, so request it before `user` or `client` (which start the app with the settings); `refusing_smtp` points
RUBRICA_SMTP_URL at a port where nothing listens. Both also configure models/mail directly, for tests of models/
that run without the app (the app, when a test starts it, configures it again from the same settings).
"""
from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from models.mail import outbox
from settings import smtp_server

SMTP_USER = 'rubrica'
SMTP_PASSWORD = 'smtp-secret-7Xq'  # looked for in logs: it must never be there
MAIL_FROM = 'Rubrica <rubrica@example.com>'
PUBLIC_URL = 'http://rubrica.test'


@dataclass
class Mailbox:
    """What the test server received, oldest first."""
    url: str
    received: list[EmailMessage] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if address in m['To']]

    def about(self, subject: str) -> list[EmailMessage]:
        """The mails whose subject says this (others come too: a team made for a test mails its members)."""
        return [m for m in self.received if subject in m['Subject']]

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's handler hook
        if not session.authenticated:
            return '530 Authentication required'
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return '250 OK'


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=('plain',)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=('html',)).get_content()


def link_in(message: EmailMessage) -> str:
    """The one link of a mail, from its plain text."""
    found = re.findall(r'https?://\S+', text_of(message))
    assert len(found) == 1, found
    return found[0]


def free_port() -> int:
    """A port nothing listens on (closed again at once)."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    good = isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode() \
        and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=good)


def _use(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv('RUBRICA_SMTP_URL', url)
    monkeypatch.setenv('RUBRICA_MAIL_FROM', MAIL_FROM)
    monkeypatch.setenv('RUBRICA_PUBLIC_URL', PUBLIC_URL)
    outbox.configure(smtp_server(url), sender=MAIL_FROM, public_url=PUBLIC_URL)  # the app does it again


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    port = free_port()
    box = Mailbox(f'smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{port}')
    # AUTH offered without TLS (on 127.0.0.1, in a test); a mail from a client that did not log in is refused
    controller = Controller(box, hostname='127.0.0.1', port=port, authenticator=_authenticate,
                            auth_require_tls=False)
    controller.start()
    _use(monkeypatch, box.url)
    yield box
    controller.stop()
    outbox.configure(None, sender='', public_url='')


@pytest.fixture
def refusing_smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """RUBRICA_SMTP_URL at a closed port of this machine: every connection is refused."""
    url = f'smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{free_port()}'
    _use(monkeypatch, url)
    yield url
    outbox.configure(None, sender='', public_url='')
