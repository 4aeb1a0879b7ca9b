"""Organizations, members, invitations and option lists."""
from __future__ import annotations

from fastapi import APIRouter, Response

from models.orgs import service as orgs
from models.orgs.tables import Invitation, Membership

from .deps import CurrentUser, OrgMembership
from .errors import responses
from .schemas import Body, Id, JsonRoute

router = APIRouter(tags=['organizations'], route_class=JsonRoute)


class NewOrganization(Body):
    name: str
    country: str | None = None


class OrganizationChange(Body):
    name: str | None = None
    country: str | None = None


class NewMember(Body):
    email: str
    role: str = 'member'


class RoleChange(Body):
    role: str


def organization_json(m: Membership, *, detail: bool = False) -> dict:
    data = {'id': m.org_id, 'name': m.org.name, 'plan': m.org.plan, 'role': m.role}
    if detail:
        data |= {'country': m.org.country, 'storage_used': m.org.storage_used, 'storage_quota': m.org.storage_quota}
    return data


def member_json(m: Membership) -> dict:
    return {'user_id': m.user_id, 'name': m.user.name, 'email': m.user.email, 'role': m.role, 'status': 'active'}


def invitation_json(i: Invitation) -> dict:
    data = {'id': i.id, 'email': i.email, 'role': i.role, 'status': 'invited', 'created_at': i.created_at}
    if getattr(i, 'link', ''):  # the sign-up link to hand over, when the server mails none
        data['link'] = i.link
    return data


@router.post('/orgs', status_code=201)
async def create_org(body: NewOrganization, user: CurrentUser) -> dict:
    owner = await orgs.create_organization(user=user, name=body.name, country=body.country)
    return organization_json(owner) | {'country': owner.org.country}


@router.get('/orgs')
async def list_orgs(user: CurrentUser) -> list[dict]:
    return [organization_json(m) for m in await orgs.user_memberships(user)]


@router.get('/orgs/{org}')
async def get_org(actor: OrgMembership) -> dict:
    return organization_json(actor, detail=True)


@router.patch('/orgs/{org}')
async def update_org(body: OrganizationChange, actor: OrgMembership) -> dict:
    await orgs.update_organization(actor=actor, name=actor.org.name if body.name is None else body.name,
                                   country=actor.org.country if body.country is None else body.country)
    return organization_json(actor, detail=True)


@router.get('/orgs/{org}/members')
async def list_members(actor: OrgMembership) -> list[dict]:
    return [member_json(m) for m in await orgs.list_members(actor)]


@router.post('/orgs/{org}/members', status_code=201, responses=responses(409))
async def add_member(body: NewMember, actor: OrgMembership) -> dict:
    added = await orgs.invite(actor=actor, email=body.email, role=body.role)
    return member_json(added) if isinstance(added, Membership) else invitation_json(added)


@router.patch('/orgs/{org}/members/{user_id}', responses=responses(409))
async def change_member(user_id: Id, body: RoleChange, actor: OrgMembership) -> dict:
    return member_json(await orgs.change_role(actor=actor, user_id=user_id, role=body.role))


@router.delete('/orgs/{org}/members/{user_id}', status_code=204, responses=responses(409))
async def remove_member(user_id: Id, actor: OrgMembership) -> Response:
    await orgs.remove_member(actor=actor, user_id=user_id)
    return Response(status_code=204)


@router.get('/orgs/{org}/invitations')
async def list_invitations(actor: OrgMembership) -> list[dict]:
    return [invitation_json(i) for i in await orgs.list_invitations(actor)]


@router.post('/orgs/{org}/invitations/{invitation_id}/link', responses=responses(404))
async def renew_invitation_link(invitation_id: Id, actor: OrgMembership) -> dict:
    """A new sign-up link for a pending invitation, to hand over yourself; the invitation's earlier link stops
    working. Owners only."""
    return {'link': await orgs.renew_invitation_link(actor=actor, invitation_id=invitation_id)}


@router.delete('/orgs/{org}/invitations/{invitation_id}', status_code=204)
async def cancel_invitation(invitation_id: Id, actor: OrgMembership) -> Response:
    await orgs.cancel_invitation(actor=actor, invitation_id=invitation_id)
    return Response(status_code=204)


@router.get('/orgs/{org}/options')
async def get_options(actor: OrgMembership) -> dict[str, list[str]]:
    return await orgs.option_lists(actor.org_id)


@router.put('/orgs/{org}/options/{kind}')
async def put_options(kind: str, names: list[str], actor: OrgMembership) -> list[str]:
    return await orgs.save_option_list(actor=actor, kind=kind, names=names)


class OptionRemoval(Body):
    name: str
    move_to: str | None = None


@router.get('/orgs/{org}/options/{kind}/usage')
async def option_usage(kind: str, actor: OrgMembership) -> dict[str, int]:
    """How many records you can see use each value of the list (0 for the unused ones)."""
    return await orgs.option_usage(actor=actor, kind=kind)


@router.post('/orgs/{org}/options/{kind}/remove', responses=responses(409))
async def remove_option(kind: str, body: OptionRemoval, actor: OrgMembership) -> dict:
    """Remove one value from the list; the records holding it move to `move_to` (another value of the list) or,
    when it is null or empty, are left without a value. One transaction. Answers the list as it is now and how
    many records you can see were moved, per kind: `{"list": [...], "moved": {"contact": 5, "company": 0}}`."""
    moved = await orgs.remove_option(actor=actor, kind=kind, name=body.name, move_to=body.move_to)
    return {'list': (await orgs.option_lists(actor.org_id))[kind], 'moved': moved}
