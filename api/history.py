"""A record's history and notes, and the trash: thin routes over models/history (timeline.py, notes.py,
trash.py)."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field

from models.history import notes, timeline, trash
from models.records.tables import KINDS, Kind
from models.validation import DESCRIPTION_MAX

from .deps import AppIntegrations, OrgMembership
from .records import one_json, page_json
from .schemas import Body, Id, JsonRoute, Offset

router = APIRouter(route_class=JsonRoute)

KIND_PATHS = {'contacts': KINDS['contact'], 'companies': KINDS['company']}
KindPath = Annotated[Literal['contacts', 'companies'], 'contacts or companies']
KindName = Annotated[Literal['contact', 'company'], 'contact or company']
Limit = Query(timeline.PAGE_SIZE, ge=1, le=timeline.MAX_PAGE_SIZE)
TrashLimit = Query(trash.PAGE_SIZE, ge=1, le=trash.MAX_PAGE_SIZE)


class NoteBody(Body):
    text: str = Field(max_length=DESCRIPTION_MAX)


def _kind(kinds: str) -> Kind:
    return KIND_PATHS[kinds]


def entry_json(entry: timeline.Shown) -> dict:
    note = None
    if entry.note is not None:
        note = {'id': entry.note['id'], 'text': entry.note['text'], 'author_id': entry.note['author_id'],
                'updated_at': entry.note['updated_at']}
    return {'id': entry.id, 'at': entry.at, 'by': entry.by, 'action': entry.action, 'changes': entry.changes,
            'note': note, 'ref': entry.ref}


def note_json(saved: notes.SavedNote) -> dict:
    note = saved.note
    return {'id': note.id, 'text': note.text, 'author_id': note.author_id, 'created_at': note.created_at,
            'updated_at': note.updated_at, 'mentioned': saved.newly_mentioned}


@router.get('/orgs/{org}/{kinds}/{record_id}/history', tags=['history'],
            summary="A record's history and notes, newest first")
async def record_history(kinds: KindPath, record_id: Id, actor: OrgMembership, limit: int = Limit,
                         offset: Offset = 0) -> dict:
    page = await timeline.timeline(_kind(kinds), actor, record_id, limit=limit, offset=offset)
    return {'items': [entry_json(entry) for entry in page.items], 'total': page.total}


@router.post('/orgs/{org}/{kinds}/{record_id}/notes', status_code=201, tags=['history'])
async def add_note(kinds: KindPath, record_id: Id, body: NoteBody, actor: OrgMembership) -> dict:
    return note_json(await notes.add_note(_kind(kinds), actor, record_id, text=body.text))


@router.patch('/orgs/{org}/{kinds}/{record_id}/notes/{note_id}', tags=['history'])
async def edit_note(kinds: KindPath, record_id: Id, note_id: Id, body: NoteBody, actor: OrgMembership) -> dict:
    return note_json(await notes.edit_note(_kind(kinds), actor, record_id, note_id, text=body.text))


@router.delete('/orgs/{org}/{kinds}/{record_id}/notes/{note_id}', status_code=204, tags=['history'])
async def delete_note(kinds: KindPath, record_id: Id, note_id: Id, actor: OrgMembership) -> Response:
    await notes.delete_note(_kind(kinds), actor, record_id, note_id)
    return Response(status_code=204)


@router.get('/orgs/{org}/trash', tags=['trash'], summary='The trashed records the caller would see')
async def list_trash(actor: OrgMembership, kind: KindName = 'contact', limit: int = TrashLimit,
                     offset: Offset = 0) -> dict:
    page = await trash.list_trash(actor, kind, limit=limit, offset=offset)
    answer = await page_json(KINDS[kind], actor, page)
    for item, record in zip(answer['items'], page.items):
        item |= {'deleted_at': record.deleted_at, 'deleted_by': record.deleted_by_id}
    return answer


@router.post('/orgs/{org}/trash/{kind}/{record_id}/restore', tags=['trash'])
async def restore(kind: KindName, record_id: Id, actor: OrgMembership) -> dict:
    record = await trash.restore(KINDS[kind], actor, record_id)
    return await one_json(KINDS[kind], actor, record)


@router.delete('/orgs/{org}/trash/{kind}/{record_id}', status_code=204, tags=['trash'],
               summary='Delete a trashed record forever (owners)')
async def delete_forever(kind: KindName, record_id: Id, actor: OrgMembership,
                         integrations: AppIntegrations) -> Response:
    await trash.delete_forever(KINDS[kind], actor, record_id, integrations=integrations)
    return Response(status_code=204)


@router.delete('/orgs/{org}/trash', tags=['trash'], summary='Empty the trash (owners)')
async def empty_trash(actor: OrgMembership, integrations: AppIntegrations) -> dict:
    return {'deleted': await trash.empty_trash(actor, integrations=integrations)}
