"""The gate re-checks the caller's membership inside every query: a membership loaded before the caller was removed
or demoted (as an open page holds it) sees nothing any more."""
from __future__ import annotations

import pytest

from models import access
from models.orgs import service as orgs
from models.work import service as work
from models.records.service import create_record
from models.records.tables import COMPANY, CONTACT
from models.work.tables import PROJECT


@pytest.fixture
async def held(acme):
    """Mario's membership as a page opened now keeps it, and a record of each kind he sees through it."""
    org = acme.owner.membership
    await create_record(CONTACT, org, {'last_name': 'Rossi'})
    await create_record(COMPANY, org, {'name': 'Rossi Srl'})
    await work.create_item(PROJECT, org, {'name': 'Launch'})
    return acme.member.membership


def seen(held):
    return [access.visible(CONTACT, held).count(), access.visible(COMPANY, held).count(),
            access.visible_work(PROJECT, held).count()]


async def counts(held) -> list[int]:
    return [await query for query in seen(held)]


async def test_a_removed_member_sees_nothing_through_a_membership_loaded_before(acme, held):
    assert await counts(held) == [1, 1, 1]
    await orgs.remove_member(actor=acme.owner.membership, user_id=acme.member.id)
    assert held.role == 'member'  # the object still says so: the query asks the database
    assert await counts(held) == [0, 0, 0]


async def test_a_member_demoted_to_guest_no_longer_sees_records_or_every_project(acme, held):
    await orgs.change_role(actor=acme.owner.membership, user_id=acme.member.id, role='guest')
    assert await counts(held) == [0, 0, 0]
    as_guest = await access.membership(acme.member, acme.id)
    assert await counts(as_guest) == [0, 0, 0]  # a guest sees only the work assigned to them: none here


async def test_a_promotion_keeps_what_the_page_showed(acme, held):
    await orgs.change_role(actor=acme.owner.membership, user_id=acme.member.id, role='owner')
    assert await counts(held) == [1, 1, 1]
