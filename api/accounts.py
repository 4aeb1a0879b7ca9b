"""Accounts and tokens: sign-up, token issue and revocation, the caller's profile (read and changed)."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response

from models.accounts import service as accounts
from models.accounts import verification
from models.orgs import service as orgs
from web.client import client_address

from .deps import AppSettings, CurrentUser
from .errors import responses
from .schemas import Body, Id, JsonRoute

router = APIRouter(tags=['accounts'], route_class=JsonRoute)


class SignUp(Body):
    email: str
    password: str
    name: str
    invitation: str | None = None  # the token of an invitation's link (/signup?invitation=…): the address is proven


class ProfileChange(Body):
    """Only the fields sent change; language and time_zone '' mean the browser's own."""
    name: str | None = None
    language: str | None = None  # en, it, fr
    time_zone: str | None = None  # an IANA zone such as Europe/Rome
    notification_mail: str | None = None  # immediately, daily, never: how notifications are mailed


class Credentials(Body):
    email: str
    password: str
    name: str | None = None  # a label for the token, shown in Settings


@router.post('/users', status_code=201, responses=responses(403, 409, 429))
async def create_user(body: SignUp, settings: AppSettings, request: Request) -> dict:
    user = await accounts.sign_up(email=body.email, password=body.password, name=body.name,
                                  signup_mode=settings.signup, client=client_address(request),
                                  invitation=body.invitation)
    return {'id': user.id, 'email': user.email, 'name': user.name}


@router.post('/tokens', status_code=201, responses=responses(401, 429))
async def create_token(body: Credentials, request: Request) -> dict:
    user = await accounts.authenticate(email=body.email, password=body.password,
                                       client=client_address(request))
    token, raw = await accounts.create_api_token(user=user, name=body.name or 'API')
    return {'token': raw, 'id': token.id, 'name': token.name}


@router.get('/tokens')
async def list_tokens(user: CurrentUser) -> list[dict]:
    return [{'id': t.id, 'name': t.name, 'hint': t.hint, 'created_at': t.created_at,
             'last_used_at': t.last_used_at} for t in await accounts.list_api_tokens(user)]


@router.delete('/tokens/{token_id}', status_code=204, responses=responses(404))
async def revoke_token(token_id: Id, user: CurrentUser) -> Response:
    await accounts.revoke_api_token(user=user, token_id=token_id)
    return Response(status_code=204)


@router.get('/me')
async def me(user: CurrentUser) -> dict:
    return {'id': user.id, 'email': user.email, 'name': user.name,
            'email_verified': not verification.needs_verification(user),
            'organizations': [{'id': m.org_id, 'name': m.org.name, 'role': m.role}
                              for m in await orgs.user_memberships(user)]}


@router.post('/me/verification', status_code=202, response_class=Response, responses=responses(429))
async def resend_verification(user: CurrentUser) -> Response:
    """Mail a new link that confirms your address (valid for seven days, once); nothing is sent when the address is
    confirmed already or the server sends no mail. 429 with `Retry-After` when asked again too soon."""
    await verification.resend_verification(user=user)
    return Response(status_code=202)


@router.patch('/me')
async def change_me(body: ProfileChange, user: CurrentUser) -> dict:
    changes = {field: getattr(body, field) for field in body.model_fields_set}
    user = await accounts.update_profile(user=user, **changes)
    return {'id': user.id, 'email': user.email, 'name': user.name, 'language': user.language,
            'time_zone': user.time_zone, 'notification_mail': user.notification_mail}
