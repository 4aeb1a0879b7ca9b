"""Notifications: written with the change that causes them, read through the gate, mailed as each reader chose.

Writing (`tell`, and `mentioned` / `assigned` / `invited` over it) happens inside the caller's transaction, so a change
that is taken back tells nobody; the caller then calls `announce` with what `tell` returned, once committed, which
tells open pages and the mail sender. The author of a change is never told about it.

Reading (`page`, `unread_count`) names a record only if the reader may see it now, asked of the gate
(models/access.py) for the whole page in one query per organization and kind: a record made private without them,
deleted, or in an organization they left is named by nothing, and the entry stays.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from .. import access
from ..accounts.tables import User
from ..errors import NotFound, ValidationFailed
from ..i18n import _, ngettext
from ..mail import outbox
from ..mail.letters import Letter, spoken_in
from ..orgs.tables import Membership, Organization
from ..records.tables import KINDS
from ..work.tables import WORK_KINDS
from . import live
from .tables import Event, MailChoice, Notification

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def now() -> datetime:
    return datetime.now(timezone.utc)


# ---------------------------------------------------------------- what a notification says

@dataclass(frozen=True)
class Subject:
    """The record a notification is about, as its reader may see it now."""
    kind: str  # contact, company, project, task, ticket
    id: int
    name: str

    @property
    def path(self) -> str:
        plural = 'companies' if self.kind == 'company' else f'{self.kind}s'
        return f'/{plural}/{self.id}'


@dataclass(frozen=True)
class Shown:
    """A notification as its reader sees it: nothing in it names what they may not see."""
    id: int
    org_id: int
    org_name: str  # '' once the reader left the organization
    event: str
    record: Subject | None
    by_id: int | None
    by_name: str
    at: datetime
    read: bool
    record_kind: str = ''  # the kind it was about, even when the record is no longer named

    @property
    def path(self) -> str:
        """Where the notification leads: its record, or the organization it was about."""
        return self.record.path if self.record else '/'

    def sentence(self) -> str:
        """What happened, in the current language."""
        who = self.by_name or _('Someone')
        if self.event == Event.INVITED.value:
            return (_('{who} added you to {organization}', who=who, organization=self.org_name) if self.org_name
                    else _('{who} added you to an organization you are no longer in', who=who))
        if self.event == Event.ASSIGNED.value:
            if self.record is None:
                return _('{who} gave you work you can no longer see', who=who)
            return (_('{who} assigned you the ticket {name}', who=who, name=self.record.name)
                    if self.record.kind == 'ticket' else
                    _('{who} assigned you the task {name}', who=who, name=self.record.name))
        if self.record is None:
            return _('{who} mentioned you in a record you can no longer see', who=who)
        return _('{who} mentioned you in {name}', who=who, name=self.record.name)


# ---------------------------------------------------------------- telling

async def tell(*, event: Event, users: Iterable[int], org_id: int, by: int | None, record_kind: str = '',
               record_id: int | None = None, record_name: str = '') -> list[int]:
    """Notify these users (never `by`), inside the caller's transaction; returns whom, for `announce`.

    Each is mailed at once, gathered into their daily mail, or not mailed, as they chose (and only when this
    server sends mail; an invitation has its own mail). `record_name` is the record's name as they see it now
    (they may: they were just mentioned in it, given it, or added to its organization).
    """
    ids = sorted({int(u) for u in users} - {by})
    if not ids:
        return []
    people = await User.filter(id__in=ids).only('id', 'email', 'name', 'language', 'notification_mail')
    if not people:
        return []
    # being added to an organization is mailed by the invitation itself (models/orgs/service.py), whatever the choice
    mailing = outbox.enabled() and event is not Event.INVITED
    await Notification.bulk_create([
        Notification(user_id=person.id, org_id=org_id, event=event.value, by_id=by, record_kind=record_kind,
                     record_id=record_id, in_digest=mailing and person.notification_mail == MailChoice.DAILY.value)
        for person in people])
    if mailing and any(p.notification_mail == MailChoice.IMMEDIATELY.value for p in people):
        org = await Organization.get(id=org_id).only('id', 'name')
        author = await User.get_or_none(id=by).only('id', 'name') if by is not None else None
        # the same event for everyone mailed at once; each letter is written in its reader's language
        shown = Shown(id=0, org_id=org_id, org_name=org.name, event=event.value, by_id=by,
                      by_name=author.name if author else '', at=now(), read=False, record_kind=record_kind,
                      record=Subject(record_kind, record_id, record_name) if record_id else None)
        for person in people:
            if person.notification_mail == MailChoice.IMMEDIATELY.value:
                await outbox.queue(person.email, spoken_in(person.language, lambda p=person: _letter(p, shown)))
    return [person.id for person in people]


def announce(user_ids: Iterable[int]) -> None:
    """After the commit of what `tell` wrote: open pages update their bell, mails leave."""
    user_ids = list(user_ids)
    if user_ids:
        live.announce(user_ids)
        outbox.wake()


async def mentioned(*, by: int, org_id: int, record_kind: str, record_id: int, record_name: str,
                    users: Iterable[int]) -> list[int]:
    """These users were newly mentioned in a description (the caller leaves out those mentioned before)."""
    return await tell(event=Event.MENTIONED, users=users, org_id=org_id, by=by, record_kind=record_kind,
                      record_id=record_id, record_name=record_name)


async def assigned(*, by: int, org_id: int, record_kind: str, record_id: int, record_name: str,
                   user_id: int | None) -> list[int]:
    """A task or a ticket was given to this user (None: to nobody, nobody is told)."""
    if user_id is None:
        return []
    return await tell(event=Event.ASSIGNED, users=[user_id], org_id=org_id, by=by, record_kind=record_kind,
                      record_id=record_id, record_name=record_name)


async def invited(*, by: int | None, org_id: int, user_id: int) -> list[int]:
    """This user was added to an organization."""
    return await tell(event=Event.INVITED, users=[user_id], org_id=org_id, by=by)


# ---------------------------------------------------------------- reading

async def _subjects(user_id: int, rows: list[Notification]) -> tuple[dict[int, Membership],
                                                                     dict[tuple[str, int], Subject]]:
    """The reader's memberships of these notifications' organizations, and the records they may see now, by (kind,
    id): one query for the memberships and one gated query per organization and kind."""
    org_ids = {row.org_id for row in rows}
    memberships = {m.org_id: m for m in await Membership.filter(user_id=user_id, org_id__in=org_ids)
                   .select_related('org')}
    wanted: dict[tuple[int, str], set[int]] = defaultdict(set)
    for row in rows:
        if row.record_id is not None and row.org_id in memberships:
            wanted[(row.org_id, row.record_kind)].add(row.record_id)
    subjects: dict[tuple[str, int], Subject] = {}
    for (org_id, kind_name), ids in wanted.items():
        actor = memberships[org_id]
        if kind_name in KINDS:
            kind = KINDS[kind_name]
            names = ('first_name', 'last_name') if kind_name == 'contact' else ('name',)
            found = await access.visible(kind, actor).filter(id__in=ids).values_list('id', *names)
        elif kind_name in WORK_KINDS:
            work_kind = WORK_KINDS[kind_name]
            found = await access.visible_work(work_kind, actor).filter(id__in=ids) \
                .values_list('id', work_kind.title_field)
        else:
            continue
        for record_id, *parts in found:
            subjects[(kind_name, record_id)] = Subject(kind_name, record_id, ' '.join(p for p in parts if p))
    return memberships, subjects


async def shown_to(user_id: int, rows: list[Notification]) -> list[Shown]:
    """These rows as their reader sees them now: records and organizations read again through the gate."""
    memberships, subjects = await _subjects(user_id, rows)
    return [Shown(id=row.id, org_id=row.org_id,
                  org_name=memberships[row.org_id].org.name if row.org_id in memberships else '',
                  event=row.event, record=subjects.get((row.record_kind, row.record_id)), by_id=row.by_id,
                  by_name=row.by.name if row.by else '', at=row.created_at, read=row.read_at is not None,
                  record_kind=row.record_kind)
            for row in rows]


def _size(field: str, value: object, default: int, most: int) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= most:
        raise ValidationFailed.one(field, _('must be a whole number from 0 to {most}', most=most))
    return value


async def page(user, *, unread: bool = False, limit: object = PAGE_SIZE, offset: object = 0) -> tuple[list[Shown], int]:
    """The caller's notifications, newest first, and how many there are (unread ones only, if asked)."""
    limit = _size('limit', limit, PAGE_SIZE, MAX_PAGE_SIZE)
    offset = _size('offset', offset, 0, 2**31 - 1)
    query = Notification.filter(user_id=user.id)
    if unread:
        query = query.filter(read_at=None)
    rows = await query.order_by('-id').offset(offset).limit(limit).select_related('by')
    return await shown_to(user.id, rows), await query.count()


async def unread_count(user) -> int:
    return await Notification.filter(user_id=user.id, read_at=None).count()


async def mark_read(user, notification_id: object) -> None:
    """Mark one of the caller's notifications read; anyone else's does not exist for them."""
    if not access.is_id(notification_id) or not await Notification.filter(id=notification_id, user_id=user.id) \
            .exists():
        raise NotFound('notification')
    await Notification.filter(id=notification_id, user_id=user.id, read_at=None).update(read_at=now())


async def mark_all_read(user) -> int:
    """Mark every unread notification of the caller read; returns how many were."""
    return await Notification.filter(user_id=user.id, read_at=None).update(read_at=now())


def mail_choice(field: str, value: object) -> str:
    """One of MailChoice's values (update_profile checks the Settings choice with it)."""
    if value not in {choice.value for choice in MailChoice}:
        raise ValidationFailed.one(field, _('must be one of {choices}',
                                            choices=', '.join(choice.value for choice in MailChoice)))
    return value


# ---------------------------------------------------------------- mail

def _closing() -> str:
    return _('You receive this mail because of your choice under Settings, Profile: "E-mail me about '
             'notifications". Change it there.')


def _letter(person: User, shown: Shown) -> Letter:
    """The mail of one notification, sent at once (inside `spoken_in` the recipient's language)."""
    sentence = shown.sentence()
    return Letter(subject=sentence, greeting=_('Hello {name},', name=person.name),
                  paragraphs=[_('{what}, in {organization}.', what=sentence, organization=shown.org_name)],
                  action=_('Open {name}', name=shown.record.name) if shown.record else _('Open Rubrica'),
                  link=outbox.link(shown.path), closing=_closing(), language=person.language or 'en')


def digest_letter(person: User, shown: list[Shown]) -> Letter:
    """The daily mail gathering several notifications (already read through the gate, newest first)."""
    count = len(shown)
    lines = [f'{item.sentence()} ({item.org_name})' if item.org_name else item.sentence() for item in shown]
    return Letter(subject=ngettext('{count} new notification in Rubrica', '{count} new notifications in Rubrica',
                                   count),
                  greeting=_('Hello {name},', name=person.name),
                  paragraphs=[ngettext('Since the last mail, {count} thing happened that concerns you:',
                                       'Since the last mail, {count} things happened that concern you:', count),
                              *lines],
                  action=_('Open Rubrica'), link=outbox.link('/'), closing=_closing(),
                  language=person.language or 'en')

