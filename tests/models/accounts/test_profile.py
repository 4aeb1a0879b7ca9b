"""The profile: a name, the time zone pages show dates in and their language; each refused with the field it names."""
from __future__ import annotations

import pytest

from models.accounts import service as accounts
from models.accounts.tables import User
from models.errors import ValidationFailed


async def test_the_time_zone_is_a_known_zone_or_empty_and_the_name_is_kept(acme):
    owner = acme.owner.user
    await accounts.update_profile(user=owner, time_zone='Europe/Rome')
    saved = await User.get(id=owner.id)
    assert (saved.time_zone, saved.name) == ('Europe/Rome', 'Olga Owner')
    for bad in ('Mars/Olympus', '../etc/passwd', 42):
        with pytest.raises(ValidationFailed) as refused:
            await accounts.update_profile(user=owner, name='', time_zone=bad)
        assert set(refused.value.errors) == {'name', 'time_zone'}  # every bad field at once
    assert (await User.get(id=owner.id)).time_zone == 'Europe/Rome'
    await accounts.update_profile(user=owner, time_zone=None)
    assert (await User.get(id=owner.id)).time_zone == ''


async def test_the_language_is_one_rubrica_speaks_or_empty_for_the_browsers(acme):
    owner = acme.owner.user
    await accounts.update_profile(user=owner, language='it')
    assert (await User.get(id=owner.id)).language == 'it'
    for bad in ('de', 'it-IT', 'IT', 7):
        with pytest.raises(ValidationFailed) as refused:
            await accounts.update_profile(user=owner, language=bad, time_zone='Europe/Rome')
        assert set(refused.value.errors) == {'language'}
    saved = await User.get(id=owner.id)
    assert (saved.language, saved.time_zone) == ('it', '')  # nothing of a refused change was written
    await accounts.update_profile(user=owner, language=None)
    assert (await User.get(id=owner.id)).language == ''
