"""Mapping each row read from a file to the fields of a record, checked with the app's own validators
(records.clean_fields, the organization's country as phone region and its option lists), in the workers."""
from __future__ import annotations

import asyncio
import functools
from collections import deque
from dataclasses import dataclass, field
from types import SimpleNamespace

from .. import i18n
from ..i18n import N_, _, ngettext
from ..labels import field_label
from ..mentions import mentioned_user_ids, plain_text
from ..orgs.service import DEFAULT_OPTIONS
from ..orgs.tables import Membership
from ..records.service import clean_fields, derive_columns
from ..records.tables import CONTACT, KINDS, Kind
from ..text import digits, fold
from ..errors import ValidationFailed
from ..validation import (MAX_ADDRESSES, MAX_EMAILS, MAX_PHONES, FieldErrors, clean_text, matching_option,
                          normalize_email, vat_number)
from .formats import Incoming, MappedCsv, column_of, country_code_for
from .progress import CHUNK, Progress, tell
from .reading import Rows, part
from .workers import WORKERS, off_loop


@functools.cache
def _default_words() -> dict[str, frozenset[str]]:
    """Each spelling (folded) of a word of the default option lists, in any language -> its spellings in all."""
    words: dict[str, set[str]] = {}
    for names in DEFAULT_OPTIONS.values():
        for name in names:
            spelled = i18n.spellings(name)
            for spelling in spelled:
                words.setdefault(fold(spelling), set()).update(spelled)
    return {key: frozenset(spelled) for key, spelled in words.items()}


def option_named(value: str, allowed: list[str]) -> str | None:
    """The list value a file's value names (validation.matching_option: case and accents aside) — and, for the
    words of the default lists, in any of Rubrica's languages: 'Fornitore' or 'Fournisseur' in a file finds
    'Supplier' in a list made in English, 'Client' finds 'Cliente' in one made in Italian."""
    known = matching_option(value, allowed)
    for spelling in sorted(_default_words().get(fold(value), ())) if known is None else ():
        if (known := matching_option(spelling, allowed)) is not None:
            break
    return known


@dataclass
class Prepared:
    incoming: Incoming
    values: dict[str, object]
    company_name: str = ''
    company_vat: str = ''  # the VAT number of the contact's company, as the file gives it
    notes: list[str] = field(default_factory=list)
    mentions: list[int] = field(default_factory=list)
    derived: dict[str, str] = field(default_factory=dict)  # a new record's sort_name and search_text


    @property
    def keys(self) -> list[tuple[str, str]]:
        found = [('email', e.lower()) for e in self.values.get('emails', [])]
        if self.values.get('vat_number'):
            found.append(('vat', self.values['vat_number']))
        return found


# a value that is not in the organization's list, by field
_NOT_IN_LIST = {
    'type': N_('Type "{value}" is not in the organization\'s list of types: left empty'),
    'role': N_('Role "{value}" is not in the organization\'s list of roles: left empty'),
    'sector': N_('Sector "{value}" is not in the organization\'s list of sectors: left empty'),
}
_VISIBILITY_WORDS = {'public': 'public', 'pubblico': 'public', 'publique': 'public',
                     'private': 'private', 'privato': 'private', 'prive': 'private', 'privee': 'private'}


def _distinct(values: list[str], origins: list[str], key, limit: int, what: str,
              notes: list[str]) -> tuple[list[str], list[str]]:
    """The distinct values, up to the limit, and the column each came from."""
    kept: list[str] = []
    kept_origins: list[str] = []
    seen: set[str] = set()
    for n, value in enumerate(values):
        value = value.strip()
        if value and key(value) not in seen:
            seen.add(key(value))
            kept.append(value)
            kept_origins.append(origins[n] if n < len(origins) else '')
    if len(kept) > limit:
        left_out = ', '.join(kept[limit:])
        notes.append(ngettext('only the first {count} email was kept (left out: {values})',
                              'only the first {count} emails were kept (left out: {values})', limit, values=left_out)
                     if what == 'emails' else
                     ngettext('only the first {count} phone was kept (left out: {values})',
                              'only the first {count} phones were kept (left out: {values})', limit, values=left_out))
    return kept[:limit], kept_origins[:limit]


class Preparer:
    """Turns Incoming rows into cleaned field values with the organization's rules (no database access)."""

    def __init__(self, kind: Kind, region: str, lists: dict[str, list[str]], people: set[int]) -> None:
        self.kind, self.region, self.lists, self.people = kind, region, lists, people

    def prepare(self, incoming: Incoming) -> Prepared | str:
        """The cleaned values, or why the row is skipped (naming each field that is wrong)."""
        if incoming.problem:
            return incoming.problem
        source = incoming.values
        notes: list[str] = []
        data: dict[str, object] = {}
        if self.kind is CONTACT:
            first, last = source.get('first_name', ''), source.get('last_name', '')
            if not first and not last and source.get('full_name'):
                first, _space, last = source['full_name'].strip().rpartition(' ')
            data['first_name'], data['last_name'] = first, last
        else:
            data['name'] = source.get('name', '') or source.get('full_name', '')
        for name, list_kind in self.kind.options.items():  # onto the organization's own lists, never added to
            value = source.get(name, '').strip()
            if not value:
                continue
            known = option_named(value, self.lists.get(list_kind, []))
            if known is None:
                notes.append(_(_NOT_IN_LIST[name], value=value))
            else:
                data[name] = known
        if source.get('description'):
            data['description'] = plain_text(source['description'], keep=self.people)
        for name in ('pec', 'sdi_code', 'registration_number'):
            if source.get(name):
                data[name] = source[name]
        vat = source.get('vat_number') or source.get('tax_code') or ''
        if vat:
            data['vat_number'] = vat
        if source.get('visibility'):
            word = _VISIBILITY_WORDS.get(fold(source['visibility']))
            if word:
                data['visibility'] = word
            else:
                notes.append(_('visibility {value!r} is neither public nor private: left public',
                               value=source['visibility']))
        data['emails'], email_columns = _distinct(incoming.emails, incoming.email_columns, str.lower, MAX_EMAILS,
                                                  'emails', notes)
        good, good_columns, bad = _valid_emails(data['emails'], email_columns)
        if bad and (good or vat):  # the row keeps a key to be matched by: drop the bad address, say so
            data['emails'], email_columns = good, good_columns
            notes += [_('Email "{value}" (column "{column}") left out: {problem}', value=value, column=column,
                        problem=message) if column else _('Email "{value}" left out: {problem}', value=value,
                                                          problem=message)
                      for value, column, message in bad]
        data['phones'], phone_columns = _distinct(incoming.phones, incoming.phone_columns,
                                                  lambda p: digits(p) or p, MAX_PHONES, 'phones', notes)
        addresses = [{**a, 'country': country_code_for(a['country']) if a.get('country') else ''}
                     for a in incoming.addresses if any(v.strip() for v in a.values())]
        if len(addresses) > MAX_ADDRESSES:
            notes.append(ngettext('only the first {count} address was kept',
                                  'only the first {count} addresses were kept', MAX_ADDRESSES))
        data['addresses'] = addresses[:MAX_ADDRESSES]
        checks = FieldErrors()
        cleaned = clean_fields(self.kind, data, region=self.region, lists=self.lists, existing=None, checks=checks)
        company = company_vat = ''
        if self.kind is CONTACT and source.get('company'):
            company = checks.check(_company_name, 'company', source['company']) or ''
        if self.kind is CONTACT and source.get('company_vat'):
            company_vat = _company_vat(source['company_vat'], company, self.region, notes)
        if checks.errors:
            def where(name: str) -> str:
                column = column_of(incoming, name, email_columns, phone_columns)
                return _('{field} (column "{column}")', field=field_label(name), column=column) if column \
                    else field_label(name)
            return '; '.join(_('{field}: {problem}', field=where(name), problem=message)
                             for name, message in checks.errors.items())
        values = cleaned.values
        return Prepared(incoming, values, company, company_vat, notes,
                        mentioned_user_ids(values.get('description', '')), _derived(self.kind, values))


_UNSET = {'first_name': '', 'last_name': '', 'name': '', 'emails': [], 'phones': [], 'pec': '', 'vat_number': ''}


def _derived(kind: Kind, values: dict[str, object]) -> dict[str, str]:
    """The derived columns a record created with these values gets (records.derive_columns), computed here in the
    worker: its search text formats every phone number, the costliest part of writing a row."""
    record = SimpleNamespace(**{**_UNSET, **values})
    derive_columns(kind, record)
    return {'sort_name': record.sort_name, 'search_text': record.search_text}


def _valid_emails(values: list[str], columns: list[str]) -> tuple[list[str], list[str], list[tuple[str, str, str]]]:
    """The valid addresses and their columns, and each invalid one with its column and what is wrong with it."""
    good: list[str] = []
    good_columns: list[str] = []
    bad: list[tuple[str, str, str]] = []
    for n, value in enumerate(values):
        column = columns[n] if n < len(columns) else ''
        try:
            normalize_email('email', value)
        except ValidationFailed as e:
            bad.append((value, column, e.errors['email']))
            continue
        good.append(value)
        good_columns.append(column)
    return good, good_columns, bad


def _company_name(field_name: str, value: str) -> str:
    return clean_text(field_name, value)


def _company_vat(value: str, company: str, region: str, notes: list[str]) -> str:
    """The company's VAT number (read in the organization's country), or '' with a note saying why it was left out
    (the contact is imported anyway)."""
    try:
        vat = vat_number('company_vat', value, country=region)
    except ValidationFailed as e:
        notes.append(_('Company VAT number left out: {problem}', problem=e.errors['company_vat']))
        return ''
    if vat and not company:
        notes.append(_('Company VAT number {value} left out: the row names no company', value=vat))
        return ''
    return vat


def _prepare_part(kind: str, region: str, lists: dict[str, list[str]], people: set[int],
                  rows: Rows) -> list[Prepared | tuple[Incoming, str]]:
    """In a worker: each row's cleaned values, or the row and why it is skipped."""
    preparer = Preparer(KINDS[kind], region, lists, people)
    found: list[Prepared | tuple[Incoming, str]] = []
    for row in rows.incoming() if isinstance(rows, MappedCsv) else rows:
        result = preparer.prepare(row)
        found.append((row, result) if isinstance(result, str) else result)
    return found


@dataclass
class Plan:
    creates: list[Prepared] = field(default_factory=list)
    updates: list[tuple[Prepared, int]] = field(default_factory=list)  # (row, record id)
    skipped: list[tuple[Incoming, str]] = field(default_factory=list)


async def check_rows(kind: Kind, actor: Membership, rows: Rows, lists: dict[str, list[str]], people: set[int],
                     plan: Plan, ready: list[Prepared], progress: Progress | None) -> None:
    """Every row checked in the workers, CHUNK rows at a time and at most WORKERS chunks of this import at once
    (so that other imports' chunks get their turn), in the file's order."""
    total = len(rows)
    waiting: deque[asyncio.Future] = deque()
    done = 0

    async def collect() -> None:
        nonlocal done
        results = await waiting.popleft()
        for result in results:
            if isinstance(result, Prepared):
                ready.append(result)
            else:
                plan.skipped.append(result)
        done += len(results)
        await tell(progress, 'checking', done, total)

    try:
        for start in range(0, total, CHUNK):
            waiting.append(asyncio.ensure_future(off_loop(_prepare_part, kind.name, actor.org.country, lists,
                                                          people, part(rows, start, start + CHUNK))))
            if len(waiting) >= WORKERS:
                await collect()
        while waiting:
            await collect()
    finally:
        for future in waiting:
            future.cancel()
