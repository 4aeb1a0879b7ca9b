"""A forgotten password: ask for a reset link by mail. The link opens the reset page (ui/auth_pages.py)."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response

from models.accounts import resets
from web.client import client_address

from .errors import responses
from .schemas import Body, JsonRoute

router = APIRouter(tags=['accounts'], route_class=JsonRoute)


class ResetRequest(Body):
    email: str


@router.post('/password-reset', status_code=202, response_class=Response, responses=responses(429))
async def request_password_reset(body: ResetRequest, request: Request) -> Response:
    """Mail a single-use link, valid for an hour, that sets a new password. The answer is 202 whether or not an
    account has this email (and no mail leaves when none has, or when the server sends no mail)."""
    await resets.request_reset(email=body.email, client=client_address(request))
    return Response(status_code=202)
