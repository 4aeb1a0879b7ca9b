"""Pages that are open, told at once when their reader has something new.

A page registers a callback for its reader (`listen`) and drops it when it closes; whoever creates notifications
calls `announce` once they are committed. This reaches the pages served by this process only: a page also looks
for itself now and then (ui/notifications.py), which covers notifications written by another process.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable

logger = logging.getLogger(__name__)

_listeners: dict[int, set[Callable[[], None]]] = defaultdict(set)


def listen(user_id: int, callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` whenever this user has something new; returns what stops it."""
    _listeners[user_id].add(callback)

    def stop() -> None:
        callbacks = _listeners.get(user_id)
        if callbacks is not None:
            callbacks.discard(callback)
            if not callbacks:
                del _listeners[user_id]
    return stop


def announce(user_ids: Iterable[int]) -> None:
    """Tell the open pages of these users that they have something new (after the commit that made it)."""
    for user_id in set(user_ids):
        for callback in list(_listeners.get(user_id, ())):
            try:
                callback()
            except Exception:  # one page gone wrong must not keep the others from hearing
                logger.exception('telling an open page of user %s about a notification failed', user_id)
