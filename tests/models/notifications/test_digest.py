"""The daily mail's hour: 08:00 in the reader's zone, gathering what arrived before it; what arrives after waits for
the next morning; nothing is mailed twice, and what was read meanwhile is left out."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from models.accounts import service as accounts
from models.mail.tables import OutgoingMail
from models.notifications import service as notifications
from models.notifications.digest import last_sending_hour, send_digests
from models.notifications.tables import Event, Notification
from tests.mailbox import mailbox  # noqa: F401

UTC = timezone.utc


def test_the_hour_is_eight_in_the_readers_zone():
    moment = datetime(2030, 1, 10, 6, 30, tzinfo=UTC)  # 07:30 in Rome (winter: UTC+1)
    assert last_sending_hour(moment, 'Europe/Rome') == datetime(2030, 1, 9, 7, 0, tzinfo=UTC)  # yesterday's 08:00
    assert last_sending_hour(moment + timedelta(hours=1), 'Europe/Rome') == datetime(2030, 1, 10, 7, 0, tzinfo=UTC)
    assert last_sending_hour(moment, '') == datetime(2030, 1, 10, 8, 0, tzinfo=UTC) - timedelta(days=1)
    assert last_sending_hour(moment, 'Nowhere/Unknown') == last_sending_hour(moment, '')


async def test_what_arrives_after_the_hour_waits_for_the_next_morning(mailbox, make_org):
    team = await make_org('Acme', members=['Mario Member'])
    mario = team.member.user
    await accounts.update_profile(user=mario, notification_mail='daily', time_zone='Europe/Rome')

    async def mention(at: datetime) -> Notification:
        await notifications.tell(event=Event.MENTIONED, users=[mario.id], org_id=team.id, by=team.owner.id,
                                 record_kind='contact', record_id=999, record_name='x')
        row = await Notification.filter(user_id=mario.id).order_by('-id').first()
        await Notification.filter(id=row.id).update(created_at=at)
        return row

    morning = datetime(2030, 1, 10, 7, 0, tzinfo=UTC)  # 08:00 in Rome
    await mention(morning - timedelta(hours=3))
    read = await mention(morning - timedelta(hours=2))
    await notifications.mark_read(mario, read.id)
    late = await mention(morning + timedelta(minutes=5))

    assert await send_digests(morning - timedelta(minutes=1)) == 0  # not yet 08:00
    assert await send_digests(morning + timedelta(minutes=10)) == 1
    digests = OutgoingMail.filter(subject__contains='in Rubrica')  # not the mail of Mario's joining Acme
    [mail] = await digests
    assert mail.subject == '1 new notification in Rubrica'  # the read one is left out
    assert await send_digests(morning + timedelta(hours=3)) == 0  # once a day; the late one waits
    assert (await Notification.get(id=late.id)).in_digest
    assert await send_digests(morning + timedelta(days=1, minutes=1)) == 1
    assert await digests.count() == 2
    assert not await Notification.filter(in_digest=True).exists()
