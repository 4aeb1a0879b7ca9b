"""Kiosk links: a read-only directory of one organization's public contacts and companies, for a wall screen
or an intranet page, opened without a user login.

An owner creates a link in Settings: a long random token bound to the organization, shown once and stored as
its digest (like API tokens), with the idle time after which the screen goes back to its start and the
origins allowed to frame it. Revoking deletes the link, so its token no longer opens anything. Which records
a link shows is decided once, by `access.kiosk_visible`: the organization's public records. Which of their
fields it shows is the link's own choice (`shown_fields`, among KIOSK_FIELDS; the name always), set when it is
created and changed later; the screen shows, and its search finds by, those fields only: a hidden email cannot
be found by typing it. Never the description, the VAT number or an attachment.

"Work" email and phone: records keep up to three emails and phones without a label, and the form's first slot is
the main one, so the work email is the first email and the work phone the first phone; "every email" and "every
phone" show all of them.
"""
from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone

from tortoise import connections
from tortoise.expressions import Q, RawSQL

from .. import access
from ..access import Action, require
from ..accounts.service import digest
from ..db import note_use
from ..errors import NotFound, ValidationFailed
from ..i18n import LANGUAGES, N_, _, ngettext
from ..pages import by_id, is_whole_number, page_bounds
from ..records import search
from ..records.tables import COMPANY, CONTACT, KINDS, Kind, Listed
from ..text import digits, fold
from ..validation import FieldErrors, clean_text
from .tables import DEFAULT_FIELDS, IDLE_DEFAULT, KioskLink

TOKEN_PREFIX = 'kiosk_'
TOKEN_MAX = 128
IDLE_MIN = 5
IDLE_MAX = 3600
ORIGINS_MAX = 10
PAGE_SIZE = 24
MAX_PAGE_SIZE = 100
COMPANY_CONTACTS_SHOWN = 50

# What a link may show besides the name, in the order the settings offer them (described in English here:
# kiosk_field_descriptions gives them in the reader's language).
KIOSK_FIELDS = {
    'company': N_("a contact's company (and a company's people)"),
    'role': N_("a contact's role"),
    'sector': N_("a company's sector"),
    'type': N_('the type (Client, Lead…)'),
    'work_email': N_('the work email (the first one)'),
    'emails': N_('every email'),
    'work_phone': N_('the work phone (the first one)'),
    'phones': N_('every phone'),
    'pec': N_('the PEC'),
    'addresses': N_('the addresses'),
}


def kiosk_field_descriptions() -> dict[str, str]:
    return {name: _(description) for name, description in KIOSK_FIELDS.items()}

_HOST_LABEL = r'[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
_ORIGIN = re.compile(rf'^(?P<scheme>https?)://(?P<host>{_HOST_LABEL}(?:\.{_HOST_LABEL})*|\[[0-9a-f:.]+\])'
                     r'(?::(?P<port>\d{1,5}))?$')


def now() -> datetime:
    return datetime.now(timezone.utc)


# ---------------------------------------------------------------- validation

def frame_origin(field_name: str, value: object) -> str:
    """An origin a page may be framed by: scheme://host[:port], http or https, nothing else (no path, no
    wildcard, no quotes), in lower case. It goes into a Content-Security-Policy header as it is."""
    text = clean_text(field_name, value, required=True, max_length=300).lower()
    if text.endswith('/') and text.count('/') == 3:
        text = text[:-1]  # "https://intranet.example.com/" is still just the origin
    match = _ORIGIN.match(text)
    origin = match is not None
    if match and match['host'].startswith('['):
        try:
            origin = ipaddress.ip_address(match['host'][1:-1]).version == 6
        except ValueError:
            origin = False
    if not origin:
        raise ValidationFailed.one(field_name, _('{value!r} is not an origin: write scheme://host[:port], e.g. '
                                                 'https://intranet.example.com', value=text[:80]))
    if match['port'] is not None and not 1 <= int(match['port']) <= 65535:
        raise ValidationFailed.one(field_name, _('{value!r} has a port outside 1-65535: write scheme://host[:port], '
                                                 'e.g. https://intranet.example.com', value=text[:80]))
    return text


def frame_origin_list(field_name: str, value: object) -> list[str]:
    """Origins given as a list, or as text separated by spaces, commas or new lines; duplicates dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r'[\s,]+', value) if part]
    if not isinstance(value, list):
        raise ValidationFailed.one(field_name, _('must be a list of origins'))
    if len(value) > ORIGINS_MAX:
        raise ValidationFailed.one(field_name, ngettext('may hold at most {count} origin',
                                                        'may hold at most {count} origins', ORIGINS_MAX))
    checks = FieldErrors()
    origins: list[str] = []
    for i, item in enumerate(value):
        origin = checks.check(frame_origin, f'{field_name}[{i}]', item)
        if origin is not None and origin not in origins:
            origins.append(origin)
    checks.raise_if_any()
    return origins


def idle_seconds(field_name: str, value: object) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not is_whole_number(value) or not IDLE_MIN <= value <= IDLE_MAX:
        raise ValidationFailed.one(field_name, _('must be a whole number of seconds between {low} and {high}',
                                                 low=IDLE_MIN, high=IDLE_MAX))
    return value


def shown_field_list(field_name: str, value: object) -> list[str]:
    """The fields a link shows: names of KIOSK_FIELDS, in their order; None is the default choice."""
    if value is None:
        return list(DEFAULT_FIELDS)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed.one(field_name, _('must be a list of field names'))
    unknown = [v for v in value if v not in KIOSK_FIELDS]
    if unknown:
        raise ValidationFailed.one(field_name, _('{value!r} is not a field a kiosk shows; choose among {fields}',
                                                 value=unknown[0][:40], fields=', '.join(KIOSK_FIELDS)))
    return [name for name in KIOSK_FIELDS if name in value]


def link_language(field_name: str, value: object) -> str:
    """The language a link's screen speaks: one of LANGUAGES, or '' (None too) for the browser's."""
    if value is None or value == '':
        return ''
    if not isinstance(value, str) or value not in LANGUAGES:
        raise ValidationFailed.one(field_name, _("must be one of {languages}, or empty for the browser's language",
                                                 languages=', '.join(LANGUAGES)))
    return value


# ---------------------------------------------------------------- managing links (owners)

async def create_kiosk_link(*, actor, name: object, idle: object = IDLE_DEFAULT,
                            frame_origins: object = None, shown_fields: object = None,
                            language: object = '') -> tuple[KioskLink, str]:
    """A new link for the caller's organization; the raw token is returned once and never stored.
    `shown_fields`: what its screen shows besides the name (None: DEFAULT_FIELDS); `language`: what it speaks."""
    require(actor.role, Action.MANAGE_KIOSK)
    checks = FieldErrors()
    label = checks.check(clean_text, 'name', name, required=True)
    idle_value = checks.check(idle_seconds, 'idle_seconds', idle)
    origins = checks.check(frame_origin_list, 'frame_origins', frame_origins)
    shown = checks.check(shown_field_list, 'shown_fields', shown_fields)
    spoken = checks.check(link_language, 'language', language)
    checks.raise_if_any()
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    link = await KioskLink.create(org_id=actor.org_id, name=label, token_hash=digest(raw),
                                  hint=raw[:len(TOKEN_PREFIX) + 4], idle_seconds=idle_value,
                                  frame_origins=origins, shown_fields=shown, language=spoken,
                                  created_by_id=actor.user_id)
    return link, raw


async def set_kiosk_fields(*, actor, link_id: object, shown_fields: object) -> KioskLink:
    """Change what a link shows; screens already open show it from their next search or card."""
    return await change_kiosk_link(actor=actor, link_id=link_id,
                                   shown_fields=list(DEFAULT_FIELDS) if shown_fields is None else shown_fields)


async def change_kiosk_link(*, actor, link_id: object, shown_fields: object = None,
                            language: object = None) -> KioskLink:
    """Change what a link shows and the language it speaks (None: as it is). Screens already open show the fields
    from their next search or card, and speak the language once reloaded."""
    require(actor.role, Action.MANAGE_KIOSK)
    checks = FieldErrors()
    changes = {}
    if shown_fields is not None:
        changes['shown_fields'] = checks.check(shown_field_list, 'shown_fields', shown_fields)
    if language is not None:
        changes['language'] = checks.check(link_language, 'language', language)
    checks.raise_if_any()
    link = await KioskLink.get_or_none(id=link_id, org_id=actor.org_id) if access.is_id(link_id) else None
    if link is None:
        raise NotFound('kiosk link')
    if changes:
        link.update_from_dict(changes)
        await link.save(update_fields=list(changes))
    return link


async def list_kiosk_links(actor) -> list[KioskLink]:
    require(actor.role, Action.MANAGE_KIOSK)
    return await KioskLink.filter(org_id=actor.org_id).order_by('-created_at', '-id')


async def revoke_kiosk_link(*, actor, link_id: object) -> None:
    """The link stops working at once, on screens already open too."""
    require(actor.role, Action.MANAGE_KIOSK)
    if not access.is_id(link_id) or not await KioskLink.filter(id=link_id, org_id=actor.org_id).delete():
        raise NotFound('kiosk link')


async def link_for_token(raw: object) -> KioskLink:
    """The live link this token opens, with its organization; an unknown or revoked token does not exist."""
    if not isinstance(raw, str) or not raw.startswith(TOKEN_PREFIX) or len(raw) > TOKEN_MAX:
        raise NotFound('kiosk link')
    link = await KioskLink.get_or_none(token_hash=digest(raw)).select_related('org')
    if link is None:
        raise NotFound('kiosk link')
    await note_use(link, now())
    return link


# ---------------------------------------------------------------- the directory a link shows

@dataclass(frozen=True)
class Entry(Listed):
    """What a kiosk shows of a record: directory fields only."""
    role: str = ''  # contacts
    sector: str = ''  # companies
    company_id: int | None = None  # contacts: set only when that company is public too
    company_name: str = ''
    emails: tuple[str, ...] = ()
    pec: str = ''
    phones: tuple[str, ...] = ()
    addresses: tuple[dict, ...] = ()


@dataclass
class Results:
    entries: list[Entry]
    total: int


@dataclass
class Card:
    entry: Entry
    contacts: list[Entry] = field(default_factory=list)  # a company's public contacts
    contacts_total: int = 0


def _entry(kind_name: str, record, shown: list[str], companies: dict | None = None) -> Entry:
    """What a screen shows of a record: its name and the link's chosen fields, nothing else."""
    emails = tuple(record.emails) if 'emails' in shown else tuple(record.emails[:1]) if 'work_email' in shown else ()
    phones = tuple(record.phones) if 'phones' in shown else tuple(record.phones[:1]) if 'work_phone' in shown else ()
    common = dict(kind=kind_name, id=record.id, name=record.display_name,
                  type=record.type if 'type' in shown else '', emails=emails,
                  pec=record.pec if 'pec' in shown else '', phones=phones,
                  addresses=tuple(record.addresses) if 'addresses' in shown else ())
    if kind_name == 'contact':
        company = (companies or {}).get(record.company_id) if 'company' in shown else None
        return Entry(**common, role=record.role if 'role' in shown else '',
                     company_id=company.id if company else None, company_name=company.name if company else '')
    return Entry(**common, sector=record.sector if 'sector' in shown else '')


async def _public_companies_by_id(link: KioskLink, ids) -> dict:
    return await by_id(access.kiosk_visible(COMPANY, link), ids)


async def _still_live(link: KioskLink) -> list[str]:
    """The fields the link shows now (an owner may have changed them while a screen is open); a revoked link is
    NotFound."""
    found = await KioskLink.filter(id=link.id).values_list('shown_fields', flat=True) if link is not None else []
    if not found:
        raise NotFound('kiosk link')
    return shown_field_list('shown_fields', found[0])


def _json_text(kind: Kind, column: str, first_only: bool) -> RawSQL:
    """A JSON list column as text to search in: its first item, or all of it. Only constant SQL goes in here
    (a column name of ours); the searched term is a parameter of the filter."""
    table = kind.model._meta.db_table
    sqlite = connections.get(kind.model._meta.default_connection or 'default').capabilities.dialect == 'sqlite'
    if first_only:
        return RawSQL(f"json_extract(\"{table}\".\"{column}\", '$[0]')" if sqlite else f'("{table}"."{column}" ->> 0)')
    return RawSQL(f'"{table}"."{column}"' if sqlite else f'("{table}"."{column}")::text')


def _matching(queryset, kind: Kind, shown: list[str], q: str):
    """Narrow a kiosk queryset to the records where each word of the query is found in the name or in a field the
    link shows, and nowhere else (a hidden email, phone or VAT number finds nothing)."""
    found = search.terms(q)
    if not found:
        return queryset
    annotations = {}
    for column, first, every in (('emails', 'work_email', 'emails'), ('phones', 'work_phone', 'phones')):
        if every in shown or first in shown:
            annotations[f'kiosk_{column}'] = _json_text(kind, column, every not in shown)
    if annotations:
        queryset = queryset.annotate(**annotations)
    for term in found:
        words = fold(term)
        rule = Q(sort_name__contains=words)
        if kind is CONTACT and 'company' in shown:
            rule |= Q(company__sort_name__contains=words, company__visibility='public')
        for name in ('role', 'type', 'sector', 'pec'):
            if name in shown and (name != 'role' or kind is CONTACT) and (name != 'sector' or kind is COMPANY):
                rule |= Q(**{f'{name}__icontains': term})
        if 'kiosk_emails' in annotations:
            rule |= Q(kiosk_emails__icontains=term)
        if 'kiosk_phones' in annotations and len(digits(term)) >= search.MIN_PHONE_DIGITS:
            rule |= Q(kiosk_phones__contains=digits(term))
        queryset = queryset.filter(rule)
    return queryset


async def search_directory(link: KioskLink, kind_name: str, *, q: str = '', limit: int = PAGE_SIZE,
                           offset: int = 0) -> Results:
    """One page of the link's public contacts or companies matching the search in the fields the link shows, by
    name, and their total."""
    if kind_name not in KINDS:
        raise ValidationFailed.one('kind', _('must be contact or company'))
    limit, offset = page_bounds(limit, offset, max_limit=MAX_PAGE_SIZE)
    shown = await _still_live(link)
    kind = KINDS[kind_name]
    queryset = _matching(access.kiosk_visible(kind, link), kind, shown, q)
    total = await queryset.count()
    records = await queryset.order_by('sort_name', 'id').offset(offset).limit(limit)
    companies = await _public_companies_by_id(link, [r.company_id for r in records]) \
        if kind_name == 'contact' and 'company' in shown else {}
    return Results([_entry(kind_name, r, shown, companies) for r in records], total)


async def directory_card(link: KioskLink, kind_name: str, record_id: object) -> Card:
    """A public record of the link's organization; a company comes with its public contacts when the link shows
    companies."""
    if kind_name not in KINDS or not access.is_id(record_id):
        raise NotFound('record')
    shown = await _still_live(link)
    record = await access.kiosk_visible(KINDS[kind_name], link).filter(id=record_id).first()
    if record is None:
        raise NotFound(kind_name)
    if kind_name == 'contact':
        companies = await _public_companies_by_id(link, [record.company_id]) if 'company' in shown else {}
        return Card(_entry('contact', record, shown, companies))
    entry = _entry('company', record, shown)
    if 'company' not in shown:
        return Card(entry)
    contacts = access.kiosk_visible(CONTACT, link).filter(company_id=record.id)
    total = await contacts.count()
    shown_contacts = await contacts.order_by('sort_name', 'id').limit(COMPANY_CONTACTS_SHOWN)
    return Card(entry, [_entry('contact', c, shown, {record.id: record}) for c in shown_contacts], total)
