"""What the organization's page shows (the seed's "Page d'informations"): its name, plan, space used and quota,
and how many people it has in each role, read in one call.

Anyone in the organization may read it, guests too: the name, plan, quota and space used are what
`GET /api/v1/orgs/{org}` already tells every member of any role. Who is in it is not: the counts of people and
pending invitations are given only to the roles that may see the members (Action.VIEW_MEMBERS: owners and members),
and are None for a guest.
"""
from __future__ import annotations

from dataclasses import dataclass

from tortoise.functions import Count

from ..access import Action, Role, allows
from ..errors import NotFound
from ..files.attachments import storage_usage
from .service import PREMIUM_DEFAULT_QUOTA_MB
from .tables import Invitation, Membership, Organization

PREMIUM_DEFAULT_QUOTA_BYTES = PREMIUM_DEFAULT_QUOTA_MB * 1024 * 1024


@dataclass
class Overview:
    org: Organization
    role: str  # the caller's
    storage_used: int  # bytes of uploaded files (linked cloud files do not count)
    storage_quota: int
    people: dict[str, int] | None  # role -> how many, every role present (0 when none); None: not for this caller
    invitations: int | None  # pending; None: not for this caller

    @property
    def premium(self) -> bool:
        return self.org.plan == 'premium'

    @property
    def storage_share(self) -> float:
        """How full the quota is, from 0 to 1 (a quota of 0 is full)."""
        return min(1.0, self.storage_used / self.storage_quota) if self.storage_quota else 1.0


async def organization_overview(actor: Membership) -> Overview:
    """The caller's organization as its page shows it; an organization the caller has left is NotFound."""
    current = await Membership.get_or_none(user_id=actor.user_id, org_id=actor.org_id).select_related('org')
    if current is None:
        raise NotFound('organization')
    used, quota = await storage_usage(current)
    people = invitations = None
    if allows(current.role, Action.VIEW_MEMBERS):
        counted = await Membership.filter(org_id=actor.org_id).group_by('role').annotate(n=Count('id')) \
            .values_list('role', 'n')
        people = {role.value: 0 for role in Role} | dict(counted)
        invitations = await Invitation.filter(org_id=actor.org_id).count()
    return Overview(current.org, current.role, used, quota, people, invitations)

