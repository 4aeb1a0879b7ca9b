"""An API token's "last used", kept without a write on every request."""
from __future__ import annotations

from models.accounts import service as accounts
from models.accounts.tables import ApiToken
from models.db import USE_PRECISION
from tests.helpers import make_user


async def test_a_token_notes_its_use_at_most_once_a_minute(db):
    """Every API request checks its token: writing "last used" each time sent every request through the database's
    writer. Used again within the minute, the stored moment stays; after it, it moves on."""
    user = await make_user('Tess Token')
    token, raw = await accounts.create_api_token(user=user, name='script')
    assert (await ApiToken.get(id=token.id)).last_used_at is None
    assert (await accounts.user_for_api_token(raw)).id == user.id
    first = (await ApiToken.get(id=token.id)).last_used_at
    assert first is not None
    assert (await accounts.user_for_api_token(raw)).id == user.id
    assert (await ApiToken.get(id=token.id)).last_used_at == first
    earlier = first - USE_PRECISION
    await ApiToken.filter(id=token.id).update(last_used_at=earlier)
    assert (await accounts.user_for_api_token(raw)).id == user.id
    assert (await ApiToken.get(id=token.id)).last_used_at >= first
