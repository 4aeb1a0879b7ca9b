"""Connections: one contact or company linked to one project, task or ticket.

A connection has exactly one record end and one work end. Every foreign key cascades, so deleting either end
(or the organization) deletes its connections in the database: nothing dangles. A connection is only ever read
through `access.visible_connections` or with both ends filtered by `access.visible_ids`, so it never reveals a
contact, company or work item the caller may not see, not even as a count.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ..access import Action, is_id, require, visible_connections, visible_ids
from ..errors import Conflict, NotFound
from ..history import recording
from ..history.recording import Happened
from ..i18n import N_, _
from ..orgs.tables import Membership
from ..records.service import get_record
from ..records.tables import KINDS, Kind, Record
from ..validation import FieldErrors
from .service import create_item, get_item
from .tables import WORK_KINDS, Connection, WorkItem, WorkKind

RECORD_ENDS = tuple(f'{name}_id' for name in KINDS)  # contact_id, company_id
WORK_ENDS = tuple(f'{name}_id' for name in WORK_KINDS)  # project_id, task_id, ticket_id
CLOSED_STATUSES = ('done', 'closed')
# the sentences that name the kinds, whole for each kind and pair of kinds
NOT_VISIBLE = {'contact': N_('is not a contact you can see in this organization'),
               'company': N_('is not a company you can see in this organization'),
               'project': N_('is not a project you can see in this organization'),
               'task': N_('is not a task you can see in this organization'),
               'ticket': N_('is not a ticket you can see in this organization')}
ALREADY_LINKED = {
    ('contact', 'project'): N_('This contact is already linked to this project'),
    ('contact', 'task'): N_('This contact is already linked to this task'),
    ('contact', 'ticket'): N_('This contact is already linked to this ticket'),
    ('company', 'project'): N_('This company is already linked to this project'),
    ('company', 'task'): N_('This company is already linked to this task'),
    ('company', 'ticket'): N_('This company is already linked to this ticket'),
}


@dataclass
class Link:
    """One end seen from the other: the linked record or work item, and the connection to unlink it."""
    connection_id: int
    target: Record | WorkItem


@dataclass
class RecordConnections:
    """A contact's or company's linked work, grouped by kind ('project', 'task', 'ticket')."""
    record: Record
    links: dict[str, list[Link]] = field(default_factory=dict)


@dataclass
class ItemConnections:
    """A project's, task's or ticket's linked records, grouped by kind ('contact', 'company')."""
    item: WorkItem
    links: dict[str, list[Link]] = field(default_factory=dict)


def _work_order(link: Link):
    """Open work first, then by due date (undated last), then by title."""
    item = link.target
    return item.status in CLOSED_STATUSES, item.due_date is None, item.due_date or date.max, item.sort_title, item.id


# ---------------------------------------------------------------- reading

async def record_connections(actor: Membership, kind: Kind, record_id: object) -> RecordConnections:
    """The work linked to a contact or company the caller may see, in 1 + 3 queries whatever their number."""
    record = await get_record(kind, actor, record_id)
    found = RecordConnections(record)
    for work in WORK_KINDS.values():
        mine = {f'{kind.name}_id': record.id, f'{work.name}_id__in': visible_ids(work, actor)}
        rows = await Connection.filter(**mine).select_related(work.name)
        found.links[work.name] = sorted((Link(row.id, getattr(row, work.name)) for row in rows), key=_work_order)
    return found


async def item_connections(actor: Membership, work: WorkKind, item_id: object) -> ItemConnections:
    """The contacts and companies linked to a work item, only those the caller may see, in 1 + 2 queries."""
    item = await get_item(work, actor, item_id)
    found = ItemConnections(item)
    for kind in KINDS.values():
        mine = {f'{work.name}_id': item.id, f'{kind.name}_id__in': visible_ids(kind, actor)}
        rows = await Connection.filter(**mine).select_related(kind.name).order_by(f'{kind.name}__sort_name', 'id')
        found.links[kind.name] = [Link(row.id, getattr(row, kind.name)) for row in rows]
    return found


# ---------------------------------------------------------------- linking

async def link(actor: Membership, ends: dict[str, object]) -> Connection:
    """Link one contact or company to one project, task or ticket; both must be visible to the caller.

    `ends` holds one of contact_id / company_id and one of project_id / task_id / ticket_id.
    """
    require(actor.role, Action.LINK_WORK)
    checks = FieldErrors()
    for name in ends:
        if name not in RECORD_ENDS + WORK_ENDS:
            checks.add(name, _('is not an end of a connection'))
    given_records = [name for name in RECORD_ENDS if ends.get(name) is not None]
    given_work = [name for name in WORK_ENDS if ends.get(name) is not None]
    if not given_records:
        checks.add('contact_id', _('give a contact_id or a company_id'))
    elif len(given_records) > 1:
        checks.add(given_records[1], _('give only one of contact_id or company_id'))
    if not given_work:
        checks.add('project_id', _('give a project_id, a task_id or a ticket_id'))
    elif len(given_work) > 1:
        checks.add(given_work[1], _('give only one of project_id, task_id, ticket_id'))
    checks.raise_if_any()

    record_field, work_field = given_records[0], given_work[0]
    record_kind, work_kind = KINDS[record_field[:-3]], WORK_KINDS[work_field[:-3]]
    for name, kind in ((record_field, record_kind), (work_field, work_kind)):
        value = ends[name]
        if not is_id(value) or not await kind.model.filter(id=value, id__in=visible_ids(kind, actor)).exists():
            checks.add(name, _(NOT_VISIBLE[kind.name]))
    checks.raise_if_any()

    pair = {record_field: ends[record_field], work_field: ends[work_field]}
    if await Connection.filter(**pair).exists():
        raise Conflict(_(ALREADY_LINKED[record_kind.name, work_kind.name]))
    item = await work_kind.model.get(id=ends[work_field])
    try:
        async with in_transaction():
            connection = await Connection.create(org_id=actor.org_id, created_by_id=actor.user_id, **pair)
            await _history(actor, Happened.CONNECTED, record_kind, ends[record_field], work_kind, item)
    except IntegrityError:  # linked by someone else a moment ago
        raise Conflict(_(ALREADY_LINKED[record_kind.name, work_kind.name])) from None
    return connection


async def _history(actor: Membership, happened: Happened, kind: Kind, record_id: int, work: WorkKind,
                   item: WorkItem) -> None:
    """The record's history entry for a connection made or removed (inside the caller's transaction); it names
    the item as titled now, shown only to readers who may see the item."""
    await recording.write_one(kind, record_id, org_id=actor.org_id, by_id=actor.user_id, happened=happened,
                              ref_kind=work.name, ref_id=item.id, ref_name=work.title(item))


async def create_linked(work: WorkKind, actor: Membership, kind: Kind, record_id: object, data: dict) -> WorkItem:
    """A new task, ticket or project made from a contact's or company's card: the item and its connection to that
    record in one transaction, so neither exists without the other. The caller must be allowed to create work
    items and to link them, and must see the record (else it behaves as if it did not exist)."""
    require(actor.role, Action.EDIT_WORK)
    require(actor.role, Action.LINK_WORK)
    record = await get_record(kind, actor, record_id)
    try:
        async with in_transaction():
            item = await create_item(work, actor, data)
            await Connection.create(org_id=actor.org_id, created_by_id=actor.user_id,
                                    **{f'{kind.name}_id': record.id, f'{work.name}_id': item.id})
            await _history(actor, Happened.CONNECTED, kind, record.id, work, item)
    except IntegrityError:  # the record was deleted a moment ago: nothing of the item stays either
        raise NotFound(kind.name) from None
    return item


async def get_connection(actor: Membership, connection_id: object) -> Connection:
    """A connection whose two ends the caller may see; any other behaves as if it did not exist."""
    if not is_id(connection_id):
        raise NotFound('connection')
    connection = await visible_connections(actor).filter(id=connection_id).first()
    if connection is None:
        raise NotFound('connection')
    return connection


async def unlink(actor: Membership, connection_id: object) -> None:
    connection = await get_connection(actor, connection_id)
    require(actor.role, Action.LINK_WORK)
    (record_name, record_id), (work_name, item_id) = connection.record_end, connection.work_end
    work = WORK_KINDS[work_name]
    item = await work.model.get(id=item_id)
    async with in_transaction():
        if await Connection.filter(id=connection.id).delete():
            await _history(actor, Happened.DISCONNECTED, KINDS[record_name], record_id, work, item)
