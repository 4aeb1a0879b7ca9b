"""The caller's notifications: the list under the bell, newest first, and marking them read."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from models.notifications import service as notifications
from models.notifications.service import Shown

from .deps import CurrentUser
from .errors import responses
from .schemas import Id, JsonRoute, Offset

router = APIRouter(tags=['notifications'], route_class=JsonRoute)


def _item(shown: Shown) -> dict:
    return {'id': shown.id, 'org_id': shown.org_id, 'kind': shown.event,
            'record': {'kind': shown.record.kind, 'id': shown.record.id, 'name': shown.record.name}
            if shown.record else None,
            'by': {'id': shown.by_id, 'name': shown.by_name} if shown.by_id is not None else None,
            'at': shown.at, 'read': shown.read}


@router.get('/notifications')
async def list_notifications(user: CurrentUser, unread: bool = False,
                             limit: Annotated[int, Query(ge=1, le=notifications.MAX_PAGE_SIZE)] =
                             notifications.PAGE_SIZE,
                             offset: Offset = 0) -> dict:
    """`unread=1`: only the unread ones; `total` counts what the filter keeps. A record the caller may no longer see
    (made private without them, deleted, in an organization they left) is `null`."""
    items, total = await notifications.page(user, unread=unread, limit=limit, offset=offset)
    return {'items': [_item(shown) for shown in items], 'total': total}


@router.post('/notifications/read-all', status_code=204)
async def read_all(user: CurrentUser) -> Response:
    await notifications.mark_all_read(user)
    return Response(status_code=204)


@router.post('/notifications/{notification_id}/read', status_code=204, responses=responses(404))
async def read_one(notification_id: Id, user: CurrentUser) -> Response:
    await notifications.mark_read(user, notification_id)
    return Response(status_code=204)
