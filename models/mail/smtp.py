"""Where mail goes, and the one SMTP conversation that hands a message over."""
from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage

import aiosmtplib

TIMEOUT_SECONDS = 30  # a server that stops answering holds up the sender no longer than this


@dataclass(frozen=True)
class SmtpServer:
    """An SMTP server and how to talk to it (settings.py reads it from RUBRICA_SMTP_URL). The password is left out
    of repr(), so that no log, traceback or settings dump shows it."""
    host: str
    port: int
    username: str = ''
    password: str = field(default='', repr=False)
    implicit_tls: bool = False  # smtps://: TLS from the first byte
    starttls: bool = False  # smtp://…?starttls=1: plain at first, then upgraded before anything is said

    def scrub(self, text: str) -> str:
        """`text` without the password, should a server or a library ever repeat it."""
        return text.replace(self.password, '***') if self.password else text


async def deliver(server: SmtpServer, message: EmailMessage) -> None:
    """Hand the message over, or raise (aiosmtplib.SMTPException, OSError) saying why not."""
    await aiosmtplib.send(message, hostname=server.host, port=server.port,
                          username=server.username or None, password=server.password or None,
                          use_tls=server.implicit_tls, start_tls=server.starttls, timeout=TIMEOUT_SECONDS)
