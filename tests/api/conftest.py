"""Fixtures the API tests share (the organizations and people come from tests/conftest.py)."""
from __future__ import annotations

import pytest


@pytest.fixture
async def rossi(client, acme) -> dict:
    """A contact of Acme's, for the routes that take an id."""
    return (await client.post(f'{acme.base}/contacts', json={'last_name': 'Rossi'}, headers=acme.owner.auth)).json()
