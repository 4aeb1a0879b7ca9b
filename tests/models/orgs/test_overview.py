"""The organization's page reads its plan, space and people in one call; a guest is not told who is in it."""
from __future__ import annotations

import pytest

from models.errors import NotFound
from models.orgs import service as orgs
from models.orgs.overview import organization_overview
from models.orgs.tables import Organization


async def test_owners_and_members_see_plan_space_and_people_by_role(acme):
    await orgs.invite(actor=acme.owner.membership, email='new@example.com', role='member')
    await orgs.set_plan(org_id=acme.id, plan='premium', quota_mb=2048)
    await Organization.filter(id=acme.id).update(storage_used=512 * 1024 * 1024)

    seen = await organization_overview(acme.member.membership)
    assert (seen.org.name, seen.role, seen.premium) == ('Acme', 'member', True)
    assert (seen.storage_used, seen.storage_quota, seen.storage_share) == (512 * 1024 * 1024, 2048 * 1024 * 1024, 0.25)
    assert seen.people == {'owner': 1, 'member': 2, 'guest': 1} and seen.invitations == 1


async def test_a_guest_sees_the_plan_but_not_who_is_in_it(acme):
    seen = await organization_overview(acme.guest.membership)
    assert (seen.role, seen.premium, seen.storage_quota) == ('guest', False, 100 * 1024 * 1024)
    assert seen.people is None and seen.invitations is None


async def test_someone_who_left_sees_nothing(acme):
    await orgs.remove_member(actor=acme.owner.membership, user_id=acme.member.id)
    with pytest.raises(NotFound):
        await organization_overview(acme.member.membership)
