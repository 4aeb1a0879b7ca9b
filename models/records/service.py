"""Contacts and companies: the rules for reading, saving, deleting and listing them (their tables, and `Kind`,
what differs between the two kinds, are in tables.py).

Saving validates everything first,
then writes the record, its lookup keys and its mentions in one transaction, guarded by `version`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from tortoise.expressions import Case, F, Q, Subquery, When
from tortoise.transactions import in_transaction

from integrations import Integrations

from .. import access, db
from ..access import Action, require
from ..errors import Conflict, NotFound, ValidationFailed
from ..history import recording
from ..history.recording import Happened
from ..i18n import _
from ..mentions import mentioned_user_ids
from ..notifications import service as notifications
from ..orgs.service import option_lists
from ..orgs.tables import Membership
from ..pages import by_id, is_whole_number, page_bounds
from ..text import company_name_key, fold
from ..validation import (DESCRIPTION_MAX, FieldErrors, address_list, choice, clean_text, email_list, optional_email,
                          phone_list, record_country, registration_number, sdi_code, vat_number)
from . import counts, keyset, live, relevance, search
from .tables import COMPANY, CONTACT, KINDS, Company, Kind, Mention, Record, RecordKey, Visibility


def now() -> datetime:
    return datetime.now(timezone.utc)


# ---------------------------------------------------------------- reading, through the gate

def kind_named(name: object) -> Kind:
    """The kind a client names ('contact' or 'company'), or a refusal naming the `kind` field."""
    if name not in KINDS:
        raise ValidationFailed.one('kind', _('must be contact or company'))
    return KINDS[name]


async def get_record(kind: Kind, actor: Membership, record_id: object) -> Record:
    """A record the caller may see; any other id behaves as if it did not exist."""
    return await one_of(kind, access.visible(kind, actor), record_id)


async def one_of(kind: Kind, gated, record_id: object) -> Record:
    """The record `record_id` among those of a gate's query (`visible`, `trashed`), else NotFound."""
    if not access.is_id(record_id):
        raise NotFound(kind.name)
    record = await gated.filter(id=record_id).first()
    if record is None:
        raise NotFound(kind.name)
    return record


# ---------------------------------------------------------------- validation

def _visibility(name: str, value: object) -> str:
    try:
        return Visibility(value).value
    except ValueError:
        raise ValidationFailed.one(name, _('must be public or private')) from None


async def check_mentions(org_id: int, text: str) -> list[int]:
    """The users a description mentions; a mention of anyone the organization's members may not mention (a guest,
    an outsider) is refused, naming the description. Also checks the descriptions of projects, tasks and tickets."""
    ids = mentioned_user_ids(text)
    if not ids:
        return []
    allowed = set(await access.mentionable_members(org_id).filter(user_id__in=ids).values_list('user_id', flat=True))
    strangers = [str(i) for i in ids if i not in allowed]
    if strangers:
        raise ValidationFailed.one('description', _('mentions someone who is not a member or owner of this '
                                                    'organization (user {ids})', ids=', '.join(strangers)))
    return ids


@dataclass
class Cleaned:
    values: dict[str, object]
    mentions: list[int] | None = None  # None: description unchanged
    new_company_name: str | None = None


def clean_fields(kind: Kind, data: dict, *, region: str, lists: dict[str, list[str]], existing: Record | None,
                 checks: FieldErrors) -> Cleaned:
    """The checks that need no database: every field's validator, with the organization's region and option lists
    given. Failures are collected in `checks`. Shared by single saves and by imports (models/imports/preparing.py)."""
    for name in data:
        if name not in kind.fields:
            checks.add(name, _('is not a field of a contact') if kind is CONTACT else _('is not a field of a company'))
    values: dict[str, object] = {}
    cleaned = Cleaned(values)
    for name, value in data.items():
        if name not in kind.fields:
            continue
        if name in kind.options:
            unchanged = existing is not None and value == getattr(existing, name)
            values[name] = value if unchanged else checks.check(choice, name, value, allowed=lists[kind.options[name]])
        elif name in ('first_name', 'last_name', 'name'):
            values[name] = checks.check(clean_text, name, value, required=name == 'name')
        elif name == 'description':
            text = checks.check(clean_text, name, value, max_length=DESCRIPTION_MAX, multiline=True)
            if text is not None:
                values[name] = text
        elif name == 'emails':
            values[name] = checks.check(email_list, name, value)
        elif name == 'pec':
            values[name] = checks.check(optional_email, name, value)
        elif name == 'phones':
            values[name] = checks.check(phone_list, name, value, region=region)
        elif name == 'addresses':
            values[name] = checks.check(address_list, name, value)
        elif name == 'sdi_code':
            values[name] = checks.check(sdi_code, name, value)
        elif name == 'visibility':
            values[name] = checks.check(_visibility, name, value)
        elif name == 'company_id':
            values[name] = value  # checked against the database by _clean
        elif name == 'company_name':
            company_name = checks.check(clean_text, name, value)
            if company_name:
                cleaned.new_company_name = company_name
    _clean_national_numbers(kind, data, values, region, existing, checks)
    values.pop('company_name', None)
    if cleaned.new_company_name and data.get('company_id') is not None:
        checks.add('company_name', _('give company_id or company_name, not both'))
    if kind is CONTACT:
        first = values.get('first_name', existing.first_name if existing else '')
        last = values.get('last_name', existing.last_name if existing else '')
        if not checks.errors.keys() & {'first_name', 'last_name'} and not first and not last:
            checks.add('last_name', _('a contact needs a first or a last name'))
    return cleaned


NATIONAL_NUMBERS = {'vat_number': vat_number, 'registration_number': registration_number}


def _clean_national_numbers(kind: Kind, data: dict, values: dict, region: str, existing: Record | None,
                            checks: FieldErrors) -> None:
    """The tax code and the register number, read in the record's country: its first address's (as saved now, else
    as stored), else the organization's (`region`). A value left as it is stored is not checked again, so a record
    saved under other rules (or before its address changed country) can still be edited."""
    names = [name for name in NATIONAL_NUMBERS if name in data and name in kind.fields]
    if not names:
        return
    addresses = values['addresses'] if values.get('addresses') is not None else \
        (existing.addresses if existing is not None else [])
    country = record_country(addresses, region)
    for name in names:
        if existing is not None and data[name] == getattr(existing, name):
            values[name] = data[name]
        else:
            values[name] = checks.check(NATIONAL_NUMBERS[name], name, data[name], country=country)


async def _clean(kind: Kind, actor: Membership, data: dict, existing: Record | None) -> Cleaned:
    """Validate the given fields (all of them at once) against the organization's rules."""
    checks = FieldErrors()
    lists = await option_lists(actor.org_id) if any(name in data for name in kind.options) else {}
    cleaned = clean_fields(kind, data, region=actor.org.country, lists=lists, existing=existing, checks=checks)
    if isinstance(cleaned.values.get('description'), str):
        try:
            cleaned.mentions = await check_mentions(actor.org_id, cleaned.values['description'])
        except ValidationFailed as e:
            checks.errors.update(e.errors)
    if 'company_id' in data and 'company_id' in kind.fields:
        value = data['company_id']
        if value is not None and not (access.is_id(value)
                                      and await access.visible(COMPANY, actor).filter(id=value).exists()):
            checks.add('company_id', _('is not a company of this organization'))
    checks.raise_if_any()
    return cleaned


def derive_columns(kind: Kind, record: Record) -> None:
    """Columns computed from the others, so that sorting and searching never disagree with what is shown. A
    company's `sort_name` is its name's `company_name_key` (no legal form, no punctuation): the one key by which
    an import, a copy and the duplicates scan find the same company."""
    if kind is CONTACT:
        record.sort_name = fold(f'{record.last_name} {record.first_name}')[:255]
    else:
        record.sort_name = company_name_key(record.name)[:255]  # also what import, copy and duplicates compare
    record.search_text = search.document(record)


def key_values(record) -> list[tuple[str, str]]:
    """(kind, normalized value) of each email, phone, PEC and VAT number of a record: what RecordKey indexes."""
    rows = [('email', e.lower()) for e in record.emails] + [('phone', p) for p in record.phones]
    if record.pec:
        rows.append(('pec', record.pec.lower()))
    if record.vat_number:
        rows.append(('vat', record.vat_number))
    return rows


def lookup_keys(kind: Kind, record: Record) -> list[RecordKey]:
    """The RecordKey rows of a saved record (its id must be set)."""
    return [RecordKey(org_id=record.org_id, kind=k, value=v, **{f'{kind.name}_id': record.id})
            for k, v in key_values(record)]


async def _write_related(kind: Kind, record: Record, mentions: list[int] | None, *,
                         by: int | None = None) -> list[int]:
    """Write the record's keys and mentions. A save by someone (`by`) notifies whom the description mentions anew
    (not those it mentioned before this save, never its author) and returns whom, for `notifications.announce`
    after the commit; a merge and its undo (no `by`) only move mentions that were there already, and tell nobody."""
    await RecordKey.filter(**{f'{kind.name}_id': record.id}).delete()
    await RecordKey.bulk_create(lookup_keys(kind, record))
    if mentions is None:
        return []
    before = set(await Mention.filter(**{f'{kind.name}_id': record.id}).values_list('user_id', flat=True))
    await Mention.filter(**{f'{kind.name}_id': record.id}).delete()
    await Mention.bulk_create([Mention(user_id=u, **{f'{kind.name}_id': record.id}) for u in mentions])
    if by is None:
        return []
    return await notifications.mentioned(by=by, org_id=record.org_id, record_kind=kind.name, record_id=record.id,
                                         record_name=record.display_name,
                                         users=[u for u in mentions if u not in before])


# ---------------------------------------------------------------- writing

async def create_record(kind: Kind, actor: Membership, data: dict) -> Record:
    """A new record, its keys, its mentions and its "created" history entry, in one transaction."""
    require(actor.role, Action.EDIT_RECORDS)
    cleaned = await _clean(kind, actor, data, None)
    if kind is COMPANY and 'name' not in cleaned.values:
        raise ValidationFailed.one('name', _('is required'))
    record = kind.model(org_id=actor.org_id, created_by_id=actor.user_id, updated_by_id=actor.user_id,
                        **cleaned.values)
    derive_columns(kind, record)
    async with in_transaction():
        if cleaned.new_company_name:
            record.company_id = (await _create_company_on_the_spot(actor, cleaned.new_company_name)).id
        await record.save()
        told = await _write_related(kind, record, cleaned.mentions or [], by=actor.user_id)
        await recording.write_one(kind, record.id, org_id=actor.org_id, by_id=actor.user_id, happened=Happened.CREATED)
    notifications.announce(told)
    return record


async def _create_company_on_the_spot(actor: Membership, name: str) -> Company:
    company = Company(org_id=actor.org_id, name=name, created_by_id=actor.user_id, updated_by_id=actor.user_id)
    derive_columns(COMPANY, company)
    await company.save()
    await _write_related(COMPANY, company, [], by=actor.user_id)
    await recording.write_one(COMPANY, company.id, org_id=actor.org_id, by_id=actor.user_id,
                              happened=Happened.CREATED)
    return company


async def update_record(kind: Kind, actor: Membership, record_id: object, data: dict, version: object) -> Record:
    """Apply a partial change made against `version`; a stale version is refused and nothing is written."""
    record = await get_record(kind, actor, record_id)
    require(actor.role, Action.EDIT_RECORDS)
    if not is_whole_number(version):
        raise ValidationFailed.one('version', _('is required: the version you are changing'))
    if 'visibility' in data and data['visibility'] != record.visibility:
        access.require_may_change_visibility(actor, record)
    cleaned = await _clean(kind, actor, data, record)
    if version != record.version:
        raise await stale(kind, record)
    before = recording.values_of(kind, record)
    for name, value in cleaned.values.items():
        setattr(record, name, value)
    record.updated_by_id, record.updated_at = actor.user_id, now()
    derive_columns(kind, record)
    columns = [*cleaned.values, 'updated_by_id', 'updated_at', 'sort_name', 'search_text']
    async with in_transaction():
        if cleaned.new_company_name:
            record.company_id = (await _create_company_on_the_spot(actor, cleaned.new_company_name)).id
            columns.append('company_id')
        changed = await kind.model.filter(id=record.id, version=version, deleted_at__isnull=True).update(
            version=F('version') + 1, **{name: getattr(record, name) for name in dict.fromkeys(columns)})
        if not changed:
            raise await stale(kind, record)
        told = await _write_related(kind, record, cleaned.mentions, by=actor.user_id)
        if changes := recording.diff(kind, before, recording.values_of(kind, record)):
            await recording.write_one(kind, record.id, org_id=actor.org_id, by_id=actor.user_id,
                                      happened=Happened.UPDATED, changes=changes)
    notifications.announce(told)
    record.version = version + 1
    live.changed(kind, record.id, version=record.version, by=actor.user_id)
    return record


class StaleVersion(Conflict):
    """Someone saved the record after the caller loaded it."""

    def __init__(self, message: str, current_version: int, changed_by: str, changed_at: datetime) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.changed_by = changed_by
        self.changed_at = changed_at


async def stale(kind: Kind, record: Record) -> StaleVersion:
    current = await kind.model.filter(id=record.id).select_related('updated_by').first()
    if current is None or current.deleted_at is not None:
        return StaleVersion(_('This contact was deleted meanwhile') if kind is CONTACT
                            else _('This company was deleted meanwhile'), 0, '', now())
    who = current.updated_by.name if current.updated_by else _('someone')
    when = f'{current.updated_at:%Y-%m-%d %H:%M}'
    message = (_('{who} changed this contact at {when} UTC, after you opened it; reload to see their changes',
                 who=who, when=when) if kind is CONTACT else
               _('{who} changed this company at {when} UTC, after you opened it; reload to see their changes',
                 who=who, when=when))
    return StaleVersion(message, current.version, who, current.updated_at)


async def delete_record(kind: Kind, actor: Membership, record_id: object, *,
                        integrations: Integrations | None = None) -> None:
    """Move a visible record to the trash: from now on the gate hides it everywhere but the trash
    (models/history/trash.py), where it can be restored as it was. Its keys, mentions, attachments (still counted
    against the quota), connections, notes and history stay until it is purged or deleted forever. `integrations`
    is no longer used here (files leave with the purge); it is kept for the callers."""
    record = await get_record(kind, actor, record_id)
    require(actor.role, Action.EDIT_RECORDS)
    async with in_transaction():
        trashed = await trash_records(kind, actor, [record.id])
    live.deleted(kind, trashed, by=actor.user_id)


async def trash_records(kind: Kind, actor: Membership, ids: list[int]) -> list[int]:
    """Inside the caller's transaction: mark these records trashed by the caller, each with its "deleted" history
    entry. Returns the ids that were not in the trash yet (those it trashed)."""
    moment = now()
    ids = list(await kind.model.filter(id__in=ids, deleted_at__isnull=True).values_list('id', flat=True))
    if ids:
        await kind.model.filter(id__in=ids, deleted_at__isnull=True).update(deleted_at=moment,
                                                                            deleted_by_id=actor.user_id)
        await recording.write(recording.entry(kind, record_id, org_id=actor.org_id, by_id=actor.user_id,
                                              happened=Happened.DELETED, at=moment) for record_id in ids)
    return ids


# ---------------------------------------------------------------- lists

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
SORTS = {
    'name': ('sort_name', 'id'),
    'updated': ('updated_at', 'id'),
    'type': ('type', 'sort_name', 'id'),
    'company': ('company_sort', 'sort_name', 'id'),
    'sector': ('sector', 'sort_name', 'id'),
    'relevance': (search.RANK, 'sort_name', 'id'),  # best search hits first, see search.ranked
}
FILTERS = {CONTACT.name: ('type', 'role', 'company_id'), COMPANY.name: ('type', 'sector')}


@dataclass
class Page:
    items: list[Record]
    total: int
    total_exact: bool = True  # False: `total` is counts.BOUND and there are more (a search or a filter)
    next_cursor: str | None = None  # the page after this one, through keyset.py (None: this is the last page)
    previous_cursor: str | None = None  # the page before (None: this is the first page)


def filtered(kind: Kind, actor: Membership, *, q: str = '', companies: list[int] | None = None, walk: bool = False,
             first_hits: int | None = None, **filters: object):
    """The visible records matching the search and the filters, as one database query.

    `company_id` filters by a company the caller may see: a hidden company's id matches nothing, exactly like an
    id that does not exist (an empty list, not its public contacts), so the filter is no way to learn who works
    for a private company nor whether it exists.

    A contact also matches the search through its company's name or VAT number, when the caller may see that
    company ("Acme" finds the people of Acme S.p.A.; a hidden company finds nobody). `companies`: those companies'
    ids, when the caller looked them up already (`companies_matching`). `walk`: the search checked row by row
    as rows are read in name order, not through the search index (same rows; see relevance.py). `first_hits`:
    only among the search index's first hits (SQLite; see `_search_total`)."""
    queryset = access.visible(kind, actor)
    condition = search.matches(kind.model, q, walk=walk, first_hits=first_hits)
    if condition is not None and kind is CONTACT and search.finds_anywhere(q):
        if companies is None:
            condition |= Q(company_id__in=Subquery(
                access.visible(COMPANY, actor).filter(search.matches(COMPANY.model, q)).values('id')))
        elif companies:
            condition |= Q(company_id__in=companies)
    if condition is not None:
        queryset = queryset.filter(condition)
    for name, value in filters.items():
        if name not in FILTERS[kind.name]:
            raise ValidationFailed.one(name, _('is not a filter of contact lists') if kind is CONTACT
                                       else _('is not a filter of company lists'))
        if value in (None, ''):
            continue
        if name == 'company_id' and not access.is_id(value):
            queryset = queryset.filter(id__in=[])  # no company has that id: nothing matches
        elif name == 'company_id':
            seen = access.visible(COMPANY, actor).filter(id=value).values('id')
            queryset = queryset.filter(company_id__in=Subquery(seen))
        else:
            queryset = queryset.filter(**{name: value})
    return queryset


def _sorted(kind: Kind, actor: Membership, queryset, sort: str, descending: bool, q: str = ''):
    """The queryset in the list's order, and that order (columns, '-' before a descending one; the id last)."""
    if sort not in SORTS or (sort == 'company' and kind is not CONTACT) or (sort == 'sector' and kind is not COMPANY):
        raise ValidationFailed.one('sort', _('cannot sort contact lists by {sort!r}', sort=sort) if kind is CONTACT
                                   else _('cannot sort company lists by {sort!r}', sort=sort))
    if sort == 'relevance':
        return search.ranked(queryset, q, descending)
    first: tuple[str, ...] = ()
    if sort == 'company':
        # the company's name only where the caller may see that company, so order reveals nothing hidden
        queryset = queryset.filter(Q(company_id__isnull=True) | Q(company__id__gte=0))  # joins the company
        seen = access.shown_q(COMPANY, actor, prefix='company__')
        queryset = queryset.annotate(company_sort=Case(When(seen, then=F('company__sort_name')), default=''))
        # contacts without a (visible) company last, whichever the direction: '0'/'1' as text, typed alike on
        # SQLite and PostgreSQL, and no NULL whose place the two databases disagree on
        queryset = queryset.annotate(company_blank=Case(When(seen, then='0'), default='1'))
        first = ('company_blank',)
    return search.ordered(queryset, q, SORTS[sort], descending, first=first)


MAX_LISTED_COMPANIES = 2000


async def companies_matching(kind: Kind, actor: Membership, q: str) -> list[int] | None:
    """For a contact search that also finds contacts by their company: the ids of the visible companies matching
    it, when there are at most MAX_LISTED_COMPANIES (else None). ORed in as a list, PostgreSQL serves them with the
    (org_id, company_id) index beside the trigram index; ORed in as a subquery it reads the whole table."""
    if kind is not CONTACT or not search.finds_anywhere(q):
        return None
    ids = await access.visible(COMPANY, actor).filter(search.matches(COMPANY.model, q)) \
        .limit(MAX_LISTED_COMPANIES + 1).values_list('id', flat=True)
    return list(ids) if len(ids) <= MAX_LISTED_COMPANIES else None


@dataclass
class Matching:
    """The visible records matching a list's search and filters (`queryset`), and how to read them again."""
    kind: Kind
    actor: Membership
    q: str
    filters: dict[str, object]
    companies: list[int] | None
    queryset: object
    hits: search.HitCounter  # the search index's hits, counted once for the page and its total

    def walking(self):
        """The same records, the search checked row by row (relevance.py)."""
        return filtered(self.kind, self.actor, q=self.q, companies=self.companies, walk=True, **self.filters)

    def plain(self):
        """The visible records with the filters, no search."""
        return filtered(self.kind, self.actor, **self.filters)


async def _matching(kind: Kind, actor: Membership, q: str, filters: dict[str, object]) -> Matching:
    require(actor.role, Action.SEE_RECORDS)
    companies = await companies_matching(kind, actor, q)
    return Matching(kind, actor, q, filters, companies, filtered(kind, actor, q=q, companies=companies, **filters),
                    search.HitCounter(kind.model, at_least=FIRST_HITS + 1))


async def _ranked_by_tiers(matching: Matching, descending: bool, need: int, after: tuple | None,
                           **tuning: int) -> list | None:
    """Up to `need` rows by relevance read tier by tier (relevance.py), or None when one query reads them best.
    `tuning`: relevance.ranked_rows' window and sparse, for tests."""
    return await relevance.ranked_rows(
        matching.kind.model, matching.q, org_id=matching.actor.org_id, plain=matching.plain,
        matching=matching.queryset, walking=matching.walking, population=lambda: counts.public_total(
            matching.kind, matching.actor), hits=matching.hits, need=need, descending=descending, after=after, **tuning)


async def _rows(matching: Matching, sort: str, descending: bool, limit: int, offset: int,
                cursor: str | None = None, last: bool = False) -> Page:
    """One page, by offset, after (before) a cursor's row, or the last `limit` rows (`last`); the page's cursors to
    its neighbours, no total."""
    kind, q = matching.kind, matching.q
    queryset, order = _sorted(kind, matching.actor, matching.queryset, sort, descending, q)
    place = None if cursor is None else keyset.read(cursor, sort, descending, order, kind.model)
    relevant = sort == 'relevance' and bool(search.terms(q))
    if last:  # the list's end, read backwards through the index that serves the order, then turned around
        tiered = await _ranked_by_tiers(matching, not descending, limit, None) if relevant else None
        items = (tiered if tiered is not None
                 else await queryset.order_by(*keyset.reversed_order(order)).limit(limit))[::-1]
        return Page(items, 0, previous_cursor=keyset.make(sort, descending, order, items[0], backwards=True)
                    if len(items) == limit else None)
    tiered = None
    if relevant:
        backwards = place is not None and place.backwards
        tiered = await _ranked_by_tiers(matching, descending != backwards, limit + (offset if place is None else 0),
                                        None if place is None else (int(place.values[0]), *place.values[1:]))
    if tiered is not None:
        items = tiered[offset:] if place is None else tiered[::-1] if place.backwards else tiered
    elif place is None:
        items = await queryset.offset(offset).limit(limit)
    elif place.backwards:
        items = (await queryset.filter(keyset.beyond(order, place)).order_by(*keyset.reversed_order(order))
                 .limit(limit))[::-1]
    else:
        items = await queryset.filter(keyset.beyond(order, place)).limit(limit)
    full = len(items) == limit
    more_after = full if place is None or not place.backwards else bool(items)
    more_before = bool(items) and (offset > 0 if place is None else not place.backwards or full)
    return Page(items, 0,
                next_cursor=keyset.make(sort, descending, order, items[-1]) if more_after else None,
                previous_cursor=keyset.make(sort, descending, order, items[0], backwards=True) if more_before
                else None)


async def _total(matching: Matching) -> counts.Total:
    if search.terms(matching.q):
        return await _search_total(matching)
    if any(value not in (None, '') for value in matching.filters.values()):
        return await counts.bounded_total(matching.queryset)
    return counts.Total(await counts.visible_total(matching.kind, matching.actor))


FIRST_HITS = int((counts.BOUND + 1) * 1.25)  # enough for BOUND + 1 visible ones where most records are public


async def _search_total(matching: Matching) -> counts.Total:
    """A search's total, exact up to counts.BOUND. SQLite's search index hands over all its hits before the first
    is counted (100,000 for a term in every record), so where it holds more than FIRST_HITS the visible ones are
    counted among its first FIRST_HITS first: BOUND + 1 of them is "BOUND or more" whatever the rest holds; fewer,
    and the count is made over all of them."""
    phrases = search.phrases(matching.q)
    if phrases and db.dialect() == 'sqlite' and await matching.hits(phrases, FIRST_HITS + 1) > FIRST_HITS:
        first = filtered(matching.kind, matching.actor, q=matching.q, companies=matching.companies,
                         first_hits=FIRST_HITS, **matching.filters)
        total = await counts.bounded_total(first)
        if not total.exact:
            return total
    return await counts.bounded_total(matching.queryset)


async def list_page(kind: Kind, actor: Membership, *, q: str = '', sort: str = 'name', descending: bool = False,
                    limit: int = PAGE_SIZE, offset: int = 0, **filters: object) -> list[Record]:
    """One page of the visible records, without their total (a page draws these first, see `count_records`)."""
    return (await list_rows(kind, actor, q=q, sort=sort, descending=descending, limit=limit, offset=offset,
                            **filters)).items


async def list_rows(kind: Kind, actor: Membership, *, q: str = '', sort: str = 'name', descending: bool = False,
                    limit: int = PAGE_SIZE, offset: int = 0, cursor: str | None = None, last: bool = False,
                    **filters: object) -> Page:
    """One page of the visible records and the cursors of its neighbours, without their total (a page draws these
    first, see `count_records`): by offset, after (or before) a cursor's row (keyset.py), or `last`: the list's
    last `limit` rows, read from its end (a "last page" that costs what the first does, with no offset)."""
    require(actor.role, Action.SEE_RECORDS)
    limit, offset = page_bounds(limit, offset, max_limit=MAX_PAGE_SIZE)
    if (cursor is not None or last) and offset:
        raise ValidationFailed.one('offset', _('cannot be given with a cursor'))
    return await _rows(await _matching(kind, actor, q, filters), sort, descending, limit, offset, cursor, last=last)


async def count_records(kind: Kind, actor: Membership, *, q: str = '', **filters: object) -> counts.Total:
    """How many visible records match: exact without a search or filter (the kept counts), else exact up to
    counts.BOUND."""
    return await _total(await _matching(kind, actor, q, filters))


def known_total(items: list, limit: int, offset: int) -> counts.Total | None:
    """The total a page itself tells, with no count: a page with rows that is not full is the last one."""
    last = (items and len(items) < limit) or (not items and not offset)
    return counts.Total(offset + len(items)) if last else None


async def list_records(kind: Kind, actor: Membership, *, q: str = '', sort: str = 'name', descending: bool = False,
                       limit: int = PAGE_SIZE, offset: int = 0, cursor: str | None = None,
                       **filters: object) -> Page:
    """One page of the visible records and their total (see `count_records`; a last page reached by offset is its
    own count). `cursor`: the page after (or before) a row instead of an offset, see keyset.py; the page answers
    the cursors of its neighbours."""
    require(actor.role, Action.SEE_RECORDS)
    limit, offset = page_bounds(limit, offset, max_limit=MAX_PAGE_SIZE)
    if cursor is not None and offset:
        raise ValidationFailed.one('offset', _('cannot be given with a cursor'))
    matching = await _matching(kind, actor, q, filters)
    page = await _rows(matching, sort, descending, limit, offset, cursor)
    total = (known_total(page.items, limit, offset) if cursor is None else None) or await _total(matching)
    page.total, page.total_exact = total.value, total.exact
    return page


async def visible_companies_by_id(actor: Membership, ids) -> dict[int, Company]:
    """The companies among `ids` the caller may see (one query), to show a contact's company or nothing."""
    return await by_id(access.visible(COMPANY, actor), ids)


async def company_choices(actor: Membership, q: str, *, limit: int) -> list[tuple[int, str]]:
    """For a company picker: the first visible companies matching the search, in the order of a list by name, as
    (id, name) pairs; none are counted. A caller who may not see companies gets none."""
    queryset, _order = _sorted(COMPANY, actor, filtered(COMPANY, actor, q=q), 'name', False, q)
    return [(company.id, company.name) for company in await queryset.limit(limit)]


async def company_contacts(actor: Membership, company_id: object, *, limit: int = PAGE_SIZE,
                           offset: int = 0) -> Page:
    """The contacts of a company the caller may see, those the caller may see."""
    company = await get_record(COMPANY, actor, company_id)
    return await list_records(CONTACT, actor, company_id=company.id, limit=limit, offset=offset)


# ---------------------------------------------------------------- the global search: both kinds at once

@dataclass
class Results:
    contacts: Page
    companies: Page


async def find(actor: Membership | None, query: str, *, limit: int = 5, offset: int = 0) -> Results:
    """The contacts and companies the caller may see matching the query, best first, with their totals.
    An empty query finds nothing (a guest is refused, as for lists)."""
    require(actor.role if actor else None, Action.SEE_RECORDS)
    if not search.terms(query):
        page_bounds(limit, offset, max_limit=MAX_PAGE_SIZE)
        return Results(Page([], 0), Page([], 0))
    pages = [await list_records(kind, actor, q=query, sort='relevance', limit=limit, offset=offset)
             for kind in (CONTACT, COMPANY)]
    return Results(*pages)
