"""Dates and times as their reader reads them: in the reader's time zone and language ("29 Nov 2026, 13:18",
"29 nov 2026, 13:18").

The time zone is the one chosen under Settings, else the browser's own: every page tells it in a cookie (the
browser knows it, the server does not), and a page reads that cookie when it is built. Nothing here trusts the
cookie: a name that is not a known IANA zone counts as none, and none means UTC.
"""
from __future__ import annotations

import functools
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_date, format_datetime
from nicegui import context, ui

from models import i18n

ZONE_COOKIE = 'rubrica_tz'
ZONE_KEY = 'rubrica.time_zone'  # in the page's client storage, set when the page is built

# one year; SameSite=Lax like the session cookie; the value is a zone name, not a secret
ZONE_SCRIPT = ('<script>try{document.cookie="%s="+encodeURIComponent(Intl.DateTimeFormat().resolvedOptions()'
               '.timeZone)+";path=/;max-age=31536000;SameSite=Lax"}catch(e){}</script>' % ZONE_COOKIE)


@functools.cache
def zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_named(name: object) -> ZoneInfo | None:
    """The zone of an IANA name ('Europe/Rome'), or None for anything else."""
    if not isinstance(name, str) or name not in zone_names():
        return None
    return ZoneInfo(name)


def tell_browser_zone() -> None:
    """On a page being built: have the browser keep its time zone in a cookie for the pages it opens next."""
    ui.add_head_html(ZONE_SCRIPT)


def set_page_zone(chosen: str = '') -> None:
    """While building a page: the zone its dates are shown in (the user's choice, else the browser's, else UTC).
    Nothing to do in an HTTP route that is not a page (a download, the cloud accounts' redirects)."""
    try:
        client = context.client
    except RuntimeError:
        return
    cookie = client.request.cookies.get(ZONE_COOKIE) if client.request is not None else None
    client.storage[ZONE_KEY] = zone_named(chosen) or zone_named(cookie) or UTC


def page_zone() -> tzinfo:
    try:
        return context.client.storage.get(ZONE_KEY) or UTC
    except RuntimeError:  # outside a page
        return UTC


def moment(value: datetime | None, *, empty: str = '') -> str:
    """A point in time as the page's reader reads it: '29 Nov 2026, 13:18'."""
    if value is None:
        return empty
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # the database keeps UTC
    return format_datetime(value, 'd MMM y, HH:mm', tzinfo=page_zone(), locale=i18n.current())


def day(value: date | datetime | None, *, empty: str = '') -> str:
    """A day: '29 Nov 2026' (a point in time is first moved to the reader's zone)."""
    if value is None:
        return empty
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(page_zone()).date()
    return format_date(value, 'd MMM y', locale=i18n.current())
