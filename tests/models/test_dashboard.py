"""The dashboard's figures count only what the viewer may see: public records, their own private ones, private
ones that mention them; never another organization's; and nothing at all for a guest."""
from __future__ import annotations

import pytest

from models import access
from models.errors import Forbidden
from models.orgs import service as orgs
from models.orgs.tables import Organization
from models.records import dashboard
from models.records.dashboard import TypeCount
from models.records.service import create_record, update_record
from models.records.tables import COMPANY, CONTACT
from models.work.tables import TASK, TICKET
from tests.helpers import add_member, make_org, make_user


async def _as(user, org_id: int):
    return await access.membership(user, org_id)  # with its organization loaded, as pages and the API get it


def _mention(user) -> str:
    return f'ask @[{user.name}](user:{user.id})'


@pytest.fixture
async def acme(db):
    """Boss owns Acme; Viewer and Writer are members; Other is an organization where Viewer is a member too."""
    boss, viewer, writer = [await make_user(name=n) for n in ('Boss', 'Viewer', 'Writer')]
    org = await make_org(boss, 'Acme')
    await add_member(org, viewer, 'member')
    await add_member(org, writer, 'member')
    other = await make_org(writer, 'Other')
    await add_member(other, viewer, 'member')
    as_writer = await _as(writer, org.org_id)
    as_viewer = await _as(viewer, org.org_id)

    async def contact(actor, last_name, type_, visibility='public', description=''):
        return await create_record(CONTACT, actor, {'last_name': last_name, 'type': type_,
                                                    'visibility': visibility, 'description': description})

    async def company(actor, name, type_, visibility='public', description=''):
        return await create_record(COMPANY, actor, {'name': name, 'type': type_, 'visibility': visibility,
                                                    'description': description})

    records = {
        'public client 1': await contact(as_writer, 'Alpha', 'Client'),
        'public client 2': await contact(as_writer, 'Beta', 'Client'),
        'public lead': await contact(as_writer, 'Gamma', 'Lead', description=_mention(viewer)),
        'writer private client': await contact(as_writer, 'Hidden', 'Client', 'private'),
        'private supplier mentioning viewer': await contact(as_writer, 'Delta', 'Supplier', 'private',
                                                           _mention(viewer)),
        'viewer private partner': await contact(as_viewer, 'Epsilon', 'Partner', 'private'),
        'untyped public': await contact(as_writer, 'Zeta', ''),
        'public company client': await company(as_writer, 'Open Spa', 'Client'),
        'writer private company': await company(as_writer, 'Secret Srl', 'Supplier', 'private'),
        'private company mentioning viewer': await company(as_writer, 'Told Srl', 'Partner', 'private',
                                                           _mention(viewer)),
        'other org contact': await contact(await _as(writer, other.org_id), 'Elsewhere', 'Client',
                                           description=_mention(viewer)),
        'other org company': await company(await _as(writer, other.org_id), 'Far Away', 'Client'),
    }
    return {'boss': boss, 'viewer': viewer, 'writer': writer, 'org': org, 'records': records}


async def test_counts_by_type_are_those_the_viewer_may_see(acme):
    viewer = await _as(acme['viewer'], acme['org'].org_id)
    assert await dashboard.counts_by_type(CONTACT, viewer) == [
        TypeCount('Client', 2), TypeCount('', 1), TypeCount('Lead', 1), TypeCount('Partner', 1),
        TypeCount('Supplier', 1)]
    assert await dashboard.counts_by_type(COMPANY, viewer) == [TypeCount('Client', 1), TypeCount('Partner', 1)]

    writer = await _as(acme['writer'], acme['org'].org_id)
    assert await dashboard.counts_by_type(CONTACT, writer) == [
        TypeCount('Client', 3), TypeCount('', 1), TypeCount('Lead', 1), TypeCount('Supplier', 1)]

    # owners have no bypass: the boss sees the public records only
    boss = await _as(acme['boss'], acme['org'].org_id)
    assert await dashboard.counts_by_type(CONTACT, boss) == [
        TypeCount('Client', 2), TypeCount('', 1), TypeCount('Lead', 1)]
    figures = await dashboard.dashboard(boss)
    assert (figures.contacts_total, figures.companies_total, figures.mentions_total) == (4, 1, 0)


async def test_recent_and_mentions_hold_only_visible_records(acme):
    viewer = await _as(acme['viewer'], acme['org'].org_id)
    figures = await dashboard.dashboard(viewer)
    assert (figures.contacts_total, figures.companies_total) == (6, 2)

    # eight visible records, fewer than the ten shown: all of them, and none of the hidden four
    assert sorted(e.name for e in figures.recent) == [
        'Alpha', 'Beta', 'Delta', 'Epsilon', 'Gamma', 'Open Spa', 'Told Srl', 'Zeta']
    assert [e.updated_at for e in figures.recent] == sorted((e.updated_at for e in figures.recent), reverse=True)

    mentioned = {(e.kind, e.name) for e in figures.mentions}
    assert mentioned == {('contact', 'Gamma'), ('contact', 'Delta'), ('company', 'Told Srl')}
    assert figures.mentions_total == 3  # the mention in the other organization counts there, not here

    # a mention removed from the description is no longer counted
    lead = acme['records']['public lead']
    writer = await _as(acme['writer'], acme['org'].org_id)
    await update_record(CONTACT, writer, lead.id, {'description': 'no one'}, lead.version)
    _, total = await dashboard.mentioning_me(viewer)
    assert total == 2

    # in the other organization the viewer is mentioned once
    in_other = await _as(acme['viewer'], (await Organization.get(name='Other')).id)
    entries, total = await dashboard.mentioning_me(in_other)
    assert total == 1 and [e.name for e in entries] == ['Elsewhere']


async def test_the_most_recent_change_comes_first(acme):
    records = acme['records']
    writer = await _as(acme['writer'], acme['org'].org_id)
    alpha = records['public client 1']
    await update_record(CONTACT, writer, alpha.id, {'first_name': 'Ada'}, alpha.version)
    viewer = await _as(acme['viewer'], acme['org'].org_id)
    recent = await dashboard.recently_updated(viewer, limit=3)
    assert (recent[0].kind, recent[0].id, recent[0].name, recent[0].updated_by) == ('contact', alpha.id, 'Ada Alpha',
                                                                                    'Writer')


async def test_a_guest_gets_no_figures(acme):
    org = acme['org']
    await orgs.change_role(actor=org, user_id=acme['viewer'].id, role='guest')
    guest = await _as(acme['viewer'], org.org_id)
    with pytest.raises(Forbidden):
        await dashboard.dashboard(guest)
    # and the gate itself gives a guest nothing to count, even when asked directly
    assert await dashboard.counts_by_type(CONTACT, guest) == []
    assert await dashboard.mentioning_me(guest) == ([], 0)
    assert await dashboard.recently_updated(guest) == []


async def test_my_open_work_shows_only_contacts_i_may_see(acme):
    """Open tasks and tickets assigned to me and linked to a contact: listed with the contacts I may see only."""
    from models.work import connections, service as work

    viewer = await _as(acme['viewer'], acme['org'].org_id)
    writer = await _as(acme['writer'], acme['org'].org_id)
    public = acme['records']['public client 1']
    hidden = acme['records']['writer private client']
    mine = await work.create_item(TASK, writer, {'title': 'Call Alpha', 'assignee_id': acme['viewer'].id})
    only_hidden = await work.create_item(TICKET, writer, {'title': 'Secret ticket',
                                                          'assignee_id': acme['viewer'].id})
    closed = await work.create_item(TICKET, writer, {'title': 'Old ticket', 'status': 'closed',
                                                     'assignee_id': acme['viewer'].id})
    not_mine = await work.create_item(TASK, writer, {'title': 'Not mine', 'assignee_id': acme['writer'].id})
    for item_key, item in (('task_id', mine), ('ticket_id', closed), ('task_id', not_mine)):
        await connections.link(writer, {'contact_id': public.id, item_key: item.id})
    await connections.link(writer, {'contact_id': hidden.id, 'task_id': mine.id})
    await connections.link(writer, {'contact_id': hidden.id, 'ticket_id': only_hidden.id})

    shown = await dashboard.open_work_linked_to_contacts(viewer)
    assert [(w.kind, w.title, [name for _, name in w.contacts]) for w in shown] == [('task', 'Call Alpha', ['Alpha'])]
