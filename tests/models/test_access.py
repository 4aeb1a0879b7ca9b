"""Every rule of the gate (models/access.py), one table: each row is a situation, the expected answers come from
a small oracle that states the product rules in words, and the answers checked are what the gate returns from
the database.

The situation: the caller's role (owner, member, guest, or not a member any more: a membership object whose role
was taken away, as an open page holds it) in their organization; a contact and a company, public or private,
created by the caller or by someone else, mentioning the caller or not; the records (and the work items,
connections and attachments around them) in the caller's organization or in another one; and a kiosk link of the
caller's organization, live or revoked.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from models import access
from models.access import Action
from models.errors import Forbidden, NotFound
from models.history import recording, trash
from models.history.recording import Happened, now
from models.history.tables import Note
from models.history.timeline import timeline
from models.files.tables import Attachment
from models.kiosk.tables import KioskLink
from models.orgs.tables import Membership, Role
from models.records.tables import COMPANY, CONTACT, KINDS, Mention, Visibility
from models.work.tables import PROJECT, WORK_KINDS, Connection
from models.orgs import service as orgs
from tests.helpers import make_user

ROLES = ('owner', 'member', 'guest', 'not a member')


@dataclass(frozen=True)
class Situation:
    role: str
    private: bool
    creator: bool  # the caller created the contact and the company
    mentioned: bool  # the caller is mentioned in both
    elsewhere: bool  # the records, work and files are in another organization than the caller's
    kiosk_live: bool  # the caller's organization's kiosk link still exists

    def __str__(self) -> str:
        return '-'.join([self.role.replace(' ', '_'), 'private' if self.private else 'public',
                         'creator' if self.creator else 'not_creator', 'mentioned' if self.mentioned else 'unmentioned',
                         'other_org' if self.elsewhere else 'same_org', 'kiosk_live' if self.kiosk_live else 'revoked'])


TABLE = [Situation(*row) for row in itertools.product(ROLES, *[(False, True)] * 5)]


# ---------------------------------------------------------------- the oracle: the product rules in words

# What each role may do (docs/product-rules.md, "What each role may do").
MAY = {
    Action.SEE_RECORDS: {'owner', 'member'},
    Action.EDIT_RECORDS: {'owner', 'member'},
    Action.VIEW_MEMBERS: {'owner', 'member'},
    Action.MANAGE_MEMBERS: {'owner'},
    Action.EDIT_ORGANIZATION: {'owner'},
    Action.EDIT_OPTIONS: {'owner', 'member'},
    Action.VIEW_SETTINGS: {'owner', 'member'},
    Action.COPY_OUT: {'owner'},
    Action.RECEIVE_COPIES: {'owner', 'member'},
    Action.MANAGE_KIOSK: {'owner'},
    Action.BE_MENTIONED: {'owner', 'member'},
    Action.DELETE_ANY_ATTACHMENT: {'owner'},
    Action.SEE_WORK: {'owner', 'member', 'guest'},
    Action.SEE_ALL_WORK: {'owner', 'member'},
    Action.EDIT_WORK: {'owner', 'member'},
    Action.LINK_WORK: {'owner', 'member'},
    Action.DELETE_FOREVER: {'owner'},
}


def sees_record(s: Situation) -> bool:
    """Owners and members of the record's organization see it if it is public, or they created it, or they are
    mentioned in it. Owners have no bypass; guests and people outside see no contact or company."""
    if s.role not in ('owner', 'member') or s.elsewhere:
        return False
    return not s.private or s.creator or s.mentioned


def reads_timeline(s: Situation) -> bool:
    """A record's history and notes are as private as the record: who sees it reads them, nobody else."""
    return sees_record(s)


def finds_in_trash(s: Situation) -> bool:
    """A trashed record is in no list, card or kiosk; the trash shows it to whoever would see it otherwise."""
    return sees_record(s)


def kiosk_shows(s: Situation) -> bool:
    """A kiosk screen shows the public records of its own organization while its link exists; nobody's role,
    creation or mention counts there."""
    return s.kiosk_live and not s.elsewhere and not s.private


def sees_work(s: Situation, assigned: bool) -> bool:
    """Owners and members see every project, task and ticket of their organization; a guest those assigned to
    them (a project's owner, a task's or ticket's assignee)."""
    if s.elsewhere:
        return False
    return s.role in ('owner', 'member') or (s.role == 'guest' and assigned)


def sees_connection(s: Situation, assigned: bool) -> bool:
    """A connection is seen only when both its ends are."""
    return sees_record(s) and sees_work(s, assigned)


def may_change_visibility(s: Situation) -> bool:
    """Only the person who created a record changes its visibility (of a record they can reach)."""
    return sees_record(s) and s.creator


def may_merge_away(s: Situation) -> bool:
    """A record merged into another disappears: a private one only by its creator."""
    return sees_record(s) and (not s.private or s.creator)


def may_delete_attachment(s: Situation, uploaded_by_caller: bool) -> bool:
    """A file of a record one can see and edit: an owner deletes any, a member the ones they added or those of a
    record they created."""
    if not sees_record(s):
        return False
    return s.role == 'owner' or uploaded_by_caller or s.creator


def mentionable(s: Situation) -> bool:
    """Owners and members may be mentioned; guests may not; a removed person is not in the organization."""
    return s.role in ('owner', 'member')


# ---------------------------------------------------------------- the world of one row

async def build(s: Situation) -> dict:
    caller, other = await make_user(name='Caller'), await make_user(name='Other')
    record_org = await orgs.create_organization(user=other, name='Acme', country='IT')
    caller_org = await orgs.create_organization(user=other, name='Beta', country='IT') if s.elsewhere else record_org
    if s.role in ('owner', 'member', 'guest'):
        await orgs.invite(actor=caller_org, email=caller.email, role=s.role)
        actor = await Membership.get(user_id=caller.id, org_id=caller_org.org_id)
    else:  # removed: the held object keeps the organization but no role, and the database has no membership
        actor = Membership(user_id=caller.id, org_id=caller_org.org_id, role=Role.MEMBER.value)
        actor.role = None  # what the page's session does when it learns of the removal
    creator = caller if s.creator else other
    visibility = (Visibility.PRIVATE if s.private else Visibility.PUBLIC).value
    org_id = record_org.org_id
    records = {
        'contact': await CONTACT.model.create(org_id=org_id, last_name='Rossi', visibility=visibility,
                                              created_by_id=creator.id),
        'company': await COMPANY.model.create(org_id=org_id, name='Rossi Srl', visibility=visibility,
                                              created_by_id=creator.id),
    }
    trashed = {
        'contact': await CONTACT.model.create(org_id=org_id, last_name='Bianchi', visibility=visibility,
                                              created_by_id=creator.id, deleted_at=now(), deleted_by_id=other.id),
        'company': await COMPANY.model.create(org_id=org_id, name='Bianchi Srl', visibility=visibility,
                                              created_by_id=creator.id, deleted_at=now(), deleted_by_id=other.id),
    }
    notes = {}
    for name, record in records.items():
        note = await Note.create(org_id=org_id, author_id=other.id, text='Called', **{f'{name}_id': record.id})
        notes[name] = note.id
        await recording.write_one(KINDS[name], record.id, org_id=org_id, by_id=other.id, happened=Happened.NOTE,
                                  note_id=note.id)
    if s.mentioned:
        for name, record in [*records.items(), *trashed.items()]:
            await Mention.create(user_id=caller.id, **{f'{name}_id': record.id})
    work = {}
    for kind in WORK_KINDS.values():
        for assigned in (False, True):
            person = caller if assigned else other
            values = {'name': 'Launch'} if kind is PROJECT else {'title': 'Call back'}
            work[kind.name, assigned] = await kind.model.create(
                org_id=org_id, status=kind.statuses[0], created_by_id=other.id,
                **{kind.person_id: person.id}, **values)
    connections = {}
    for (kind_name, assigned), item in work.items():
        connections[kind_name, assigned] = await Connection.create(
            org_id=org_id, contact_id=records['contact'].id, created_by_id=other.id, **{f'{kind_name}_id': item.id})
    attachments = {uploaded_by_caller: await Attachment.create(
        org_id=org_id, contact_id=records['contact'].id, source='upload', filename='a.txt', size=1,
        storage_key=f'key-{uploaded_by_caller}', uploaded_by_id=(caller if uploaded_by_caller else other).id)
        for uploaded_by_caller in (False, True)}
    link = await KioskLink.create(org_id=caller_org.org_id, name='Hall', token_hash=f'{caller.id:064d}', hint='x',
                                  created_by_id=other.id)
    if not s.kiosk_live:
        await KioskLink.filter(id=link.id).delete()  # the screen still holds the object
    return {'actor': actor, 'caller': caller, 'records': records, 'work': work, 'connections': connections,
            'attachments': attachments, 'link': link, 'trashed': trashed, 'notes': notes}


async def answers(s: Situation, world: dict) -> dict[str, bool]:
    """What the gate says, question by question, next to what the oracle says."""
    actor, records = world['actor'], world['records']
    got, want = {}, {}
    for action in Action:
        got[f'allows {action.name}'] = access.allows(actor.role, action)
        want[f'allows {action.name}'] = s.role in MAY[action]
    for name, record in records.items():
        kind = KINDS[name]
        seen = await access.visible(kind, actor).filter(id=record.id).exists()
        got[f'sees the {name}'], want[f'sees the {name}'] = seen, sees_record(s)
        got[f'kiosk shows the {name}'] = await access.kiosk_visible(kind, world['link']).filter(id=record.id).exists()
        want[f'kiosk shows the {name}'] = kiosk_shows(s)
        got[f'may change the visibility of the {name}'] = seen and access.may_change_visibility(actor, record)
        want[f'may change the visibility of the {name}'] = may_change_visibility(s)
        got[f'may merge the {name} away'] = seen and access.may_merge_away(actor, record)
        want[f'may merge the {name} away'] = may_merge_away(s)
        try:
            page = await timeline(kind, actor, record.id)
            got[f'reads the history and notes of the {name}'] = [i.note['id'] for i in page.items] == [
                world['notes'][name]]
        except (NotFound, Forbidden):
            got[f'reads the history and notes of the {name}'] = False
        want[f'reads the history and notes of the {name}'] = reads_timeline(s)
    for name, record in world['trashed'].items():
        kind = KINDS[name]
        got[f'sees the trashed {name}'] = await access.visible(kind, actor).filter(id=record.id).exists()
        got[f'kiosk shows the trashed {name}'] = \
            await access.kiosk_visible(kind, world['link']).filter(id=record.id).exists()
        want[f'sees the trashed {name}'] = want[f'kiosk shows the trashed {name}'] = False
        try:
            got[f'finds the trashed {name} in the trash'] = \
                record.id in [r.id for r in (await trash.list_trash(actor, name)).items]
        except Forbidden:
            got[f'finds the trashed {name} in the trash'] = False
        want[f'finds the trashed {name} in the trash'] = finds_in_trash(s)
        try:
            await timeline(kind, actor, record.id)
            got[f'reads the history of the trashed {name}'] = True
        except (NotFound, Forbidden):
            got[f'reads the history of the trashed {name}'] = False
        want[f'reads the history of the trashed {name}'] = False
    for (kind_name, assigned), item in world['work'].items():
        label = f'sees the {"assigned" if assigned else "unassigned"} {kind_name}'
        got[label] = await access.visible_work(WORK_KINDS[kind_name], actor).filter(id=item.id).exists()
        want[label] = sees_work(s, assigned)
        label = f'sees the connection to the {"assigned" if assigned else "unassigned"} {kind_name}'
        connection = world['connections'][kind_name, assigned]
        got[label] = await access.visible_connections(actor).filter(id=connection.id).exists()
        want[label] = sees_connection(s, assigned)
    for uploaded_by_caller, attachment in world['attachments'].items():
        label = f'may delete the file added by {"the caller" if uploaded_by_caller else "someone else"}'
        got[label] = (await access.visible(CONTACT, actor).filter(id=records['contact'].id).exists()
                      and access.may_delete_attachment(actor, attachment, records['contact']))
        want[label] = may_delete_attachment(s, uploaded_by_caller)
    got['may be mentioned'] = await access.mentionable_members(actor.org_id).filter(user_id=actor.user_id).exists()
    want['may be mentioned'] = mentionable(s)
    got['role may be mentioned'], want['role may be mentioned'] = access.may_be_mentioned(actor.role), mentionable(s)
    got['sees only assigned work'] = access.sees_only_assigned_work(actor.role)
    want['sees only assigned work'] = s.role == 'guest'
    return {question: (got[question], want[question]) for question in got}


@pytest.mark.parametrize('situation', TABLE, ids=str)
async def test_every_rule_of_the_gate(db, situation: Situation):
    world = await build(situation)
    wrong = {question: f'gate says {said}, the rule says {expected}'
             for question, (said, expected) in (await answers(situation, world)).items() if said != expected}
    assert not wrong, f'{situation}: {wrong}'


def test_the_oracle_names_every_action():
    assert set(MAY) == set(Action), 'a new Action needs its line in MAY (and in docs/product-rules.md)'
    assert {role.value for role in Role} == set(ROLES) - {'not a member'}


async def test_refusals_keep_their_messages(db):
    with pytest.raises(Forbidden, match='^Your role does not allow you to create, change and delete projects'):
        access.require('guest', Action.EDIT_WORK)
    record = CONTACT.model(org_id=1, created_by_id=2, visibility=Visibility.PRIVATE.value)
    actor = Membership(user_id=3, org_id=1, role=Role.OWNER.value)
    with pytest.raises(Forbidden, match='^Only the person who created this record may change its visibility$'):
        access.require_may_change_visibility(actor, record)
    with pytest.raises(Forbidden, match='^Only the kept record may do$'):  # a caller's own words for the refusal
        access.require_may_change_visibility(actor, record, refusal='Only the kept record may do')
