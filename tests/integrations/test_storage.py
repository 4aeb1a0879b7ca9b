"""The one small interface every file store implements (integrations/storage.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from integrations.storage import Tokens


def test_tokens_remember_their_expiry():
    soon = Tokens('a', 'r', datetime.now(timezone.utc) + timedelta(seconds=30))
    later = Tokens('a', 'r', datetime.now(timezone.utc) + timedelta(hours=1))
    assert soon.expired() and not later.expired()
    assert Tokens.from_dict(later.as_dict()) == later
