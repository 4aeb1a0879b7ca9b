"""Dates and times in the reader's time zone and in words: the zone chosen under Settings, else the one the browser
reports in its cookie, else UTC; a cookie that names no real zone counts as none."""
from __future__ import annotations

from datetime import UTC, date, datetime

from nicegui.testing import User

from models.records import service as records
from models.records.tables import CONTACT, Contact
from tests.drivers import log_in
from ui import moments

UPDATED = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)


async def _card_of_a_contact_changed_late(acme) -> str:
    contact = await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Lovelace'})
    await Contact.filter(id=contact.id).update(updated_at=UPDATED, created_at=UPDATED)
    return f'/contacts/{contact.id}'


async def test_a_card_shows_times_in_the_users_chosen_zone(user: User, acme):
    path = await _card_of_a_contact_changed_late(acme)
    acme.owner.user.time_zone = 'Asia/Tokyo'  # UTC+9: the next day
    await acme.owner.user.save(update_fields=['time_zone'])
    await log_in(user, acme.owner, path=path)
    await user.should_see('30 Nov 2026, 08:30')
    await user.should_see('on 30 Nov 2026;')  # the day it was created, there


async def test_without_a_choice_the_browsers_zone_counts_and_a_bad_one_is_utc(user: User, acme):
    path = await _card_of_a_contact_changed_late(acme)
    await log_in(user, acme.owner)
    user.http_client.cookies.set(moments.ZONE_COOKIE, 'America/New_York')
    await user.open(path)
    await user.should_see('29 Nov 2026, 18:30')
    user.http_client.cookies.set(moments.ZONE_COOKIE, '../../etc/passwd')
    await user.open(path)
    await user.should_see('29 Nov 2026, 23:30')


def test_only_real_zone_names_count():
    assert moments.zone_named('Europe/Rome') is not None
    assert all(moments.zone_named(name) is None for name in ('', 'Mars/Olympus', '../etc/passwd', None, 3, 'UTC\n'))


def test_outside_a_page_times_are_utc_and_days_are_words():
    assert moments.moment(UPDATED) == '29 Nov 2026, 23:30'
    assert moments.moment(None, empty='never') == 'never'
    assert moments.day(date(2026, 3, 1)) == '1 Mar 2026'
