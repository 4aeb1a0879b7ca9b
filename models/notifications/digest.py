"""The daily mail: the notifications of the people who chose "once a day", gathered into one mail each.

A person's mail leaves at the first pass after 08:00 in their time zone (UTC when they chose none) and gathers what
waited since before that hour; what arrives later waits for the next morning. Notifications read in the meantime are
left out of it (the reader has seen them). Each is read through the gate when the mail is written, as the bell's
panel reads it, so a record that became hidden since is named by nothing.
"""
from __future__ import annotations

import logging
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from ..accounts.tables import User
from ..mail import outbox
from ..mail.letters import spoken_in
from .service import digest_letter, now, shown_to
from .tables import MailChoice, Notification

logger = logging.getLogger(__name__)

SENT_AT = time(8, 0)  # the local hour a daily mail leaves
MOST_GATHERED = 50  # the newest this many go in one mail; the rest are counted in the bell


def last_sending_hour(moment: datetime, zone_name: str) -> datetime:
    """The latest SENT_AT, in this zone, not after `moment` (in UTC)."""
    try:
        zone = ZoneInfo(zone_name) if zone_name else timezone.utc
    except (KeyError, ValueError):
        zone = timezone.utc
    local = moment.astimezone(zone)
    hour = datetime.combine(local.date(), SENT_AT, tzinfo=zone)
    if hour > local:
        hour = datetime.combine(local.date() - timedelta(days=1), SENT_AT, tzinfo=zone)
    return hour.astimezone(timezone.utc)


async def send_digests(moment: datetime | None = None) -> int:
    """Queue the daily mail of everyone whose hour has come (a test passes its own clock); returns how many."""
    moment = moment or now()
    waiting = await Notification.filter(in_digest=True).distinct().values_list('user_id', flat=True)
    sent = 0
    for person in await User.filter(id__in=waiting):
        hour = last_sending_hour(moment, person.time_zone)
        if person.digest_sent_at is not None and person.digest_sent_at >= hour:
            continue  # today's left already
        if not await Notification.filter(user_id=person.id, in_digest=True, created_at__lt=hour).exists():
            continue  # all arrived after this morning's hour: they wait for the next
        sent += await _send_one(person, hour, moment)
    if sent:
        outbox.wake()
    return sent


async def _send_one(person: User, hour: datetime, moment: datetime) -> int:
    async with in_transaction():
        gathered = Notification.filter(user_id=person.id, in_digest=True, created_at__lt=hour)
        rows = await gathered.filter(read_at=None).order_by('-id').limit(MOST_GATHERED).select_related('by')
        await gathered.update(in_digest=False)
        await User.filter(id=person.id).update(digest_sent_at=moment)
        if not rows or person.notification_mail != MailChoice.DAILY.value:
            return 0
        shown = await shown_to(person.id, rows)
        await outbox.queue(person.email, spoken_in(person.language, lambda: digest_letter(person, shown)))
    return 1
