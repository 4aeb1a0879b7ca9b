"""Live events between processes over Redis pub/sub: the relay of models/events.py when RUBRICA_REDIS_URL is set.

`send(topic, message)` (events.publish calls it after delivering the message to its own process) puts the message
on one Redis channel with this process's origin; every process listens to that channel and hands the messages of
the others to `deliver` (events.deliver, given by main.py: this module imports nothing of Rubrica's). A process
skips its own messages, which publish delivered already.

Redis is a courier here, never a store: a message sent while Redis is down is dropped with a warning, and the
save that sent it has happened all the same (pages also look for news now and then). The listener connects again,
with growing pauses, after Redis restarts or the connection drops.
"""
from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from contextlib import suppress
from urllib.parse import urlsplit

import redis.asyncio as redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

Deliver = Callable[[str, dict], None]

QUEUED_AT_MOST = 10_000  # messages waiting for Redis; past that (Redis slow or down) new ones are dropped
CONNECT_TIMEOUT = 2.0  # seconds
FIRST_PAUSE, LONGEST_PAUSE = 0.2, 5.0  # seconds between attempts to listen again, doubling up to the longest


def where(url: str) -> str:
    """host:port of a Redis URL, for log lines (never its password)."""
    parts = urlsplit(url)
    return f'{parts.hostname}:{parts.port or 6379}'


class RedisRelay:
    """One per process: `await start()` in the process's event loop, `await stop()` at its end."""

    def __init__(self, url: str, *, channel: str, deliver: Deliver) -> None:
        self.url, self.channel, self.deliver = url, channel, deliver
        self.origin = uuid.uuid4().hex  # this process, on every message it sends
        self.client = redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT,
                                     health_check_interval=10)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(QUEUED_AT_MOST)
        self.tasks: list[asyncio.Task] = []
        self.listening = asyncio.Event()  # set while subscribed (tests and /readyz-like checks wait for it)
        self._dropped = 0

    # ---------------------------------------------------------------- sending

    def send(self, topic: str, message: dict) -> None:
        """Queue the message for the other processes; never raises for Redis (it is sent by a task of its own)."""
        if self.loop is None:
            return  # not started (or stopped): no other process hears this one
        payload = json.dumps({'origin': self.origin, 'topic': topic, 'message': message}).encode()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self._queue(payload)
        else:  # published from a thread of this process
            self.loop.call_soon_threadsafe(self._queue, payload)

    def _queue(self, payload: bytes) -> None:
        try:
            self.queue.put_nowait(payload)
        except asyncio.QueueFull:
            self._dropped += 1
            if self._dropped == 1:
                logger.warning('Redis at %s does not take live events fast enough: dropping them', where(self.url))

    async def _send_queued(self) -> None:
        failing = False
        while True:
            payload = await self.queue.get()
            try:
                await self.client.publish(self.channel, payload)
            except (RedisError, OSError) as e:
                if not failing:  # once per outage, not once per message
                    logger.warning('Redis at %s is unreachable (%s): live events go to this process only until it '
                                   'is back', where(self.url), type(e).__name__)
                failing = True
                continue
            if failing:
                logger.info('Redis at %s takes live events again', where(self.url))
            failing, self._dropped = False, 0

    # ---------------------------------------------------------------- listening

    async def _listen(self) -> None:
        pause = FIRST_PAUSE
        while True:
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self.listening.set()
                if pause > FIRST_PAUSE:
                    logger.info('Redis at %s is back: listening to live events of the other processes',
                                where(self.url))
                pause = FIRST_PAUSE
                while True:
                    # a timeout keeps the connection's health check running while nothing is published
                    message = await pubsub.get_message(timeout=30)
                    if message is not None and message.get('type') == 'message':
                        self._received(message['data'])
            except (RedisError, OSError) as e:
                if self.listening.is_set() or pause == FIRST_PAUSE:
                    logger.warning('Redis at %s is unreachable (%s): trying again to hear the other processes',
                                   where(self.url), type(e).__name__)
                self.listening.clear()
            finally:
                with suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)

    def _received(self, data: bytes) -> None:
        try:
            envelope = json.loads(data)
            origin, topic, message = envelope['origin'], envelope['topic'], envelope['message']
        except (ValueError, KeyError, TypeError):
            logger.warning('a live event on %s that is no relay message was ignored', self.channel)
            return
        if origin == self.origin or not isinstance(topic, str) or not isinstance(message, dict):
            return  # this process's own: published here, delivered here already
        self.deliver(topic, message)

    async def ping(self) -> None:
        """Raises unless Redis answers (for /readyz)."""
        await self.client.ping()

    # ---------------------------------------------------------------- life

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.tasks = [asyncio.create_task(self._listen(), name='redis relay: listen'),
                      asyncio.create_task(self._send_queued(), name='redis relay: send')]
        try:  # the first subscription before the process serves anyone, unless Redis is down (then later)
            await asyncio.wait_for(self.listening.wait(), timeout=CONNECT_TIMEOUT * 2)
        except asyncio.TimeoutError:
            logger.warning('Redis at %s did not answer: live events of other processes arrive once it does',
                           where(self.url))

    async def stop(self) -> None:
        self.loop = None
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task
        self.tasks = []
        self.listening.clear()
        with suppress(Exception):
            await self.client.aclose()
