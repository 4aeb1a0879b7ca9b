"""Who may do what, and who sees which record: the one gate every page and API route goes through.

Roles are per organization. What each role may do is the table below; visibility of contacts and
companies is built as a database filter so that lists, totals and searches can never disagree.
"""
from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from .accounts.tables import User
from .errors import Forbidden, NotFound
from .i18n import N_, _
from .files.tables import Attachment
from .kiosk.tables import KioskLink
from .orgs.tables import Membership, Role
from .records.tables import KINDS, Kind, Mention, Record, RecordCount, RecordTypeCount, Visibility
from .work.tables import WORK_KINDS, Connection, WorkItem, WorkKind


class Action(str, Enum):
    SEE_RECORDS = 'see contacts and companies'
    EDIT_RECORDS = 'edit contacts and companies'
    VIEW_MEMBERS = 'view the members'
    MANAGE_MEMBERS = 'manage members'
    EDIT_ORGANIZATION = 'edit the organization'
    EDIT_OPTIONS = 'edit the option lists'
    VIEW_SETTINGS = 'open the organization settings'
    COPY_OUT = 'copy records to another organization'
    RECEIVE_COPIES = 'receive copied records'
    MANAGE_KIOSK = 'manage kiosk links'
    BE_MENTIONED = 'be mentioned in contacts and companies'
    DELETE_ANY_ATTACHMENT = 'delete any attachment'
    SEE_WORK = 'see projects, tasks and tickets'
    SEE_ALL_WORK = 'see every project, task and ticket'
    EDIT_WORK = 'create, change and delete projects, tasks and tickets'
    LINK_WORK = 'link contacts and companies to projects, tasks and tickets'
    DELETE_FOREVER = 'delete contacts and companies forever'


# What a refusal says, for each action (whole sentences: the words of an action are not put into another one).
_REFUSALS: dict[Action, str] = {
    Action.SEE_RECORDS: N_('Your role does not allow you to see contacts and companies'),
    Action.EDIT_RECORDS: N_('Your role does not allow you to edit contacts and companies'),
    Action.VIEW_MEMBERS: N_('Your role does not allow you to view the members'),
    Action.MANAGE_MEMBERS: N_('Your role does not allow you to manage members'),
    Action.EDIT_ORGANIZATION: N_('Your role does not allow you to edit the organization'),
    Action.EDIT_OPTIONS: N_('Your role does not allow you to edit the option lists'),
    Action.VIEW_SETTINGS: N_('Your role does not allow you to open the organization settings'),
    Action.COPY_OUT: N_('Your role does not allow you to copy records to another organization'),
    Action.RECEIVE_COPIES: N_('Your role does not allow you to receive copied records'),
    Action.MANAGE_KIOSK: N_('Your role does not allow you to manage kiosk links'),
    Action.BE_MENTIONED: N_('Your role does not allow you to be mentioned in contacts and companies'),
    Action.DELETE_ANY_ATTACHMENT: N_('Your role does not allow you to delete any attachment'),
    Action.SEE_WORK: N_('Your role does not allow you to see projects, tasks and tickets'),
    Action.SEE_ALL_WORK: N_('Your role does not allow you to see every project, task and ticket'),
    Action.EDIT_WORK: N_('Your role does not allow you to create, change and delete projects, tasks and tickets'),
    Action.LINK_WORK: N_('Your role does not allow you to link contacts and companies to projects, tasks and tickets'),
    Action.DELETE_FOREVER: N_('Only owners may delete contacts and companies forever'),
}

_ALLOWED: dict[Action, frozenset[Role]] = {
    Action.SEE_RECORDS: frozenset({Role.OWNER, Role.MEMBER}),
    Action.EDIT_RECORDS: frozenset({Role.OWNER, Role.MEMBER}),
    Action.VIEW_MEMBERS: frozenset({Role.OWNER, Role.MEMBER}),
    Action.MANAGE_MEMBERS: frozenset({Role.OWNER}),
    Action.EDIT_ORGANIZATION: frozenset({Role.OWNER}),
    Action.EDIT_OPTIONS: frozenset({Role.OWNER, Role.MEMBER}),
    Action.VIEW_SETTINGS: frozenset({Role.OWNER, Role.MEMBER}),
    Action.COPY_OUT: frozenset({Role.OWNER}),
    Action.RECEIVE_COPIES: frozenset({Role.OWNER, Role.MEMBER}),
    Action.MANAGE_KIOSK: frozenset({Role.OWNER}),
    Action.BE_MENTIONED: frozenset({Role.OWNER, Role.MEMBER}),
    Action.DELETE_ANY_ATTACHMENT: frozenset({Role.OWNER}),
    # A guest sees the items assigned to them (see visible_work) but changes nothing and links nothing.
    Action.SEE_WORK: frozenset({Role.OWNER, Role.MEMBER, Role.GUEST}),
    Action.SEE_ALL_WORK: frozenset({Role.OWNER, Role.MEMBER}),
    Action.EDIT_WORK: frozenset({Role.OWNER, Role.MEMBER}),
    Action.LINK_WORK: frozenset({Role.OWNER, Role.MEMBER}),
    Action.DELETE_FOREVER: frozenset({Role.OWNER}),  # emptying the trash, or one record out of it
}


# Ids are INTEGER columns: 32 bits on PostgreSQL, 64 on SQLite. A number outside 1..MAX_ID names no record, and
# the database would fail on it rather than find nothing, so ids are checked with `is_id` before any query.
MAX_ID = 2 ** 31 - 1


def is_id(value: object) -> bool:
    """Whether `value` can be the id of a row: an int (not a bool) from 1 to MAX_ID."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def parse_id(text: object) -> int | None:
    """The id a page's address or query names ('42'), or None when the text names no row (see is_id)."""
    text = str(text)
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))):
        return None
    value = int(text)
    return value if is_id(value) else None


def allows(role: Role | str | None, action: Action) -> bool:
    """Whether this role may take this action; an unknown or missing role may do nothing."""
    try:
        return Role(role) in _ALLOWED[action]
    except ValueError:
        return False


def require(role: Role | str | None, action: Action) -> None:
    if not allows(role, action):
        raise Forbidden(_(_REFUSALS[action]))


async def membership(user: User | None, org_id: object) -> Membership:
    """The caller's membership of this organization; an organization they are not in does not exist for them."""
    if user is None or not is_id(org_id):
        raise NotFound('organization')
    found = await Membership.get_or_none(user_id=user.id, org_id=org_id).select_related('org')
    if found is None:
        raise NotFound('organization')
    return found


# ---------------------------------------------------------------- visibility of contacts and companies

def visibility_q(kind: Kind, actor: Membership, prefix: str = '') -> Q:
    """The visibility rule as a filter: public, or created by me, or I am mentioned in it.

    `prefix` applies it to a related record (e.g. 'company__' for a contact's company). Owners have no bypass.
    """
    return Q(**{f'{prefix}visibility': Visibility.PUBLIC.value}) | _mine_q(kind, actor, prefix)


def _mine_q(kind: Kind, actor: Membership, prefix: str = '') -> Q:
    """Records the caller sees whatever their visibility: created by them, or mentioning them."""
    return _own_q(kind, actor, prefix) | _mentioning_q(kind, actor, prefix)


def _own_q(kind: Kind, actor: Membership, prefix: str = '') -> Q:
    return Q(**{f'{prefix}created_by_id': actor.user_id})


def _mentioning_q(kind: Kind, actor: Membership, prefix: str = '') -> Q:
    mentioned = Mention.filter(user_id=actor.user_id, **{f'{kind.name}_id__isnull': False}).values(f'{kind.name}_id')
    return Q(**{f'{prefix}id__in': Subquery(mentioned)})


def shown_q(kind: Kind, actor: Membership, prefix: str = '') -> Q:
    """`visibility_q`, and not in the trash: what the caller may see outside the trash page."""
    return Q(**{f'{prefix}deleted_at__isnull': True}) & visibility_q(kind, actor, prefix)


def live_membership_q(actor: Membership, roles: frozenset[Role], prefix: str = '') -> Q:
    """The caller's membership, looked up again inside the query: still there, with one of these roles.

    `actor` is a Membership loaded when the request or the page began; a page stays open for hours. With this
    condition a member removed (or demoted to a role outside `roles`) a moment ago sees nothing through the gate,
    whatever membership object the caller still holds (the kiosk gate re-checks its link the same way).
    """
    live = Membership.filter(user_id=actor.user_id, org_id=actor.org_id,
                             role__in=sorted(role.value for role in roles)).values('org_id')
    return Q(**{f'{prefix}org_id__in': Subquery(live)})


def _seen(kind: Kind, actor: Membership | None, rule=visibility_q) -> QuerySet[Record]:
    """The records of this kind the caller may see, in the trash or not (the rule of `visible`)."""
    if actor is None or not allows(actor.role, Action.SEE_RECORDS):
        return kind.model.filter(id__isnull=True)  # deny: a filter no row passes
    return kind.model.filter(org_id=actor.org_id).filter(
        live_membership_q(actor, _ALLOWED[Action.SEE_RECORDS]) & rule(kind, actor))


def visible(kind: Kind, actor: Membership | None) -> QuerySet[Record]:
    """The records of this kind the caller may see, as a query filtered in the database.

    A caller whose role does not allow seeing records (a guest), or who is missing, sees nothing; nor does one
    whose membership was removed or changed to such a role since `actor` was loaded (live_membership_q). A record
    in the trash is seen by nobody here: every list, search, export, card, connection, copy and duplicates scan
    starts from this query, so a trashed record is gone from all of them at once.
    """
    return _seen(kind, actor).filter(deleted_at__isnull=True)


# A record's visibility is one of Visibility: records/service.py and bulk.py refuse any other value.
NOT_PUBLIC = tuple(sorted(v.value for v in Visibility if v is not Visibility.PUBLIC))


def visible_not_public(kind: Kind, actor: Membership | None) -> tuple[QuerySet[Record], QuerySet[Record]]:
    """What `visible` shows beyond the organization's public records, as two queries without a row in common: the
    caller's own, through the (org_id, visibility, created_by_id) index, and those of others that mention the
    caller, through the mentions index (one query with an OR between them reads every private row on PostgreSQL).
    Their counts added to `public_count` make the caller's total, without reading the public rows."""
    hidden = {'deleted_at__isnull': True, 'visibility__in': NOT_PUBLIC}
    own = _seen(kind, actor, _own_q).filter(**hidden)
    if actor is None:
        return own, own
    # created by someone else or by nobody (`not` is "<> or IS NULL"): the caller's own are counted above
    return own, _seen(kind, actor, _mentioning_q).filter(created_by_id__not=actor.user_id, **hidden)


# A record is open when it is public and outside the trash: the part of the visibility rule that needs no caller.
# Any other record is kept in its table's partial index `{table}_not_open` (migration 0033_duplicate_holders),
# whose condition is this one, word for word: the databases match it as written.
NOT_OPEN = f"(visibility <> '{Visibility.PUBLIC.value}' OR deleted_at IS NOT NULL)"


def not_open_sql(kind: Kind, org_id: int) -> str:
    """The ids of the records of an organization that are not open (private, or in the trash), whoever may see them,
    as SQL read from the partial index alone. For a reader of many records' ids (the duplicates scan): an open one
    is seen by whoever `sees_open_records`; one of these only by the caller `visible_not_public` shows it to."""
    return f'SELECT id FROM {kind.model._meta.db_table} WHERE org_id = {int(org_id)} AND {NOT_OPEN}'


async def sees_open_records(actor: Membership | None) -> bool:
    """Whether the caller sees every open record of their organization (all but `not_open`): a role that sees
    records and a membership still there, looked up again now (live_membership_q), as `visible` asks it."""
    if actor is None or not allows(actor.role, Action.SEE_RECORDS):
        return False
    return await Membership.filter(user_id=actor.user_id, org_id=actor.org_id).filter(
        live_membership_q(actor, _ALLOWED[Action.SEE_RECORDS])).exists()


def public_count(kind: Kind, actor: Membership | None) -> QuerySet[RecordCount]:
    """The organization's count of public records of this kind outside the trash (kept by the database), behind
    the same gate as `visible`: nothing for a caller who may not see records or whose membership is gone."""
    if actor is None or not allows(actor.role, Action.SEE_RECORDS):
        return RecordCount.filter(id__isnull=True)
    return RecordCount.filter(org_id=actor.org_id, kind=kind.name).filter(
        live_membership_q(actor, _ALLOWED[Action.SEE_RECORDS]))


def public_counts_by_type(kind: Kind, actor: Membership | None) -> QuerySet[RecordTypeCount]:
    """The organization's counts of public records of this kind outside the trash, one row per type (kept by the
    database), behind the same gate as `public_count`."""
    if actor is None or not allows(actor.role, Action.SEE_RECORDS):
        return RecordTypeCount.filter(id__isnull=True)
    return RecordTypeCount.filter(org_id=actor.org_id, kind=kind.name).filter(
        live_membership_q(actor, _ALLOWED[Action.SEE_RECORDS]))


def trashed(kind: Kind, actor: Membership | None) -> QuerySet[Record]:
    """The trash page's gate: the trashed records of this kind the caller would see if they were not trashed
    (the same rule as `visible`: a private record stays private in the trash; owners have no bypass)."""
    return _seen(kind, actor).filter(deleted_at__gt=BEFORE_ANY_DELETION)


# "trashed at some moment" as a range: SQLite reads Tortoise's `NOT deleted_at IS NULL` (isnull=False) through the
# organization's whole part of the (org_id, deleted_at) index, a range only through the trashed records
BEFORE_ANY_DELETION = datetime(1970, 1, 1, tzinfo=timezone.utc)


# ---------------------------------------------------------------- what a kiosk screen shows

def kiosk_visible(kind: Kind, link: KioskLink | None) -> QuerySet[Record]:
    """The records of this kind a kiosk link shows: the PUBLIC records of the link's organization, nothing else.

    There is no user behind a kiosk screen, so neither the creator nor the mention rule applies: a private record
    is never shown, whoever created the link. The link is looked up again inside the query, so a screen still
    open on a link that was revoked a moment ago sees nothing.
    """
    if link is None or getattr(link, 'id', None) is None:
        return kind.model.filter(id__isnull=True)  # deny: a filter no row passes
    live_org = KioskLink.filter(id=link.id).values('org_id')
    return kind.model.filter(org_id=link.org_id, org_id__in=Subquery(live_org),
                             visibility=Visibility.PUBLIC.value, deleted_at__isnull=True)


# ================================================================ projects, tasks, tickets and connections
# Everything below belongs to the work items and their connections to contacts and companies.

def sees_only_assigned_work(role: Role | str | None) -> bool:
    """Whether this role sees only the projects, tasks and tickets assigned to it (a guest), not all of them."""
    return allows(role, Action.SEE_WORK) and not allows(role, Action.SEE_ALL_WORK)


def work_visibility_q(work_kind: WorkKind, actor: Membership | None, prefix: str = '') -> Q:
    """Who sees a project, task or ticket, as a filter: owners and members every item of the organization,
    a guest the items assigned to them (project owner, task or ticket assignee). Anyone else: nothing."""
    if actor is None or not allows(actor.role, Action.SEE_WORK):
        return Q(**{f'{prefix}id__isnull': True})  # deny: a filter no row passes
    rule = Q(**{f'{prefix}org_id': actor.org_id})
    if sees_only_assigned_work(actor.role):
        rule &= Q(**{f'{prefix}{work_kind.person_id}': actor.user_id})
        live_roles = _ALLOWED[Action.SEE_WORK]  # a guest's view is the narrowest: any role still in may have it
    else:
        live_roles = _ALLOWED[Action.SEE_ALL_WORK]  # every item of the organization: not for a guest
    return rule & live_membership_q(actor, live_roles, prefix)


def visible_work(work_kind: WorkKind, actor: Membership | None) -> QuerySet[WorkItem]:
    """The projects, tasks or tickets the caller may see, as a query filtered in the database."""
    return work_kind.model.filter(work_visibility_q(work_kind, actor))


def visible_ids(kind: Kind | WorkKind, actor: Membership | None) -> Subquery:
    """The ids of the visible contacts/companies (a Kind) or projects/tasks/tickets (a WorkKind), as a subquery."""
    query = visible_work(kind, actor) if isinstance(kind, WorkKind) else visible(kind, actor)
    return Subquery(query.values('id'))


def visible_connections(actor: Membership | None) -> QuerySet[Connection]:
    """The connections whose two ends the caller may both see: a connection never reveals a hidden end."""
    if actor is None:
        return Connection.filter(id__isnull=True)
    record_end = Q(*(Q(**{f'{k.name}_id__in': visible_ids(k, actor)}) for k in KINDS.values()), join_type='OR')
    work_end = Q(*(Q(**{f'{w.name}_id__in': visible_ids(w, actor)}) for w in WORK_KINDS.values()), join_type='OR')
    return Connection.filter(org_id=actor.org_id).filter(record_end & work_end)


# ================================================================ who may change, mention, merge and delete

def may_change_visibility(actor: Membership, record: Record) -> bool:
    """Only the person who created a record changes its visibility (public or private), whatever their role."""
    return record.created_by_id is not None and record.created_by_id == actor.user_id


def require_may_change_visibility(actor: Membership, record: Record, *, refusal: str = '') -> None:
    """`refusal`: what the refusal says instead of naming 'this record'."""
    if not may_change_visibility(actor, record):
        raise Forbidden(refusal or _('Only the person who created this record may change its visibility'))


def may_be_mentioned(role: Role | str | None) -> bool:
    """Owners and members may be mentioned in a description (and so see the record); guests may not."""
    return allows(role, Action.BE_MENTIONED)


def mentionable_members(org_id: int) -> QuerySet[Membership]:
    """The memberships of this organization whose people may be mentioned, as a query."""
    return Membership.filter(org_id=org_id, role__in=sorted(role.value for role in _ALLOWED[Action.BE_MENTIONED]))


def may_merge_away(actor: Membership, record: Record) -> bool:
    """A record merged into another disappears: a private one only by the person who created it."""
    return not record.is_private or (record.created_by_id is not None and record.created_by_id == actor.user_id)


def may_delete_attachment(actor: Membership, attachment: Attachment, record: Record) -> bool:
    """Whoever may edit the record's organization and is an owner, added the file, or created the record."""
    if not allows(actor.role, Action.EDIT_RECORDS):
        return False
    return (allows(actor.role, Action.DELETE_ANY_ATTACHMENT) or attachment.uploaded_by_id == actor.user_id
            or record.created_by_id == actor.user_id)
