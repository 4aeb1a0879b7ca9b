"""The outbox and its sender.

`queue` writes a mail into the outbox inside the caller's transaction (the action and its mail are saved together or
not at all) and never talks to a server: a request never waits for SMTP, and a server that is down never fails the
action. The sender is a background job (models/jobs/queue.py, in the server or in the workers) that hands over every
mail that is due: right after it is queued (`wake` asks the queue for it), and at least every 30 seconds. A failure is
logged (without the password) and retried after 1, 5 and 30 minutes; after the fourth failed attempt the mail is given
up, and that is logged as an error.

Without RUBRICA_SMTP_URL nothing is queued: `queue` returns None and `enabled()` is False, so that pages can say that
no mail will come instead of promising one that would never leave.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlencode

from .letters import Letter, bodies
from .smtp import SmtpServer, deliver
from .tables import OutgoingMail

logger = logging.getLogger('rubrica.mail')

RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))  # then the mail is given up
BATCH = 50  # mails handed over per pass, oldest first
KEPT_FOR = timedelta(days=30)  # sent and given-up mails are kept this long (what was sent to whom, when), then dropped


@dataclass(frozen=True)
class _Setup:
    server: SmtpServer
    sender: str  # the From: address
    public_url: str  # where the links in mails lead


_setup: _Setup | None = None
_waker: Callable[[], None] | None = None  # asks the jobs' queue for a pass of the sender
_pass_lock: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
_public_url = ''  # known also when no mail leaves: a link is then shown to copy instead of mailed


def configure(server: SmtpServer | None, *, sender: str, public_url: str) -> None:
    """Where mail goes (main.py, from the settings); None: this server sends no mail."""
    global _setup, _public_url
    _public_url = public_url.rstrip('/')
    _setup = _Setup(server, sender, _public_url) if server is not None else None


def enabled() -> bool:
    """Whether mail leaves this server: without it, a page offers another way or says that no mail will come."""
    return _setup is not None


def link(path: str, **query: str) -> str:
    """An address of this server as people reach it (RUBRICA_PUBLIC_URL), for a mail or to copy."""
    return f'{_public_url}{path}' + (f'?{urlencode(query)}' if query else '')


def now() -> datetime:
    return datetime.now(timezone.utc)


async def queue(recipient: str, letter: Letter) -> OutgoingMail | None:
    """Put a mail in the outbox, in the caller's transaction if there is one; None when mail is not enabled.
    Call `wake()` once the transaction is committed, so that it leaves at once."""
    if _setup is None:
        return None
    text, html = bodies(letter)
    return await OutgoingMail.create(recipient=recipient, subject=letter.subject, text=text, html=html,
                                     next_attempt_at=now())


def wake() -> None:
    """Tell the sender that a mail is waiting (it would otherwise find it at its next look)."""
    if _waker is not None:
        _waker()


def set_waker(waker: Callable[[], None] | None) -> None:
    """What `wake` calls (models/jobs/queue.py, once the queue is open; None when it closes)."""
    global _waker
    _waker = waker


def _one_pass_at_a_time() -> asyncio.Lock:
    """The lock of this process's passes, made for the running event loop (each test runs its own)."""
    global _pass_lock
    loop = asyncio.get_running_loop()
    if _pass_lock is None or _pass_lock[0] is not loop:
        _pass_lock = (loop, asyncio.Lock())
    return _pass_lock[1]


def _message(setup: _Setup, mail: OutgoingMail) -> EmailMessage:
    message = EmailMessage()
    message['From'] = setup.sender
    message['To'] = mail.recipient
    message['Subject'] = mail.subject
    message['Date'] = format_datetime(now())
    message['Message-ID'] = make_msgid(domain=setup.sender.rpartition('@')[2].strip('> ') or None)
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype='html')
    return message


async def _attempt(setup: _Setup, mail: OutgoingMail, moment: datetime) -> None:
    attempts = mail.attempts + 1
    try:
        await deliver(setup.server, _message(setup, mail))
    except Exception as e:  # noqa: BLE001 - whatever the server or the network did, the mail is retried
        error = setup.server.scrub(f'{type(e).__name__}: {e}')[:500]
        retry = moment + RETRY_DELAYS[attempts - 1] if attempts <= len(RETRY_DELAYS) else None
        await OutgoingMail.filter(id=mail.id).update(
            attempts=attempts, last_error=error, next_attempt_at=retry,
            **({} if retry else {'text': '', 'html': ''}))
        if retry:
            logger.warning('mail %s: attempt %s failed (%s); next attempt at %s', mail.id, attempts, error,
                           retry.isoformat(timespec='seconds'))
        else:
            logger.error('mail %s: attempt %s failed (%s); given up', mail.id, attempts, error)
        return
    await OutgoingMail.filter(id=mail.id).update(attempts=attempts, sent_at=now(), next_attempt_at=None,
                                                 last_error='', text='', html='')


async def send_due(moment: datetime | None = None) -> None:
    """Hand over every mail due at `moment` (now; a test passes its own clock to reach the retries).

    One pass at a time in this process: a pass asked for while another runs waits for it, so that when this returns
    every mail due before it was called has been attempted (across workers, the queue runs one pass at a time).
    """
    async with _one_pass_at_a_time():
        setup = _setup
        if setup is None:
            return
        moment = moment or now()
        while due := await OutgoingMail.filter(sent_at=None, next_attempt_at__lte=moment) \
                .order_by('next_attempt_at', 'id').limit(BATCH):
            for mail in due:
                await _attempt(setup, mail, moment)
        await OutgoingMail.filter(created_at__lt=moment - KEPT_FOR, next_attempt_at=None).delete()


async def counts() -> dict[str, int]:
    """How many mails are waiting (never tried, or to be tried again after a failure), sent, or given up, for the
    operator's metrics (web/metrics.py): counted from the outbox when asked, so every process reports the same, and
    sent and given-up mails count while their rows are kept (KEPT_FOR)."""
    waiting = OutgoingMail.filter(sent_at=None, next_attempt_at__isnull=False)
    return {'waiting': await waiting.filter(attempts=0).count(),
            'retrying': await waiting.filter(attempts__gt=0).count(),
            'sent': await OutgoingMail.filter(sent_at__isnull=False).count(),
            'given_up': await OutgoingMail.filter(sent_at=None, next_attempt_at=None).count()}
