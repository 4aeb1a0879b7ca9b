"""The Redis relay of live events (integrations/redis_relay.py) against real Redis servers: a message reaches the
other processes once and never comes back to its own; a Redis that is down fails nothing and is heard again after
it restarts; a save with Redis down is saved. Two relays in one test stand for two processes."""
from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

from integrations.redis_relay import RedisRelay
from models import events
from models.records import service as records
from models.records.tables import CONTACT, Contact
from tests.conftest import require_redis
from tests.server import free_port

REDIS_SERVER = shutil.which('redis-server')


class Heard:
    """What one process's `deliver` was handed."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, dict]] = []

    def __call__(self, topic: str, message: dict) -> None:
        self.messages.append((topic, message))

    async def wait_for(self, count: int, seconds: float = 5) -> None:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.02)


async def test_a_message_reaches_the_other_processes_once_and_not_its_own(redis_prefix):
    url = require_redis()
    heard_a, heard_b, heard_c = Heard(), Heard(), Heard()
    relays = [RedisRelay(url, channel=f'{redis_prefix}events', deliver=heard)
              for heard in (heard_a, heard_b, heard_c)]
    for relay in relays:
        await relay.start()
    try:
        relays[0].send('record:contact:7', {'kind': 'changed', 'version': 3, 'by': 1})
        relays[1].send('user:2', {'kind': 'notification'})
        await heard_c.wait_for(2)
        await asyncio.sleep(0.2)  # time for a duplicate or an echo to arrive, if one were coming
    finally:
        for relay in relays:
            await relay.stop()
    assert heard_a.messages == [('user:2', {'kind': 'notification'})]
    assert heard_b.messages == [('record:contact:7', {'kind': 'changed', 'version': 3, 'by': 1})]
    assert sorted(heard_c.messages) == sorted([*heard_a.messages, *heard_b.messages])


async def test_a_channel_of_another_install_is_not_heard(redis_prefix):
    url = require_redis()
    heard = Heard()
    ours = RedisRelay(url, channel=f'{redis_prefix}events', deliver=heard)
    theirs = RedisRelay(url, channel=f'{redis_prefix}other:events', deliver=Heard())
    await ours.start()
    await theirs.start()
    try:
        theirs.send('user:1', {'kind': 'notification'})
        with redis.Redis.from_url(url) as connection:  # and whatever else someone puts on our channel
            connection.publish(f'{redis_prefix}events', b'not json')
            connection.publish(f'{redis_prefix}events', b'{"topic": "user:1"}')
        await asyncio.sleep(0.3)
    finally:
        await ours.stop()
        await theirs.stop()
    assert heard.messages == []


@contextmanager
def own_redis(port: int) -> Iterator[subprocess.Popen]:
    """A Redis server of this test's own, which it may stop (the machine's is shared)."""
    process = subprocess.Popen([REDIS_SERVER, '--port', str(port), '--bind', '127.0.0.1', '--save', '',
                                '--appendonly', 'no'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with redis.Redis(port=port, socket_connect_timeout=0.5) as connection:
                    connection.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.skipif(REDIS_SERVER is None, reason='needs redis-server to start and stop one')
async def test_the_relays_are_heard_again_after_redis_restarts(redis_prefix):
    port = free_port()
    url = f'redis://127.0.0.1:{port}/0'
    heard_b = Heard()
    with own_redis(port):
        a = RedisRelay(url, channel=f'{redis_prefix}events', deliver=Heard())
        b = RedisRelay(url, channel=f'{redis_prefix}events', deliver=heard_b)
        await a.start()
        await b.start()
    try:
        await asyncio.sleep(0.3)  # the listeners find Redis gone
        a.send('user:1', {'kind': 'notification', 'n': 1})  # lost, and nothing fails
        await asyncio.sleep(0.2)
        assert not b.listening.is_set()
        with own_redis(port):
            await asyncio.wait_for(b.listening.wait(), 10)
            await asyncio.wait_for(a.listening.wait(), 10)
            a.send('user:1', {'kind': 'notification', 'n': 2})
            await heard_b.wait_for(1)
    finally:
        await a.stop()
        await b.stop()
    assert heard_b.messages == [('user:1', {'kind': 'notification', 'n': 2})]


async def test_with_redis_down_a_relay_starts_and_a_save_is_saved(db, acme):
    """A Redis that does not answer: the relay gives up waiting at start-up, and a save that publishes its live
    event is saved (the pages' own polling covers the rest)."""
    relay = RedisRelay(f'redis://127.0.0.1:{free_port()}/0', channel='rubrica-test:events', deliver=events.deliver)
    started = time.monotonic()
    await relay.start()
    assert time.monotonic() - started < 10 and not relay.listening.is_set()
    events.install_relay(relay)
    heard: list[dict] = []
    try:
        contact = await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Neri'})
        stop = events.subscribe(events.record_topic('contact', contact.id), heard.append)
        await records.update_record(CONTACT, acme.member.membership, contact.id, {'first_name': 'Mario'}, 1)
        stop()
        await asyncio.sleep(0.3)  # the sender meets the refused connection meanwhile
    finally:
        events.install_relay(None)
        await relay.stop()
    assert (await Contact.get(id=contact.id)).first_name == 'Mario'
    assert heard == [{'kind': 'changed', 'version': 2, 'by': acme.member.id}]  # this process heard it all the same
