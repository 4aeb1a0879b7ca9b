"""Live events: something changed that open pages may want to show at once.

`publish(topic, message)` is called after the commit that made the change; every `subscribe`r of that topic, on this
process, is called with the message. With a relay installed (`install_relay`, Redis pub/sub when RUBRICA_REDIS_URL
is set), a message also reaches the subscribers of every other process, and the relay delivers what other processes
published through `deliver`.

Topics name who or what is concerned, never the content: `user:<id>` (something for this person: a notification,
a job's progress), `record:<kind>:<id>` (a contact or company was changed). Messages are small JSON objects; a
subscriber reads what it needs from the database, through the access gate, so a message carries no data a reader
might not see.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Protocol

logger = logging.getLogger(__name__)

Message = dict
Subscriber = Callable[[Message], None]

_subscribers: dict[str, set[Subscriber]] = defaultdict(set)


class Relay(Protocol):
    """Carries published messages to the other processes (and back through `deliver`)."""

    def send(self, topic: str, message: Message) -> None: ...


_relay: Relay | None = None


def user_topic(user_id: int) -> str:
    return f'user:{user_id}'


def record_topic(kind: str, record_id: int) -> str:
    return f'record:{kind}:{record_id}'


def subscribe(topic: str, callback: Subscriber) -> Callable[[], None]:
    """Call `callback(message)` for every message published on `topic`; returns what stops it."""
    _subscribers[topic].add(callback)

    def stop() -> None:
        callbacks = _subscribers.get(topic)
        if callbacks is not None:
            callbacks.discard(callback)
            if not callbacks:
                del _subscribers[topic]
    return stop


def publish(topic: str, message: Message | None = None) -> None:
    """Tell this process's subscribers at once, and the other processes' through the relay (after the commit)."""
    message = message or {}
    deliver(topic, message)
    if _relay is not None:
        try:
            _relay.send(topic, message)
        except Exception:  # pages of other processes still ask now and then; the change itself is saved
            logger.exception('relaying a live event on %s to the other processes failed', topic)


def deliver(topic: str, message: Message) -> None:
    """Call this process's subscribers of `topic` (the relay calls it for messages of other processes)."""
    for callback in list(_subscribers.get(topic, ())):
        try:
            callback(message)
        except Exception:  # one page gone wrong must not keep the others from hearing
            logger.exception('a subscriber of %s failed', topic)


def install_relay(relay: Relay | None) -> None:
    global _relay
    _relay = relay


def has_subscribers(topic: str) -> bool:
    return bool(_subscribers.get(topic))
