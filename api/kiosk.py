"""Kiosk links: owners create, list and revoke them (models/kiosk/service.py). The kiosk page itself is ui/kiosk.py."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import Field

from models.i18n import LANGUAGES
from models.kiosk import service as kiosk
from models.kiosk.tables import DEFAULT_FIELDS, IDLE_DEFAULT, KioskLink

from .deps import OrgMembership
from .schemas import Body, Id, JsonRoute

router = APIRouter(route_class=JsonRoute)
LANGUAGE_HELP = ("the language the screen speaks, among " + ', '.join(LANGUAGES)
                 + "; empty: the browser's (Accept-Language)")


class NewKioskLink(Body):
    name: str
    idle_seconds: int = IDLE_DEFAULT
    frame_origins: list[str] = []
    shown_fields: list[str] | None = Field(None, description=(
        'what the screen shows and searches besides the name, among ' + ', '.join(kiosk.KIOSK_FIELDS)
        + '; default: ' + ', '.join(DEFAULT_FIELDS) + ' (the work email and phone are the first of each)'))
    language: str = Field('', description=LANGUAGE_HELP)


class KioskLinkChange(Body):
    shown_fields: list[str] | None = Field(None, description='as when creating the link; absent: unchanged')
    language: str | None = Field(None, description=LANGUAGE_HELP + '; absent: unchanged')


def link_json(link: KioskLink) -> dict:
    return {'id': link.id, 'name': link.name, 'hint': link.hint, 'idle_seconds': link.idle_seconds,
            'frame_origins': link.frame_origins, 'shown_fields': link.shown_fields, 'language': link.language,
            'created_at': link.created_at, 'last_used_at': link.last_used_at}


@router.post('/orgs/{org}/kiosk-links', status_code=201, tags=['kiosk'])
async def create_kiosk_link(body: NewKioskLink, actor: OrgMembership, request: Request) -> dict:
    link, raw = await kiosk.create_kiosk_link(actor=actor, name=body.name, idle=body.idle_seconds,
                                              frame_origins=body.frame_origins, shown_fields=body.shown_fields,
                                              language=body.language)
    return link_json(link) | {'token': raw, 'url': f'{str(request.base_url).rstrip("/")}/kiosk/{raw}'}


@router.get('/orgs/{org}/kiosk-links', tags=['kiosk'])
async def list_kiosk_links(actor: OrgMembership) -> list[dict]:
    return [link_json(link) for link in await kiosk.list_kiosk_links(actor)]


@router.patch('/orgs/{org}/kiosk-links/{link_id}', tags=['kiosk'])
async def change_kiosk_link(link_id: Id, body: KioskLinkChange, actor: OrgMembership) -> dict:
    """Change which fields the link's screen shows and searches (open screens follow at their next search), or the
    language it speaks."""
    return link_json(await kiosk.change_kiosk_link(actor=actor, link_id=link_id, shown_fields=body.shown_fields,
                                                   language=body.language))


@router.delete('/orgs/{org}/kiosk-links/{link_id}', status_code=204, tags=['kiosk'])
async def revoke_kiosk_link(link_id: Id, actor: OrgMembership) -> Response:
    await kiosk.revoke_kiosk_link(actor=actor, link_id=link_id)
    return Response(status_code=204)
