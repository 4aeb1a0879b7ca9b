"""Address books: whose they are, what they hold (exactly what the gate lets the user see), their sync tokens and
what changed since one, in pages so that 100,000 cards are never held in memory at once.

An address book is one organization seen by one user: a member or owner has one per organization, a guest none
(access.Action.SEE_RECORDS). Its cards are `access.visible(kind, actor)`, both kinds, read by id in pages.

The sync token is the greatest change number (DavChange.seq) of the organization's records, read before the cards
are: a change committed meanwhile is listed now or next time, never lost. What changed since a token:
- the visible records whose number is greater (new, changed, or newly visible: public again, a mention added);
- removed: the records whose number is greater, that the user does not see now, and that the log (DavLog) says
  they could see at some point since the token (public, created by them, or they were mentioned). A record they
  could never see is never named, not even as removed.
"""
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from tortoise.expressions import Q, Subquery

from .. import access
from ..access import Action, require
from ..accounts.tables import User
from ..orgs.tables import Membership
from ..records.tables import COMPANY, CONTACT, KINDS, Kind, Listed, Record
from .tables import DavCard, DavChange, DavLog
from .vcards import CardView, default_uid, write

PAGE = 500  # records read, and cards written, at a time
DEFAULT_NAME = re.compile(r'(contact|company)-(\d{1,10})\.vcf')


def default_name(kind: Kind, record_id: int) -> str:
    return f'{kind.name}-{record_id}.vcf'


def etag(kind: Kind, record_id: int, seq: int) -> str:
    """A strong ETag: the record's last change number, which moves with every change of what its card shows."""
    return f'"{kind.name[:2]}{record_id}-{seq}"'


@dataclass
class Entry:
    """One card of a book: its name (the last segment of its address), ETag, and the vCard when it was asked for."""
    kind: Kind
    id: int
    name: str
    etag: str
    card: str | None = None


# ---------------------------------------------------------------- which books

async def address_books(user: User) -> list[Membership]:
    """The organizations whose records the user may see, as their memberships (the organization loaded), by name."""
    roles = [role for role in ('owner', 'member', 'guest') if access.allows(role, Action.SEE_RECORDS)]
    return await Membership.filter(user_id=user.id, role__in=roles).select_related('org') \
        .order_by('org__name', 'org_id')


async def book(user: User, org_id: object) -> Membership:
    """The user's address book of this organization: NotFound when they are not in it, Forbidden for a guest."""
    actor = await access.membership(user, org_id)
    require(actor.role, Action.SEE_RECORDS)
    return actor


async def sync_token(actor: Membership) -> int:
    """The book's current sync token (also its CTag): the organization's last change number."""
    last = await DavChange.filter(org_id=actor.org_id).order_by('-seq').limit(1).values_list('seq', flat=True)
    return int(last[0]) if last else 0


# ---------------------------------------------------------------- the cards

async def _targets(actor: Membership, names: list[str]) -> dict[str, tuple[Kind, int]]:
    """The record each name addresses, visible or not (at most two queries): a name a client chose, else
    `contact-<id>.vcf`."""
    chosen = {name: (KINDS[kind], record_id) for name, kind, record_id in await DavChange.filter(
        org_id=actor.org_id, name__in=names).values_list('name', 'kind', 'record_id')} if names else {}
    targets = {}
    for name in names:
        if name in chosen:
            targets[name] = chosen[name]
        elif (match := DEFAULT_NAME.fullmatch(name)) is not None and access.is_id(int(match.group(2))):
            targets[name] = (KINDS[match.group(1)], int(match.group(2)))
    return targets


async def find(actor: Membership, name: str) -> tuple[Kind, int] | None:
    """The record a card's name addresses, when the user may see it; None for any other name."""
    target = (await _targets(actor, [name])).get(name)
    if target is None or not await access.visible(target[0], actor).filter(id=target[1]).exists():
        return None
    return target


async def _entries(actor: Membership, kind: Kind, records: list[Record], *, cards: bool, version: str,
                   public_url: str) -> list[Entry]:
    ids = [record.id for record in records]
    changes = {record_id: (seq, name) for record_id, seq, name in await DavChange.filter(
        kind=kind.name, record_id__in=ids).values_list('record_id', 'seq', 'name')}
    entries = []
    views: dict[int, tuple[str, str]] = {}
    companies: dict[int, str] = {}
    if cards:
        views = {row[0]: (row[1], row[2]) for row in await DavCard.filter(**{f'{kind.name}_id__in': ids})
                 .values_list(f'{kind.name}_id', 'uid', 'extra')}
        if kind is CONTACT:
            wanted = {record.company_id for record in records if record.company_id}
            if wanted:
                companies = dict(await access.visible(COMPANY, actor).filter(id__in=wanted).values_list('id', 'name'))
    for record in records:
        seq, name = changes.get(record.id, (0, None))
        entry = Entry(kind, record.id, name or default_name(kind, record.id), etag(kind, record.id, seq))
        if cards:
            uid, extra = views.get(record.id, ('', ''))
            view = CardView(uid=uid or default_uid(kind, record), extra=extra,
                            company_name=companies.get(getattr(record, 'company_id', None) or 0, ''),
                            link=public_url + Listed(kind.name, record.id, '', '').path if public_url else '')
            entry.card = write(kind, record, view, version)
        entries.append(entry)
    return entries


async def entries(actor: Membership, *, cards: bool = False, version: str = '3.0', public_url: str = '',
                  since: int | None = None) -> AsyncIterator[list[Entry]]:
    """The book's cards (those changed since the token `since`, when given), a page at a time: contacts, then
    companies, each by id. `cards`: with each card's vCard of `version`."""
    for kind in (CONTACT, COMPANY):
        queryset = access.visible(kind, actor)
        if since is not None:
            changed = DavChange.filter(org_id=actor.org_id, kind=kind.name, seq__gt=since).values('record_id')
            queryset = queryset.filter(id__in=Subquery(changed))
        if not cards:
            queryset = queryset.only('id')  # a listing of names and ETags reads nothing else
        last = 0
        while True:
            records = await queryset.filter(id__gt=last).order_by('id').limit(PAGE)
            if not records:
                break
            yield await _entries(actor, kind, records, cards=cards, version=version, public_url=public_url)
            last = records[-1].id
            if len(records) < PAGE:
                break


async def named_entries(actor: Membership, names: list[str], *, version: str = '3.0',
                        public_url: str = '') -> tuple[list[Entry], list[str]]:
    """The cards of these names the user may see, with their vCards, and the names that address none (a page of
    names at a time: a few queries per page, whatever the number of names)."""
    result, missing = [], []
    for start in range(0, len(names), PAGE):
        chunk = names[start:start + PAGE]
        targets = await _targets(actor, chunk)
        for kind in (CONTACT, COMPANY):
            wanted = {record_id: name for name, (k, record_id) in targets.items() if k is kind}
            if not wanted:
                continue
            records = await access.visible(kind, actor).filter(id__in=list(wanted)).order_by('id')
            entries = await _entries(actor, kind, records, cards=True, version=version, public_url=public_url)
            for entry in entries:
                entry.name = wanted[entry.id]  # as the client named it
            result += entries
        found = {entry.name for entry in result}
        missing += [name for name in chunk if name not in found]
    return result, missing


async def removed_since(actor: Membership, since: int) -> list[str]:
    """The names of the cards gone from the book since the token `since` that the user could see at some point
    since then (see the module's docstring): deleted, made private, a mention removed, merged away, trashed."""
    names = []
    for kind in (CONTACT, COMPANY):
        changed = DavChange.filter(org_id=actor.org_id, kind=kind.name, seq__gt=since)
        could_see = DavLog.filter(kind=kind.name, seq__gt=since).filter(
            Q(public=True) | Q(user_id=actor.user_id)).values('record_id')
        sees_now = access.visible(kind, actor).filter(
            id__in=Subquery(changed.values('record_id'))).values('id')
        rows = await changed.filter(record_id__in=Subquery(could_see)).exclude(
            record_id__in=Subquery(sees_now)).values_list('record_id', 'name')
        names += [name or default_name(kind, record_id) for record_id, name in rows]
    return names
