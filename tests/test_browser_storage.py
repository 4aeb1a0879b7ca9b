"""NiceGUI's browser storage with RUBRICA_REDIS_URL (web/browser_storage.py): a browser's storage lives in Redis
under the install's prefix, where another process finds it; requests that no browser makes (API, CardDAV, health)
open no Redis storage of their own."""
from __future__ import annotations

import asyncio
import json

import redis
from nicegui import app
from nicegui.persistence import RedisPersistentDict
from nicegui.persistence.pseudo_persistent_dict import PseudoPersistentDict


async def test_requests_without_a_browser_get_no_redis_storage(with_redis, client, acme):
    before = set(app.storage._users)
    for _ in range(5):
        client.cookies.clear()
        assert (await client.get('/api/v1/me', headers=acme.owner.auth)).status_code == 200
        client.cookies.clear()
        assert (await client.get('/healthz')).status_code == 200
    made = [app.storage._users[session] for session in set(app.storage._users) - before]
    assert len(made) == 10 and all(isinstance(storage, PseudoPersistentDict) for storage in made)

    client.cookies.clear()
    assert (await client.get('/login')).status_code == 200  # a browser's first page: its storage is in Redis
    pages = [app.storage._users[session] for session in set(app.storage._users) - before
             if not isinstance(app.storage._users[session], PseudoPersistentDict)]
    assert len(pages) == 1 and isinstance(pages[0], RedisPersistentDict)


async def test_a_browsers_storage_is_kept_in_redis_under_the_prefix(with_redis, redis_prefix, client):
    client.cookies.clear()
    assert (await client.get('/login')).status_code == 200
    storage = next(s for s in app.storage._users.values() if isinstance(s, RedisPersistentDict))
    storage['org_id'] = 42  # what the pages keep there
    with redis.Redis.from_url(with_redis) as connection:
        for _ in range(50):
            if (saved := connection.get(storage.key)) is not None:
                break
            await asyncio.sleep(0.05)
    assert storage.key.startswith(f'{redis_prefix}nicegui:user-') and json.loads(saved) == {'org_id': 42}
