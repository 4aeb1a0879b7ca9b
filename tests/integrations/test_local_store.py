"""The local file store: files are written under generated names, read back, and nothing is left behind by a file past
the limit, an interrupted upload, or a key that is not the store's."""
from __future__ import annotations

import os

import pytest

from integrations.local_store import LocalStore
from integrations.storage import FileMissing, TooBig
from tests.helpers import chunked, files_under


async def test_the_store_writes_under_a_generated_name_and_reads_it_back(tmp_path):
    store = LocalStore(tmp_path / 'files')
    content = os.urandom(700_000)
    stored = await store.save(chunked(content, 65536), limit=10**9)
    assert stored.size == len(content)
    files = files_under(tmp_path / 'files')
    assert files == [tmp_path / 'files' / stored.key[:2] / stored.key]
    assert b''.join([c async for c in store.read(stored.key)]) == content
    await store.delete(stored.key)
    assert files_under(tmp_path / 'files') == []


async def test_a_file_past_the_limit_leaves_nothing_behind(tmp_path):
    store = LocalStore(tmp_path / 'files')
    with pytest.raises(TooBig):
        await store.save(chunked(b'x' * 5000), limit=4999)
    assert files_under(tmp_path / 'files') == []


async def test_an_interrupted_upload_leaves_nothing_behind(tmp_path):
    store = LocalStore(tmp_path / 'files')

    async def broken():
        yield b'first part'
        raise ConnectionError('the browser went away')
    with pytest.raises(ConnectionError):
        await store.save(broken(), limit=10**6)
    assert files_under(tmp_path / 'files') == []


async def test_keys_that_are_not_ours_never_reach_the_disk(tmp_path):
    store = LocalStore(tmp_path / 'files')
    (tmp_path / 'secret.txt').write_text('no')
    for key in ('../secret.txt', '../../etc/passwd', '', 'A' * 32):
        assert not await store.exists(key)
        with pytest.raises(FileMissing):
            [c async for c in store.read(key)]
