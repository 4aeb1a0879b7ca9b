"""Projects, tasks, tickets and their connections to contacts and companies, over models/work/service.py and
models/work/connections.py. The same five endpoints for each kind of work item, plus the connections."""
# no `from __future__ import annotations` here: FastAPI reads the body types of the handlers made in _routes()

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from models.mentions import mentioned_user_ids
from models.records.tables import COMPANY, CONTACT, KINDS, Kind
from models.validation import DESCRIPTION_MAX, NAME_MAX
from models.work import connections, service as work
from models.work.connections import Link
from models.work.tables import (PRIORITIES, PROJECT, PROJECT_STATUSES, TASK, TASK_STATUSES, TICKET, TICKET_STATUSES,
                                WORK_KINDS, Connection, WorkItem, WorkKind)

from .deps import OrgMembership
from .errors import responses
from .schemas import Body, Id, JsonRoute, Offset, Version

router = APIRouter(route_class=JsonRoute)

DueDate = date | str | None  # models/work/service.py checks it and names the field when it is not a date


class ProjectFields(Body):
    name: str | None = Field(None, max_length=NAME_MAX)
    status: Literal[PROJECT_STATUSES] | None = None  # type: ignore[valid-type]
    due_date: DueDate = None
    owner_id: Id | None = None
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)  # with @[Name](user:ID) mentions


class TaskFields(Body):
    title: str | None = Field(None, max_length=NAME_MAX)
    status: Literal[TASK_STATUSES] | None = None  # type: ignore[valid-type]
    due_date: DueDate = None
    assignee_id: Id | None = None
    project_id: Id | None = None
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)  # with @[Name](user:ID) mentions


class TicketFields(Body):
    title: str | None = Field(None, max_length=NAME_MAX)
    status: Literal[TICKET_STATUSES] | None = None  # type: ignore[valid-type]
    priority: Literal[PRIORITIES] | None = None  # type: ignore[valid-type]
    due_date: DueDate = None
    assignee_id: Id | None = None
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)  # with @[Name](user:ID) mentions


class ProjectChange(ProjectFields):
    version: Version | None = None


class TaskChange(TaskFields):
    version: Version | None = None


class TicketChange(TicketFields):
    version: Version | None = None


class ConnectionFields(Body):
    contact_id: Id | None = None
    company_id: Id | None = None
    project_id: Id | None = None
    task_id: Id | None = None
    ticket_id: Id | None = None


def _data(kind: WorkKind, body: Body) -> dict:
    """The fields the client sent; a null status or priority means 'leave it', a null date or person clears it."""
    data = body.model_dump(exclude_unset=True, exclude={'version'})
    for name in ('status', 'priority'):
        if data.get(name, '') is None:
            del data[name]
    for name in (kind.title_field, 'description'):
        if name in data and data[name] is None:
            data[name] = ''
    return data


def _person(item: WorkItem, kind: WorkKind) -> dict | None:
    person = getattr(item, kind.person_field)
    return {'id': person.id, 'name': person.name} if person is not None and getattr(item, kind.person_id) else None


def item_json(kind: WorkKind, item: WorkItem, projects: dict | None = None) -> dict:
    data = {'id': item.id, kind.title_field: kind.title(item), 'status': item.status, 'due_date': item.due_date,
            kind.person_id: getattr(item, kind.person_id), kind.person_field: _person(item, kind),
            'description': item.description, 'mentions': mentioned_user_ids(item.description),
            'version': item.version, 'created_by': item.created_by_id, 'updated_by': item.updated_by_id,
            'created_at': item.created_at, 'updated_at': item.updated_at}
    if kind is TASK:
        project = (projects or {}).get(item.project_id)
        data |= {'project_id': project.id if project else None,
                 'project': {'id': project.id, 'name': project.name} if project else None}
    if kind is TICKET:
        data['priority'] = item.priority
    return data


def _records_json(links: list[Link]) -> list[dict]:
    return [{'id': link.target.id, 'name': link.target.display_name, 'connection_id': link.connection_id}
            for link in links]


async def one_json(kind: WorkKind, actor, item_id: int) -> dict:
    """The item with the contacts and companies linked to it that the caller can see."""
    found = await connections.item_connections(actor, kind, item_id)
    projects = await work.projects_by_id(actor, [found.item.project_id]) if kind is TASK else {}
    return item_json(kind, found.item, projects) | {
        'contacts': _records_json(found.links[CONTACT.name]), 'companies': _records_json(found.links[COMPANY.name])}


async def page_json(kind: WorkKind, actor, page: work.Page) -> dict:
    projects = await work.projects_by_id(actor, [i.project_id for i in page.items]) if kind is TASK else {}
    return {'items': [item_json(kind, i, projects) for i in page.items], 'total': page.total}


Limit = Query(work.PAGE_SIZE, ge=1, le=work.MAX_PAGE_SIZE)
Order = Query('asc', pattern='^(asc|desc)$')


def list_params(q: str = '', status: str = '', sort: str = 'due', order: str = Order, limit: int = Limit,
                offset: Offset = 0) -> dict:
    """What every list of work items takes from the query string: search, status, sort, order and page."""
    return {'q': q, 'status': status, 'sort': sort, 'descending': order == 'desc', 'limit': limit, 'offset': offset}


ListParams = Annotated[dict, Depends(list_params)]


async def listed(kind: WorkKind, actor, params: dict, **filters) -> dict:
    return await page_json(kind, actor, await work.list_items(kind, actor, **params, **filters))


@router.get('/orgs/{org}/projects', tags=['projects'])
async def list_projects(actor: OrgMembership, params: ListParams, owner_id: Id | None = None) -> dict:
    return await listed(PROJECT, actor, params, person_id=owner_id)


@router.get('/orgs/{org}/tasks', tags=['tasks'])
async def list_tasks(actor: OrgMembership, params: ListParams, assignee_id: Id | None = None,
                     project_id: Id | None = None) -> dict:
    return await listed(TASK, actor, params, person_id=assignee_id, project_id=project_id)


@router.get('/orgs/{org}/tickets', tags=['tickets'])
async def list_tickets(actor: OrgMembership, params: ListParams, assignee_id: Id | None = None) -> dict:
    return await listed(TICKET, actor, params, person_id=assignee_id)


def _routes(kind: WorkKind, Fields: type[Body], Change: type[Body]) -> None:  # noqa: N803
    """Create, read, change and delete: the same four endpoints for each kind."""
    base, tags = f'/orgs/{{org}}/{kind.plural}', [kind.plural]

    async def create_item(body: Fields, actor: OrgMembership) -> dict:
        item = await work.create_item(kind, actor, _data(kind, body))
        return await one_json(kind, actor, item.id)

    async def get_item(item_id: Id, actor: OrgMembership) -> dict:
        return await one_json(kind, actor, item_id)

    async def update_item(item_id: Id, body: Change, actor: OrgMembership) -> dict:
        await work.update_item(kind, actor, item_id, _data(kind, body), body.version)
        return await one_json(kind, actor, item_id)

    async def delete_item(item_id: Id, actor: OrgMembership) -> Response:
        await work.delete_item(kind, actor, item_id)
        return Response(status_code=204)

    router.add_api_route(base, create_item, methods=['POST'], status_code=201, tags=tags, name=f'create_{kind.name}')
    router.add_api_route(f'{base}/{{item_id}}', get_item, methods=['GET'], tags=tags, name=f'get_{kind.name}')
    router.add_api_route(f'{base}/{{item_id}}', update_item, methods=['PATCH'], tags=tags, name=f'update_{kind.name}',
                         responses=responses(409))
    router.add_api_route(f'{base}/{{item_id}}', delete_item, methods=['DELETE'], status_code=204, tags=tags,
                         name=f'delete_{kind.name}')


_routes(PROJECT, ProjectFields, ProjectChange)
_routes(TASK, TaskFields, TaskChange)
_routes(TICKET, TicketFields, TicketChange)


# ---------------------------------------------------------------- connections

def connection_json(connection: Connection) -> dict:
    return {'id': connection.id, **{f'{name}_id': getattr(connection, f'{name}_id') for name in (*KINDS, *WORK_KINDS)},
            'created_by': connection.created_by_id, 'created_at': connection.created_at}


def _work_json(kind: WorkKind, link: Link) -> dict:
    item = link.target
    data = {'id': item.id, kind.title_field: kind.title(item), 'status': item.status, 'due_date': item.due_date,
            'connection_id': link.connection_id}
    if kind is TICKET:
        data['priority'] = item.priority
    return data


@router.post('/orgs/{org}/connections', status_code=201, tags=['connections'], responses=responses(409))
async def create_connection(body: ConnectionFields, actor: OrgMembership) -> dict:
    return connection_json(await connections.link(actor, body.model_dump(exclude_none=True)))


@router.get('/orgs/{org}/connections/{connection_id}', tags=['connections'])
async def get_connection(connection_id: Id, actor: OrgMembership) -> dict:
    return connection_json(await connections.get_connection(actor, connection_id))


@router.delete('/orgs/{org}/connections/{connection_id}', status_code=204, tags=['connections'])
async def delete_connection(connection_id: Id, actor: OrgMembership) -> Response:
    await connections.unlink(actor, connection_id)
    return Response(status_code=204)


async def _record_connections(kind, actor, record_id: int) -> dict:
    found = await connections.record_connections(actor, kind, record_id)
    return {w.plural: [_work_json(w, link) for link in found.links[w.name]] for w in WORK_KINDS.values()}


@router.get('/orgs/{org}/contacts/{record_id}/connections', tags=['contacts', 'connections'])
async def contact_connections(record_id: Id, actor: OrgMembership) -> dict:
    return await _record_connections(CONTACT, actor, record_id)


@router.get('/orgs/{org}/companies/{record_id}/connections', tags=['companies', 'connections'])
async def company_connections(record_id: Id, actor: OrgMembership) -> dict:
    return await _record_connections(COMPANY, actor, record_id)


# ---------------------------------------------------------------- a work item made from a record's card

RECORD_PATHS = {'contact': 'contacts', 'company': 'companies'}


def _created_from_record(kind: Kind, work_kind: WorkKind, Fields: type[Body]) -> None:  # noqa: N803
    """POST /orgs/{org}/{contacts|companies}/{id}/{tasks|tickets}: the item and its link to the record at once."""
    async def create_linked(record_id: Id, body: Fields, actor: OrgMembership) -> dict:
        item = await connections.create_linked(work_kind, actor, kind, record_id, _data(work_kind, body))
        return await one_json(work_kind, actor, item.id)

    router.add_api_route(f'/orgs/{{org}}/{RECORD_PATHS[kind.name]}/{{record_id}}/{work_kind.plural}', create_linked,
                         methods=['POST'], status_code=201, tags=[RECORD_PATHS[kind.name], work_kind.plural],
                         name=f'create_{kind.name}_{work_kind.name}')


for _kind in (CONTACT, COMPANY):
    _created_from_record(_kind, TASK, TaskFields)
    _created_from_record(_kind, TICKET, TicketFields)
