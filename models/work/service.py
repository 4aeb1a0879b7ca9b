"""Projects, tasks and tickets: the work done for contacts and companies.

The three kinds share their shape (a title, a status, a due date, a person they are assigned to); `WorkKind`
says what differs. Who sees which item is decided in models/access.py (`visible_work`): owners and members
see every item of the organization, a guest only the items assigned to them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from tortoise.expressions import Case, F, When
from tortoise.transactions import in_transaction

from .. import access
from ..access import Action, is_id, require
from ..errors import Conflict, NotFound, ValidationFailed
from ..history import recording
from ..history.recording import Happened
from ..i18n import N_, _
from ..mentions import mentioned_user_ids
from ..notifications import service as notifications
from ..orgs.tables import Membership
from ..pages import by_id, is_whole_number, page_bounds
from ..records.service import check_mentions
from ..records.tables import KINDS
from ..text import fold
from ..validation import DESCRIPTION_MAX, FieldErrors, clean_text
from .tables import PRIORITIES, PROJECT, TASK, Connection, Project, WorkItem, WorkKind


# the sentences that name the kind, whole for each kind
NOT_A_FIELD = {'project': N_('is not a field of a project'), 'task': N_('is not a field of a task'),
               'ticket': N_('is not a field of a ticket')}
CHANGED_SINCE_OPENED = {
    'project': N_('This project was changed after you opened it; reload to see the changes'),
    'task': N_('This task was changed after you opened it; reload to see the changes'),
    'ticket': N_('This ticket was changed after you opened it; reload to see the changes'),
}
CHANGED_MEANWHILE = {'project': N_('This project was changed meanwhile; reload to see the changes'),
                     'task': N_('This task was changed meanwhile; reload to see the changes'),
                     'ticket': N_('This ticket was changed meanwhile; reload to see the changes')}
NOT_A_FILTER = {'project': N_('is not a filter of project lists'), 'task': N_('is not a filter of task lists'),
                'ticket': N_('is not a filter of ticket lists')}


def now() -> datetime:
    return datetime.now(timezone.utc)


# ---------------------------------------------------------------- reading, through the gate

async def get_item(kind: WorkKind, actor: Membership, item_id: object) -> WorkItem:
    """An item the caller may see, with the person it is assigned to; any other id behaves as if it did not exist."""
    if not is_id(item_id):
        raise NotFound(kind.name)
    item = await access.visible_work(kind, actor).filter(id=item_id).select_related(kind.person_field).first()
    if item is None:
        raise NotFound(kind.name)
    return item


# ---------------------------------------------------------------- validation

def _one_of(field: str, value: object, *, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValidationFailed.one(field, _('must be one of {choices}', choices=', '.join(allowed)))
    return value


def due_date(field: str, value: object) -> date | None:
    """A calendar date, given as a date or as 'YYYY-MM-DD'; empty for none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationFailed.one(field, _('must be a date as YYYY-MM-DD'))


async def _clean(kind: WorkKind, actor: Membership, data: dict, existing: WorkItem | None) -> dict:
    """Validate the given fields, all of them at once; returns the values to write."""
    checks = FieldErrors()
    values: dict[str, object] = {}
    for name, value in data.items():
        if name not in kind.fields:
            checks.add(name, _(NOT_A_FIELD[kind.name]))
        elif name == kind.title_field:
            values[name] = checks.check(clean_text, name, value, required=True)
        elif name == 'status':
            values[name] = checks.check(_one_of, name, value, allowed=kind.statuses)
        elif name == 'priority':
            values[name] = checks.check(_one_of, name, value, allowed=PRIORITIES)
        elif name == 'due_date':
            values[name] = checks.check(due_date, name, value)
        elif name == 'description':
            text = checks.check(clean_text, name, value, max_length=DESCRIPTION_MAX, multiline=True)
            if text is not None:
                values[name] = text
                try:  # mentions name owners and members, as in a contact's description
                    await check_mentions(actor.org_id, text)
                except ValidationFailed as e:
                    checks.errors.update(e.errors)
        elif name == kind.person_id:
            unchanged = existing is not None and value == getattr(existing, name)
            if value is not None and not unchanged and not (
                    is_id(value) and await Membership.filter(org_id=actor.org_id, user_id=value).exists()):
                checks.add(name, _('is not a person of this organization'))
            values[name] = value
        elif name == 'project_id':
            unchanged = existing is not None and value == getattr(existing, name)
            if value is not None and not unchanged and not (
                    is_id(value) and await access.visible_work(PROJECT, actor).filter(id=value).exists()):
                checks.add(name, _('is not a project of this organization'))
            values[name] = value
    if existing is None and kind.title_field not in data:
        checks.add(kind.title_field, _('is required'))
    checks.raise_if_any()
    return values


# ---------------------------------------------------------------- writing

async def create_item(kind: WorkKind, actor: Membership, data: dict) -> WorkItem:
    require(actor.role, Action.EDIT_WORK)
    values = await _clean(kind, actor, data, None)
    values.setdefault('status', kind.statuses[0])
    item = kind.model(org_id=actor.org_id, created_by_id=actor.user_id, updated_by_id=actor.user_id, **values)
    item.sort_title = fold(kind.title(item))[:255]
    async with in_transaction():
        await item.save()
        told = await _notify(kind, actor, item, mentioned_before=set(), assigned_before=None)
    notifications.announce(told)
    return await get_item(kind, actor, item.id)


async def _notify(kind: WorkKind, actor: Membership, item: WorkItem, *, mentioned_before: set[int],
                  assigned_before: int | None) -> list[int]:
    """Tell whom the description mentions anew and, for a task or a ticket, whom it is newly given to (inside the
    transaction of the save); returns whom, for `notifications.announce`."""
    where = {'by': actor.user_id, 'org_id': actor.org_id, 'record_kind': kind.name, 'record_id': item.id,
             'record_name': kind.title(item)}
    told = await notifications.mentioned(
        users=[u for u in mentioned_user_ids(item.description) if u not in mentioned_before], **where)
    assignee = getattr(item, kind.person_id)
    if kind is not PROJECT and assignee != assigned_before:
        told += await notifications.assigned(user_id=assignee, **where)
    return told


async def update_item(kind: WorkKind, actor: Membership, item_id: object, data: dict,
                      version: object = None) -> WorkItem:
    """Apply a partial change; with `version`, a change made against an older version is refused (409)."""
    item = await get_item(kind, actor, item_id)
    require(actor.role, Action.EDIT_WORK)
    if version is not None and not is_whole_number(version):
        raise ValidationFailed.one('version', _('must be the version you are changing'))
    values = await _clean(kind, actor, data, item)
    if version is not None and version != item.version:
        raise Conflict(_(CHANGED_SINCE_OPENED[kind.name]))
    if kind.title_field in values:
        values['sort_title'] = fold(values[kind.title_field])[:255]
    mentioned_before, assigned_before = set(mentioned_user_ids(item.description)), getattr(item, kind.person_id)
    async with in_transaction():
        changed = await kind.model.filter(id=item.id, version=item.version).update(
            version=F('version') + 1, updated_by_id=actor.user_id, updated_at=now(), **values)
        if not changed:
            raise Conflict(_(CHANGED_MEANWHILE[kind.name]))
        for name, value in values.items():
            setattr(item, name, value)
        told = await _notify(kind, actor, item, mentioned_before=mentioned_before, assigned_before=assigned_before)
    notifications.announce(told)
    return await get_item(kind, actor, item.id)


async def delete_item(kind: WorkKind, actor: Membership, item_id: object) -> None:
    """Delete an item; its connections go with it (the database cascades), and each record it was connected to says
    so in its history, as when a connection is removed by hand."""
    item = await get_item(kind, actor, item_id)
    require(actor.role, Action.EDIT_WORK)
    async with in_transaction():
        ends = [connection.record_end for connection in await Connection.filter(**{f'{kind.name}_id': item.id})]
        await recording.write(recording.entry(KINDS[name], record_id, org_id=actor.org_id, by_id=actor.user_id,
                                              happened=Happened.DISCONNECTED, ref_kind=kind.name, ref_id=item.id,
                                              ref_name=kind.title(item)) for name, record_id in ends)
        await item.delete()  # a project's tasks lose their project


# ---------------------------------------------------------------- lists

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
SORTS = {
    'due': ('due_missing', 'due_date', 'sort_title', 'id'),  # undated items last, on every database
    'title': ('sort_title', 'id'),
    'updated': ('updated_at', 'id'),
}


@dataclass
class Page:
    items: list[WorkItem]
    total: int


def filtered(kind: WorkKind, actor: Membership, *, q: str = '', status: str = '', person_id: int | None = None,
             project_id: int | None = None):
    """The visible items matching the search and the filters, as one database query."""
    checks = FieldErrors()
    if status:
        checks.check(_one_of, 'status', status, allowed=kind.statuses)
    if project_id is not None and kind is not TASK:
        checks.add('project_id', _(NOT_A_FILTER[kind.name]))
    for name, value in ((kind.person_id, person_id), ('project_id', project_id)):
        if value is not None and not is_id(value):
            checks.add(name, _('is not an id'))
    checks.raise_if_any()
    queryset = access.visible_work(kind, actor)
    for term in fold((q or '')[:200]).split():
        queryset = queryset.filter(sort_title__contains=term)
    if status:
        queryset = queryset.filter(status=status)
    if person_id is not None:
        queryset = queryset.filter(**{kind.person_id: person_id})
    if project_id is not None:
        queryset = queryset.filter(project_id=project_id)
    return queryset


async def list_items(kind: WorkKind, actor: Membership, *, q: str = '', status: str = '',
                     person_id: int | None = None, project_id: int | None = None, sort: str = 'due',
                     descending: bool = False, limit: int = PAGE_SIZE, offset: int = 0) -> Page:
    """One page of the visible items (with their person) and their total, both counted by the database."""
    require(actor.role, Action.SEE_WORK)
    checks = FieldErrors()
    page_bounds(limit, offset, max_limit=MAX_PAGE_SIZE, checks=checks)
    if sort not in SORTS:
        checks.add('sort', _('must be one of {choices}', choices=', '.join(SORTS)))
    checks.raise_if_any()
    queryset = filtered(kind, actor, q=q, status=status, person_id=person_id, project_id=project_id)
    total = await queryset.count()
    ordered = queryset.annotate(due_missing=Case(When(due_date__isnull=True, then='1'), default='0')) \
        .order_by(*(f'-{column}' if descending else column for column in SORTS[sort]))
    items = await ordered.select_related(kind.person_field).offset(offset).limit(limit)
    return Page(items, total)


async def projects_by_id(actor: Membership, ids) -> dict[int, Project]:
    """The projects among `ids` the caller may see (one query), to show a task's project or nothing."""
    return await by_id(access.visible_work(PROJECT, actor), ids)


async def assignable_people(actor: Membership) -> dict[int, str]:
    """Everyone in the organization, guests included, by name: who an item may be assigned to."""
    require(actor.role, Action.EDIT_WORK)
    rows = await Membership.filter(org_id=actor.org_id).select_related('user').order_by('user__name', 'user_id')
    return {m.user_id: m.user.name for m in rows}
