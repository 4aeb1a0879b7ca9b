"""Pages that are open, told at once when their reader has something new.

A page registers a callback for its reader (`listen`) and drops it when it closes; whoever creates notifications
calls `announce` once they are committed. The message travels on the reader's topic of models/events.py, so it
reaches the pages of every process when a relay is installed; a page also looks for itself now and then
(ui/notifications.py), which covers a relay that is down.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from .. import events

NOTIFICATION = 'notification'  # the `kind` of the message on a reader's topic


def listen(user_id: int, callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` whenever this user has something new; returns what stops it."""
    def heard(message: events.Message) -> None:
        if message.get('kind') == NOTIFICATION:
            callback()
    return events.subscribe(events.user_topic(user_id), heard)


def announce(user_ids: Iterable[int]) -> None:
    """Tell the open pages of these users that they have something new (after the commit that made it)."""
    for user_id in set(user_ids):
        events.publish(events.user_topic(user_id), {'kind': NOTIFICATION})
