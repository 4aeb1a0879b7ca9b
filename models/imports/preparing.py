"""Mapping each row read from a file to the fields of a record, checked with the app's own validators
(records.clean_fields, the organization's country as phone region and its option lists), in the workers."""
from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field

from ..labels import field_label
from ..mentions import mentioned_user_ids, plain_text
from ..orgs.tables import Membership
from ..records.service import clean_fields
from ..records.tables import CONTACT, KINDS, Kind
from ..text import digits, fold
from ..validation import MAX_ADDRESSES, MAX_EMAILS, MAX_PHONES, FieldErrors, clean_text
from .formats import Incoming, MappedCsv, column_of, country_code_for
from .progress import CHUNK, Progress, tell
from .reading import Rows, part
from .workers import WORKERS, off_loop


@dataclass
class Prepared:
    incoming: Incoming
    values: dict[str, object]
    company_name: str = ''
    notes: list[str] = field(default_factory=list)
    mentions: list[int] = field(default_factory=list)

    @property
    def keys(self) -> list[tuple[str, str]]:
        found = [('email', e.lower()) for e in self.values.get('emails', [])]
        if self.values.get('vat_number'):
            found.append(('vat', self.values['vat_number']))
        return found


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
        notes.append(f'only the first {limit} {what} were kept (left out: {", ".join(kept[limit:])})')
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
                first, _, last = source['full_name'].strip().rpartition(' ')
            data['first_name'], data['last_name'] = first, last
        else:
            data['name'] = source.get('name', '') or source.get('full_name', '')
        for name, list_kind in self.kind.options.items():
            value = source.get(name, '').strip()
            if value and value not in self.lists.get(list_kind, []):
                notes.append(f'{name} {value!r} is not in the list: left empty')
                value = ''
            if value:
                data[name] = value
        if source.get('description'):
            data['description'] = plain_text(source['description'], keep=self.people)
        if source.get('pec'):
            data['pec'] = source['pec']
        vat = source.get('vat_number') or source.get('tax_code') or ''
        if vat:
            data['vat_number'] = vat
        if source.get('visibility'):
            word = _VISIBILITY_WORDS.get(fold(source['visibility']))
            if word:
                data['visibility'] = word
            else:
                notes.append(f'visibility {source["visibility"]!r} is neither public nor private: left public')
        data['emails'], email_columns = _distinct(incoming.emails, incoming.email_columns, str.lower, MAX_EMAILS,
                                                  'emails', notes)
        data['phones'], phone_columns = _distinct(incoming.phones, incoming.phone_columns,
                                                  lambda p: digits(p) or p, MAX_PHONES, 'phones', notes)
        addresses = [{**a, 'country': country_code_for(a['country']) if a.get('country') else ''}
                     for a in incoming.addresses if any(v.strip() for v in a.values())]
        if len(addresses) > MAX_ADDRESSES:
            notes.append(f'only the first {MAX_ADDRESSES} addresses were kept')
        data['addresses'] = addresses[:MAX_ADDRESSES]
        checks = FieldErrors()
        cleaned = clean_fields(self.kind, data, region=self.region, lists=self.lists, existing=None, checks=checks)
        company = ''
        if self.kind is CONTACT and source.get('company'):
            company = checks.check(_company_name, 'company', source['company']) or ''
        if checks.errors:
            def where(name: str) -> str:
                column = column_of(incoming, name, email_columns, phone_columns)
                return f'{field_label(name)} (column "{column}")' if column else field_label(name)
            return '; '.join(f'{where(name)}: {message}' for name, message in checks.errors.items())
        values = cleaned.values
        return Prepared(incoming, values, company, notes, mentioned_user_ids(values.get('description', '')))


def _company_name(field_name: str, value: str) -> str:
    return clean_text(field_name, value)


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
