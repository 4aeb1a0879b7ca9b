"""The dashboard's figures count only what the viewer may see: public records, their own private ones, private
ones that mention them; never another organization's; and nothing at all for a guest."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from models import access, i18n
from models.records import dashboard
from models.orgs import service as orgs
from models.records.dashboard import TypeCount
from models.errors import Forbidden
from models.records.service import create_record, update_record
from models.records.tables import COMPANY, CONTACT
from models.orgs.tables import Organization
from models.work.tables import TASK, TICKET
from models.imports.writing import import_file
from tests.helpers import make_user


async def _as(user, org_id: int):
    return await access.membership(user, org_id)  # with its organization loaded, as pages and the API get it


@pytest.fixture
async def records(acme, make_org) -> dict:
    """Records of Acme made by Tina (the writer) for Mario (the viewer) to see or not, and Other, an organization
    of Tina's where Mario is a member too."""
    viewer, writer = acme.member, acme.other
    other = await make_org('Other', owner=writer, members=[viewer])
    as_writer, as_viewer = writer.membership, viewer.membership

    async def contact(actor, last_name, type_, visibility='public', description=''):
        return await create_record(CONTACT, actor, {'last_name': last_name, 'type': type_,
                                                    'visibility': visibility, 'description': description})

    async def company(actor, name, type_, visibility='public', description=''):
        return await create_record(COMPANY, actor, {'name': name, 'type': type_, 'visibility': visibility,
                                                    'description': description})

    return {
        'public client 1': await contact(as_writer, 'Alpha', 'Client'),
        'public client 2': await contact(as_writer, 'Beta', 'Client'),
        'public lead': await contact(as_writer, 'Gamma', 'Lead', description=f'ask {viewer.mention}'),
        'writer private client': await contact(as_writer, 'Hidden', 'Client', 'private'),
        'private supplier mentioning viewer': await contact(as_writer, 'Delta', 'Supplier', 'private',
                                                            f'ask {viewer.mention}'),
        'viewer private partner': await contact(as_viewer, 'Epsilon', 'Partner', 'private'),
        'untyped public': await contact(as_writer, 'Zeta', ''),
        'public company client': await company(as_writer, 'Open Spa', 'Client'),
        'writer private company': await company(as_writer, 'Secret Srl', 'Supplier', 'private'),
        'private company mentioning viewer': await company(as_writer, 'Told Srl', 'Partner', 'private',
                                                           f'ask {viewer.mention}'),
        'other org contact': await contact(other['tina'].membership, 'Elsewhere', 'Client',
                                           description=f'ask {viewer.mention}'),
        'other org company': await company(other['tina'].membership, 'Far Away', 'Client'),
    }


async def test_counts_by_type_are_those_the_viewer_may_see(acme, records):
    viewer = acme.member.membership
    assert await dashboard.counts_by_type(CONTACT, viewer) == [
        TypeCount('Client', 2), TypeCount('', 1), TypeCount('Lead', 1), TypeCount('Partner', 1),
        TypeCount('Supplier', 1)]
    assert await dashboard.counts_by_type(COMPANY, viewer) == [TypeCount('Client', 1), TypeCount('Partner', 1)]

    writer = acme.other.membership
    assert await dashboard.counts_by_type(CONTACT, writer) == [
        TypeCount('Client', 3), TypeCount('', 1), TypeCount('Lead', 1), TypeCount('Supplier', 1)]

    # owners have no bypass: Olga sees the public records only
    owner = acme.owner.membership
    assert await dashboard.counts_by_type(CONTACT, owner) == [
        TypeCount('Client', 2), TypeCount('', 1), TypeCount('Lead', 1)]
    figures = await dashboard.dashboard(owner)
    assert (figures.contacts_total, figures.companies_total, figures.mentions_total) == (4, 1, 0)


async def test_recent_and_mentions_hold_only_visible_records(acme, records):
    viewer = acme.member.membership
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
    lead = records['public lead']
    writer = acme.other.membership
    await update_record(CONTACT, writer, lead.id, {'description': 'no one'}, lead.version)
    _, total = await dashboard.mentioning_me(viewer)
    assert total == 2

    # in the other organization the viewer is mentioned once
    in_other = await _as(acme.member, (await Organization.get(name='Other')).id)
    entries, total = await dashboard.mentioning_me(in_other)
    assert total == 1 and [e.name for e in entries] == ['Elsewhere']


async def test_the_most_recent_change_comes_first(acme, records):
    writer = acme.other.membership
    alpha = records['public client 1']
    await update_record(CONTACT, writer, alpha.id, {'first_name': 'Ada'}, alpha.version)
    viewer = acme.member.membership
    recent = await dashboard.recently_updated(viewer, limit=3)
    assert (recent[0].kind, recent[0].id, recent[0].name, recent[0].updated_by) == ('contact', alpha.id, 'Ada Alpha',
                                                                                    'Tina Other')


async def test_a_guest_gets_no_figures(acme, records):
    await orgs.change_role(actor=acme.owner.membership, user_id=acme.member.id, role='guest')
    guest = await _as(acme.member, acme.id)
    with pytest.raises(Forbidden):
        await dashboard.dashboard(guest)
    # and the gate itself gives a guest nothing to count, even when asked directly
    assert await dashboard.counts_by_type(CONTACT, guest) == []
    assert await dashboard.mentioning_me(guest) == ([], 0)
    assert await dashboard.recently_updated(guest) == []


async def test_my_open_work_shows_only_contacts_i_may_see(acme, records):
    """Open tasks and tickets assigned to me and linked to a contact: listed with the contacts I may see only."""
    from models.work import connections
    from models.work import service as work

    viewer = acme.member.membership
    writer = acme.other.membership
    public = records['public client 1']
    hidden = records['writer private client']
    mine = await work.create_item(TASK, writer, {'title': 'Call Alpha', 'assignee_id': acme.member.id})
    only_hidden = await work.create_item(TICKET, writer, {'title': 'Secret ticket',
                                                               'assignee_id': acme.member.id})
    closed = await work.create_item(TICKET, writer, {'title': 'Old ticket', 'status': 'closed',
                                                          'assignee_id': acme.member.id})
    not_mine = await work.create_item(TASK, writer, {'title': 'Not mine', 'assignee_id': acme.other.id})
    for item_key, item in (('task_id', mine), ('ticket_id', closed), ('task_id', not_mine)):
        await connections.link(writer, {'contact_id': public.id, item_key: item.id})
    await connections.link(writer, {'contact_id': hidden.id, 'task_id': mine.id})
    await connections.link(writer, {'contact_id': hidden.id, 'ticket_id': only_hidden.id})

    shown = await dashboard.open_work_linked_to_contacts(viewer)
    assert [(w.kind, w.title, [name for _, name in w.contacts]) for w in shown] == [('task', 'Call Alpha', ['Alpha'])]


# ------------------------------------------------------------------ the first steps of an organization

async def test_the_first_steps_follow_the_data_and_the_role(make_org):

    team = await make_org('Fresh', owner='Nora New', members=['Milo Mate'])
    owner, member = team.owner.membership, team.member.membership
    steps = await dashboard.first_steps(owner)
    assert steps.done == {'contact': False, 'company': False, 'import': False, 'invite': True, 'options': False}
    assert steps.empty and steps.new and steps.offered
    assert list((await dashboard.first_steps(member)).done) == ['contact', 'company', 'import']  # the owner's alone

    await create_record(CONTACT, member, {'last_name': 'Private', 'visibility': 'private'})
    assert not (await dashboard.first_steps(owner)).done['contact']  # a contact the owner cannot see is not theirs
    assert (await dashboard.first_steps(member)).done['contact']
    await create_record(COMPANY, owner, {'name': 'Public Srl'})
    await import_file(owner, kind='contact', data=b'Last name\nImported\n')
    await orgs.save_option_list(actor=owner, kind='sectors', names=['Energy', 'Aerospace'])
    steps = await dashboard.first_steps(owner)
    assert steps.done == {'contact': True, 'company': True, 'import': True, 'invite': True, 'options': True}
    assert not steps.offered


async def test_the_options_step_is_done_once_a_list_differs_from_the_defaults(make_org):
    team = await make_org('Lists', owner='Lina Lists')
    owner = team.owner.membership
    steps = await dashboard.first_steps(owner)
    assert not steps.done['invite'] and not steps.done['options']
    defaults = orgs.DEFAULT_OPTIONS['contact_types']
    await orgs.save_option_list(actor=owner, kind='contact_types', names=defaults[:-1])  # one removed
    assert (await dashboard.first_steps(owner)).done['options']
    await orgs.save_option_list(actor=owner, kind='contact_types', names=defaults)  # the defaults again
    assert not (await dashboard.first_steps(owner)).done['options']
    await orgs.invite(actor=owner, email='someone@example.com', role='member')  # an invitation waiting
    assert (await dashboard.first_steps(owner)).done['invite']


async def test_lists_made_in_the_creators_language_are_still_the_defaults(orm):
    i18n.use('it')
    try:
        owner = await orgs.create_organization(user=await make_user(name='Ida Italiana'), name='Italiana')
    finally:
        i18n.use(None)
    assert 'Cliente' in (await orgs.option_lists(owner.org_id))['contact_types']
    assert not (await dashboard.first_steps(owner)).done['options']
    await orgs.save_option_list(actor=owner, kind='contact_types', names=['Cliente', 'Fornitore', 'Amico'])
    assert (await dashboard.first_steps(owner)).done['options']


async def test_the_first_steps_are_offered_to_a_new_or_empty_organization_only(make_org):

    team = await make_org('Old', owner='Otto Old')
    owner = team.owner.membership
    later = datetime.now(timezone.utc) + dashboard.NEW_FOR + timedelta(days=1)
    assert (await dashboard.first_steps(owner, now=later)).offered  # old, but still empty
    await create_record(CONTACT, owner, {'last_name': 'First'})
    assert not (await dashboard.first_steps(owner, now=later)).offered  # old, and no longer empty
    assert (await dashboard.first_steps(owner)).offered  # new: the steps left are still offered


async def test_a_guest_has_no_first_steps(acme):
    with pytest.raises(Forbidden):
        await dashboard.first_steps(acme.guest.membership)
