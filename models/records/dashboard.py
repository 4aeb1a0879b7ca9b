"""The dashboard's figures: every one counted by the database, through the access gate.

Contacts and companies by type (the organization's kept counts of public records by type, plus the viewer's few
records that are not public, through the gate), the records updated last, the records whose description mentions the
viewer, and the viewer's open tasks and tickets linked to contacts they can see.
A guest sees no contact or company, so they get no figures at all (Forbidden, like the lists).

The first steps of a new or still empty organization (`first_steps`): each step done or not, as the data says,
all of them read in one query.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.functions import Count

from .. import access, i18n
from ..access import Action, allows, require
from ..imports.tables import ImportBatch
from ..orgs.service import DEFAULT_OPTIONS
from ..orgs.tables import Invitation, Membership, OptionItem, Organization
from ..work.tables import Connection, Task, Ticket
from .tables import COMPANY, CONTACT, KINDS, Kind, Listed, Mention

RECENT_SHOWN = 10
MENTIONS_SHOWN = 10
WORK_SHOWN = 10


@dataclass(frozen=True)
class TypeCount:
    type: str  # '' for records without a type
    count: int


@dataclass(frozen=True)
class Entry(Listed):
    """A record changed lately."""
    updated_at: datetime
    updated_by: str  # '' when unknown (the account was deleted)


@dataclass(frozen=True)
class WorkItem:
    kind: str  # 'task' or 'ticket'
    id: int
    title: str
    status: str
    due_date: date | None = None
    priority: str = ''
    contacts: tuple[tuple[int, str], ...] = ()  # the linked contacts the viewer may see: (id, name)


@dataclass
class Dashboard:
    contacts_by_type: list[TypeCount]
    companies_by_type: list[TypeCount]
    recent: list[Entry]
    mentions: list[Entry]
    mentions_total: int
    work: list[WorkItem] = field(default_factory=list)

    @property
    def contacts_total(self) -> int:
        return sum(t.count for t in self.contacts_by_type)

    @property
    def companies_total(self) -> int:
        return sum(t.count for t in self.companies_by_type)


# ---------------------------------------------------------------- contacts and companies

async def counts_by_type(kind: Kind, actor) -> list[TypeCount]:
    """How many records of each type the caller may see, largest first, without reading the public ones: the
    organization's kept counts of public records by type (RecordTypeCount, migration 0031_record_type_counts) plus
    the caller's few records that are not public, grouped by type through the gate (access.visible_not_public),
    like counts.visible_total."""
    tally: dict[str, int] = {}
    for row in await access.public_counts_by_type(kind, actor).filter(public__gt=0).values('type', 'public'):
        tally[row['type'] or ''] = tally.get(row['type'] or '', 0) + row['public']
    own, mentioning = access.visible_not_public(kind, actor)
    for part in (own,) if mentioning is own else (own, mentioning):
        # grouped by an expression, not the column: grouping by `type` itself SQLite reads the organization's every
        # record through the (org_id, type) index, for its order, instead of the caller's few through theirs
        grouped = part.annotate(grouped=RawSQL("type || ''"), count=Count('id')).group_by('grouped')
        for row in await grouped.values('grouped', 'count'):
            tally[row['grouped'] or ''] = tally.get(row['grouped'] or '', 0) + row['count']
    return sorted((TypeCount(type_, n) for type_, n in tally.items() if n), key=lambda t: (-t.count, t.type))


def _entries(kind: Kind, records) -> list[Entry]:
    return [Entry(kind.name, r.id, r.display_name, r.type, r.updated_at, r.updated_by.name if r.updated_by else '')
            for r in records]


def _newest(entries: list[Entry], limit: int) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.updated_at, e.kind, e.id), reverse=True)[:limit]


async def recently_updated(actor, *, limit: int = RECENT_SHOWN) -> list[Entry]:
    """The records the caller may see, last changed first: the newest `limit` of each kind, merged."""
    entries: list[Entry] = []
    for kind in KINDS.values():
        records = await access.visible(kind, actor).select_related('updated_by') \
            .order_by('-updated_at', '-id').limit(limit)
        entries += _entries(kind, records)
    return _newest(entries, limit)


def _mentioning(kind: Kind, actor):
    mentioned = Mention.filter(user_id=actor.user_id, **{f'{kind.name}_id__isnull': False}).values(f'{kind.name}_id')
    return access.visible(kind, actor).filter(id__in=Subquery(mentioned))


async def mentioning_me(actor, *, limit: int = MENTIONS_SHOWN) -> tuple[list[Entry], int]:
    """The records whose description mentions the caller (and that the caller may see), and how many there are."""
    entries: list[Entry] = []
    total = 0
    for kind in KINDS.values():
        queryset = _mentioning(kind, actor)
        total += await queryset.count()
        entries += _entries(kind, await queryset.select_related('updated_by').order_by('-updated_at', '-id')
                            .limit(limit))
    return _newest(entries, limit), total


# ---------------------------------------------------------------- tasks and tickets

CLOSED_STATUSES = ('done', 'closed')
WORK_MODELS = {'task': Task, 'ticket': Ticket}


async def open_work_linked_to_contacts(actor, *, limit: int = WORK_SHOWN) -> list[WorkItem]:
    """The caller's open tasks and tickets that are linked to at least one contact the caller may see, each with
    those contacts (never one the caller may not see). Two queries per kind, whatever the number of links."""
    visible_contacts = Subquery(access.visible(CONTACT, actor).values('id'))
    items: list[WorkItem] = []
    for kind, model in WORK_MODELS.items():
        linked = Connection.filter(contact_id__in=visible_contacts, **{f'{kind}_id__isnull': False}) \
            .values(f'{kind}_id')
        rows = await model.filter(org_id=actor.org_id, assignee_id=actor.user_id, id__in=Subquery(linked)) \
            .exclude(status__in=CLOSED_STATUSES).order_by('id').limit(limit)
        links = await Connection.filter(**{f'{kind}_id__in': [r.id for r in rows]}, contact_id__in=visible_contacts) \
            .values(f'{kind}_id', 'contact_id', 'contact__first_name', 'contact__last_name') if rows else []
        names: dict[int, list[tuple[int, str]]] = {}
        for link in links:
            name = f"{link['contact__first_name']} {link['contact__last_name']}".strip()
            names.setdefault(link[f'{kind}_id'], []).append((link['contact_id'], name))
        items += [WorkItem(kind, r.id, r.title, r.status, getattr(r, 'due_date', None),
                           getattr(r, 'priority', '') or '', tuple(sorted(names.get(r.id, []), key=lambda c: c[1])))
                  for r in rows]
    return sorted(items, key=lambda w: (w.due_date is None, w.due_date or date.max, w.kind, w.id))[:limit]


# ---------------------------------------------------------------- all of it

async def dashboard(actor) -> Dashboard:
    """Everything the dashboard shows, for a member or owner; a guest sees no contacts or companies (Forbidden)."""
    require(actor.role, Action.SEE_RECORDS)
    mentions, mentions_total = await mentioning_me(actor)
    return Dashboard(contacts_by_type=await counts_by_type(CONTACT, actor),
                     companies_by_type=await counts_by_type(COMPANY, actor),
                     recent=await recently_updated(actor),
                     mentions=mentions, mentions_total=mentions_total,
                     work=await open_work_linked_to_contacts(actor))


# ---------------------------------------------------------------- the first steps of an organization

NEW_FOR = timedelta(days=14)  # how long an organization counts as new, for its first steps to be offered
# each step, and what the caller's role must allow for it to be theirs
STEPS = {'contact': Action.EDIT_RECORDS, 'company': Action.EDIT_RECORDS, 'import': Action.EDIT_RECORDS,
         'invite': Action.MANAGE_MEMBERS, 'options': Action.EDIT_ORGANIZATION}


@dataclass(frozen=True)
class FirstSteps:
    done: dict[str, bool]  # the caller's steps, in order: contact, company, import, invite, options
    empty: bool  # the caller sees no contact and no company
    new: bool  # the organization was created less than NEW_FOR ago

    @property
    def offered(self) -> bool:
        """Worth showing: some step is still to do, in an organization that is empty or new."""
        return not all(self.done.values()) and (self.empty or self.new)


def _default_names(kind: str) -> list[str]:
    """A list's defaults in every language: a new organization gets them in its creator's (orgs.create_organization)."""
    return sorted({i18n.translations(language).gettext(name)
                   for language in i18n.LANGUAGES for name in DEFAULT_OPTIONS[kind]})


def _one(queryset) -> Subquery:
    """The id of a row the query finds, or NULL: "is there any?" as a column."""
    return Subquery(queryset.limit(1).values('id'))


async def first_steps(actor, *, now: datetime | None = None) -> FirstSteps:
    """Which of the first steps are done in the caller's organization, from its data, in one query: a contact and
    a company the caller sees, an import, a colleague (a member besides the caller, or an invitation waiting), and
    option lists that are no longer the defaults, in whatever language (a value added, renamed or removed)."""
    require(actor.role, Action.SEE_RECORDS)
    org_id = actor.org_id
    not_default = Q(*(Q(kind=kind) & ~Q(name__in=_default_names(kind)) for kind in DEFAULT_OPTIONS), join_type='OR')
    row, = await Organization.filter(id=org_id).annotate(
        a_contact=_one(access.visible(CONTACT, actor)),
        a_company=_one(access.visible(COMPANY, actor)),
        an_import=_one(ImportBatch.filter(org_id=org_id)),
        a_colleague=_one(Membership.filter(org_id=org_id).exclude(user_id=actor.user_id)),
        an_invitation=_one(Invitation.filter(org_id=org_id)),
        a_new_option=_one(OptionItem.filter(not_default, org_id=org_id)),
        options=Subquery(OptionItem.filter(org_id=org_id).annotate(n=Count('id')).values('n')),
    ).values('created_at', 'a_contact', 'a_company', 'an_import', 'a_colleague', 'an_invitation', 'a_new_option',
             'options')
    facts = {'contact': row['a_contact'] is not None, 'company': row['a_company'] is not None,
             'import': row['an_import'] is not None,
             'invite': row['a_colleague'] is not None or row['an_invitation'] is not None,
             'options': row['a_new_option'] is not None
             or row['options'] != sum(len(names) for names in DEFAULT_OPTIONS.values())}
    created = row['created_at']
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return FirstSteps(done={step: facts[step] for step, action in STEPS.items() if allows(actor.role, action)},
                      empty=not facts['contact'] and not facts['company'],
                      new=(now or datetime.now(timezone.utc)) - created < NEW_FOR)
