"""Typed dependencies of the API: the caller, their membership of the organization in the path, settings."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from integrations import Integrations
from models.access import membership
from models.accounts.service import user_for_api_token
from models.accounts.tables import User
from models.errors import Unauthorized
from models.i18n import _
from models.orgs.tables import Membership
from settings import Settings
from web.logs import identify

from .schemas import Id


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_integrations(request: Request) -> Integrations:
    return request.app.state.integrations


async def current_user(authorization: Annotated[str | None, Header()] = None) -> User:
    scheme, _space, token = (authorization or '').partition(' ')
    user = await user_for_api_token(token.strip()) if scheme.lower() == 'bearer' else None
    if user is None:
        raise Unauthorized(_('A valid API token is required: {header}', header='Authorization: Bearer <token>'))
    identify(user_id=user.id)  # for the request's log line
    return user


CurrentUser = Annotated[User, Depends(current_user)]
AppSettings = Annotated[Settings, Depends(get_settings)]
AppIntegrations = Annotated[Integrations, Depends(get_integrations)]


async def org_membership(org: Id, user: CurrentUser) -> Membership:
    """The caller's membership of the organization `{org}` in the path (404 when they are not in it)."""
    found = await membership(user, org)
    identify(org_id=found.org_id)
    return found


OrgMembership = Annotated[Membership, Depends(org_membership)]
