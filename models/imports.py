"""Importing contacts and companies (CSV and vCard), with a report per row and "undo this import".

The rows are validated in Python with the app's own validators (records.clean_fields, the organization's
country as phone region and its option lists), matched against existing records through the indexed
RecordKey table (by email, then VAT number; only records the importer can see), then written in chunks:
each chunk — its records, their lookup keys and its report rows — in one transaction, with bulk inserts.
A bad row is reported and skipped; it never stops the good ones. If writing fails half-way, what was
already written is undone, so a failed import leaves nothing behind.

Reading the file and checking its rows is CPU work: it runs in a small pool of worker processes (WORKERS of
them, at a lower priority than the server), never on the server's event loop, so a large or hostile file
does not hold up anyone else's requests; more requests than workers wait their turn in the pool's queue.

Crash safety: every chunk's records commit in the same transaction as the report rows that name them (and the
values an update overwrote), and the batch stays `running` until it is finished. If the server dies
mid-import, `recover_interrupted_imports()` — called when the server starts — takes back what every import
still `running` wrote and marks it failed, so after any crash an import is either complete or left nothing.

Undo deletes the records the import created (and the companies it created, when no contact uses them any
more) and puts back the values it overwrote. It is refused, with nothing undone, when one of those records
was changed after the import: undoing would silently throw that later work away.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import SimpleNamespace
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum

from tortoise import connections, fields
from tortoise.expressions import F
from tortoise.indexes import Index
from tortoise.models import Model
from tortoise.transactions import in_transaction

from . import access
from .records import search
from .access import Action, require
from .db import is_postgres
from .errors import Conflict, NotFound, TooLarge, ValidationFailed
from .import_formats import (PREVIEW_ROWS, TARGETS, CsvFile, Incoming, MappedCsv, check_mapping, column_of,
                             country_code_for, guess_mapping, read_csv, read_vcards)
from .mentions import mentioned_user_ids, plain_text
from .orgs.service import option_lists
from .orgs.tables import Membership
from .records.service import clean_fields, derive_columns, key_values, lookup_keys, now
from .records.tables import COMPANY, CONTACT, KINDS, Company, Kind, Mention, Record, RecordKey
from .text import digits, fold
from .validation import MAX_ADDRESSES, MAX_EMAILS, MAX_PHONES, FieldErrors

CHUNK = 1000
PAGE_MAX = 500
WORKERS = max(1, min(2, os.cpu_count() or 1))  # processes that read files and check rows
WORKER_MEMORY = 3 * 1024 ** 3  # address space one worker may use: a file that needs more is refused

Progress = Callable[[str, int, int], Awaitable[None] | None]  # (step: 'checking' or 'writing', rows done, rows in all)


class Mode(str, Enum):
    CREATE = 'create'  # create new records; rows matching an existing record are skipped
    UPDATE = 'update'  # update the matching record, create the others


class Status(str, Enum):
    RUNNING = 'running'
    DONE = 'done'
    FAILED = 'failed'
    UNDONE = 'undone'


class ImportBatch(Model):
    """One import: who ran it, of what, and how it went. Its rows are the report, and what undo needs."""
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    created_by = fields.ForeignKeyField('models.User', null=True, related_name=False, on_delete=fields.SET_NULL)
    kind = fields.CharField(max_length=8)  # contact, company
    mode = fields.CharField(max_length=8)
    source = fields.CharField(max_length=8)  # csv, vcard
    filename = fields.CharField(max_length=255, default='')
    status = fields.CharField(max_length=8, default=Status.RUNNING.value)
    total = fields.IntField(default=0)
    created = fields.IntField(default=0)
    updated = fields.IntField(default=0)
    skipped = fields.IntField(default=0)
    companies_created = fields.IntField(default=0)
    message = fields.TextField(default='')
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)
    undone_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'import_batches'
        indexes = [Index(fields=('org_id', 'created_by_id', 'created_at'))]


class ImportRow(Model):
    """One line of an import's report. For an updated record, `previous` holds the values the import overwrote
    and `version_after` the version it left, so undo can tell whether someone changed the record since."""
    id = fields.IntField(primary_key=True)
    batch = fields.ForeignKeyField('models.ImportBatch', related_name='rows', on_delete=fields.CASCADE)
    row = fields.IntField()  # 0 for a company created because the file named it
    status = fields.CharField(max_length=16)  # created, updated, skipped, company
    record_id = fields.IntField(null=True)
    name = fields.CharField(max_length=255, default='')
    message = fields.TextField(default='')
    previous = fields.JSONField(null=True)
    version_after = fields.IntField(null=True)

    class Meta:
        table = 'import_rows'
        indexes = [Index(fields=('batch_id', 'row')), Index(fields=('batch_id', 'status'))]


# ---------------------------------------------------------------- preparing one row

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
                return f'{name} (column "{column}")' if column else name
            return '; '.join(f'{where(name)}: {message}' for name, message in checks.errors.items())
        values = cleaned.values
        return Prepared(incoming, values, company, notes, mentioned_user_ids(values.get('description', '')))


def _company_name(field_name: str, value: str) -> str:
    from .validation import clean_text
    return clean_text(field_name, value)


# ---------------------------------------------------------------- off the event loop

_pool: ProcessPoolExecutor | None = None


def _process_identity(pid: int) -> str | None:
    """The process's start time (Linux), to tell it from a later process given the same id; None once it has
    ended (or is a zombie)."""
    try:
        with open(f'/proc/{pid}/stat') as stat:
            fields = stat.read().rsplit(')', 1)[1].split()
        return None if fields[0] in ('Z', 'X') else fields[19]
    except FileNotFoundError:
        return None
    except OSError:  # no /proc: whether the id is taken at all
        try:
            os.kill(pid, 0)
            return ''
        except ProcessLookupError:
            return None


def _watch_server(pid: int, identity: str | None) -> None:
    """A worker outlives a server that was killed (its task queue stays open, and the worker holds it open
    itself): it ends once the server has gone."""
    while _process_identity(pid) == identity:
        time.sleep(0.5)
    os._exit(0)


def _worker_started(server_pid: int, server_identity: str | None) -> None:
    """In each worker process: a lower priority than the server's, a cap on its memory, and an end with the
    server's."""
    import resource
    import signal

    threading.Thread(target=_watch_server, args=(server_pid, server_identity), daemon=True).start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the server, which then stops its workers
    try:
        os.nice(10)
    except OSError:
        pass
    try:
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    except (ValueError, OSError):
        pass


_pool_lock = threading.Lock()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # forkserver: workers are forked from a small clean process, not from the threaded server
            context = multiprocessing.get_context('forkserver')
            context.set_forkserver_preload(['models.imports'])
            _pool = ProcessPoolExecutor(max_workers=WORKERS, mp_context=context, initializer=_worker_started,
                                        initargs=(os.getpid(), _process_identity(os.getpid())))
        return _pool


def start_workers(delay: float = 2.0) -> None:
    """Start the worker processes in the background, `delay` seconds from now (once the server listens, so that
    they do not slow its start): the first upload then does not wait the seconds a worker takes to start."""
    def start() -> None:
        time.sleep(delay)
        pool = _executor()
        for _ in range(WORKERS):
            pool.submit(int)
    threading.Thread(target=start, name='import-workers', daemon=True).start()


def _in_worker(function, *args):
    """Runs in a worker. The data layer's refusals travel back as plain values (they do not pickle as such)."""
    try:
        return 'ok', function(*args)
    except ValidationFailed as e:
        return 'invalid', e.errors
    except TooLarge as e:
        return 'too large', e.message
    except MemoryError:
        return 'invalid', {'file': f'needs more than {WORKER_MEMORY // 1024 ** 3} GiB of memory to read: split it'}


async def off_loop(function, *args):
    """`function(*args)` in a worker process; the event loop serves everyone else meanwhile."""
    global _pool
    pool = _executor()
    try:
        # submit() starts a worker process when none is idle, and waits for the forkserver to fork it (for the
        # first one, until the forkserver has imported the app): not in the event loop
        future = await asyncio.to_thread(pool.submit, _in_worker, function, *args)
        outcome, value = await asyncio.wrap_future(future)
    except BrokenProcessPool:  # a worker died (killed, out of memory): the next call starts new ones
        if _pool is pool:
            _pool = None
        pool.shutdown(wait=False, cancel_futures=True)
        raise ValidationFailed.one('file', 'could not be read: the process reading it stopped. Try again, or '
                                           'split the file') from None
    if outcome == 'invalid':
        raise ValidationFailed(value)
    if outcome == 'too large':
        raise TooLarge(value)
    return value


async def shutdown_workers() -> None:
    """At server stop: what is queued is dropped, a file being read is finished, then the workers end."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


async def read_upload(data: bytes, file_format: str) -> CsvFile | list[Incoming]:
    """A CSV file's header and rows, or a vCard file's cards, read in a worker."""
    if file_format == 'vcard':
        return await off_loop(read_vcards, data)
    if file_format == 'csv':
        return await off_loop(read_csv, data)
    raise ValidationFailed.one('format', 'must be csv or vcard')


def _read_mapped(data: bytes, kind: str, mapping: list[str] | None) -> MappedCsv:
    """In a worker: the file's rows with the given or guessed mapping, checked there, so that a file that maps
    nothing is refused without its rows travelling back."""
    parsed = read_csv(data)
    mapping = check_mapping(mapping if mapping is not None else guess_mapping(parsed.headers, kind),
                            parsed.headers, kind)
    return MappedCsv(parsed.headers, mapping, parsed.rows)


def _preview(data: bytes) -> dict:
    parsed = read_csv(data)
    return {'encoding': parsed.encoding, 'delimiter': parsed.delimiter, 'headers': parsed.headers,
            'rows': parsed.preview(PREVIEW_ROWS), 'row_count': len(parsed.rows)}


async def preview_csv(data: bytes) -> dict:
    """What the preview shows of a CSV file (encoding, separator, header, first rows, row count), read in a
    worker; only that comes back, not every row."""
    return await off_loop(_preview, data)


Rows = list[Incoming] | MappedCsv


def _part(rows: Rows, start: int, stop: int) -> Rows:
    return rows.part(start, stop) if isinstance(rows, MappedCsv) else rows[start:stop]


def _prepare_part(kind: str, region: str, lists: dict[str, list[str]], people: set[int],
                  rows: Rows) -> list[Prepared | tuple[Incoming, str]]:
    """In a worker: each row's cleaned values, or the row and why it is skipped."""
    preparer = Preparer(KINDS[kind], region, lists, people)
    found: list[Prepared | tuple[Incoming, str]] = []
    for row in rows.incoming() if isinstance(rows, MappedCsv) else rows:
        result = preparer.prepare(row)
        found.append((row, result) if isinstance(result, str) else result)
    return found


async def _check_rows(kind: Kind, actor: Membership, rows: Rows, lists: dict[str, list[str]], people: set[int],
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
        await _tell(progress, 'checking', done, total)

    try:
        for start in range(0, total, CHUNK):
            waiting.append(asyncio.ensure_future(off_loop(_prepare_part, kind.name, actor.org.country, lists,
                                                          people, _part(rows, start, start + CHUNK))))
            if len(waiting) >= WORKERS:
                await collect()
        while waiting:
            await collect()
    finally:
        for future in waiting:
            future.cancel()


# ---------------------------------------------------------------- running an import

@dataclass
class Plan:
    creates: list[Prepared] = field(default_factory=list)
    updates: list[tuple[Prepared, int]] = field(default_factory=list)  # (row, record id)
    skipped: list[tuple[Incoming, str]] = field(default_factory=list)


def _display(kind: Kind, values: dict) -> str:
    if kind is CONTACT:
        return f'{values.get("first_name", "")} {values.get("last_name", "")}'.strip()[:255]
    return str(values.get('name', ''))[:255]


async def _tell(progress: Progress | None, step: str, done: int, total: int) -> None:
    if progress is not None:
        result = progress(step, done, total)
        if result is not None:
            await result
    await asyncio.sleep(0)  # let the page (and everyone else) breathe between chunks


async def _chunked(query_for, values: list) -> list:
    found: list = []
    for start in range(0, len(values), CHUNK):
        found += await query_for(values[start:start + CHUNK])
    return found


async def _reserve_ids(model: type[Model], count: int) -> list[int]:
    """Ids for rows inserted in bulk (Tortoise's bulk_create does not report them); inside a transaction."""
    if not count:
        return []
    client = connections.get('default')
    table = model._meta.db_table
    if is_postgres():
        rows = await client.execute_query_dict(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, $1)", [count])
        return [row['id'] for row in rows]
    rows = await client.execute_query_dict(f'SELECT COALESCE(MAX(id), 0) AS top FROM "{table}"')
    top = rows[0]['top']
    try:
        seq = await client.execute_query_dict('SELECT seq FROM sqlite_sequence WHERE name = ?', [table])
        top = max(top, seq[0]['seq']) if seq else top
    except Exception:  # no AUTOINCREMENT table in this database
        pass
    return list(range(top + 1, top + count + 1))


async def import_file(actor: Membership, *, kind: str, data: bytes, filename: str = '', file_format: str = 'csv',
                      mode: str = Mode.CREATE.value, mapping: list[str] | None = None,
                      progress: Progress | None = None) -> ImportBatch:
    """Read a CSV (with the given or guessed column mapping) or vCard file and import it."""
    require(actor.role, Action.EDIT_RECORDS)
    record_kind = _kind(kind)
    rows: Rows
    if file_format == 'vcard':
        if record_kind is not CONTACT:
            raise ValidationFailed.one('kind', 'vCards hold contacts: import them as contacts')
        rows = await read_upload(data, 'vcard')
    elif file_format == 'csv':
        rows = await off_loop(_read_mapped, data, kind, mapping)
    else:
        raise ValidationFailed.one('format', 'must be csv or vcard')
    return await run_import(actor, kind=kind, incoming=rows, mode=mode, filename=filename,
                            source=file_format, progress=progress)


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise ValidationFailed.one('kind', 'must be contact or company')
    return KINDS[kind]


async def run_import(actor: Membership, *, kind: str, incoming: Rows, mode: str = Mode.CREATE.value,
                     filename: str = '', source: str = 'csv', progress: Progress | None = None) -> ImportBatch:
    """Import rows already read: a vCard file's cards, or a CSV file's rows with their mapping (MappedCsv)."""
    require(actor.role, Action.EDIT_RECORDS)
    record_kind = _kind(kind)
    try:
        mode = Mode(mode).value
    except ValueError:
        raise ValidationFailed.one('mode', 'must be create or update') from None
    if not len(incoming):
        raise ValidationFailed.one('file', 'holds no rows to import')
    total = len(incoming)
    lists = await option_lists(actor.org_id)
    people = set(await Membership.filter(org_id=actor.org_id, role__in=[access.Role.OWNER.value,
                                                                         access.Role.MEMBER.value])
                 .values_list('user_id', flat=True))
    batch = await ImportBatch.create(org_id=actor.org_id, created_by_id=actor.user_id, kind=kind, mode=mode,
                                     source=source, filename=(filename or '')[:255], total=total)
    plan = Plan()
    ready: list[Prepared] = []
    try:
        await _check_rows(record_kind, actor, incoming, lists, people, plan, ready, progress)
        await _match(record_kind, actor, Mode(mode), ready, plan)
        company_ids = await _companies(actor, batch, ready) if record_kind is CONTACT else {}
        await _write(record_kind, actor, batch, plan, company_ids, progress, total)
    except BaseException:
        await _rollback(record_kind, batch)
        raise
    batch.status = Status.DONE.value
    batch.finished_at = now()
    await batch.save(update_fields=['status', 'finished_at', 'created', 'updated', 'skipped', 'companies_created'])
    await _tell(progress, 'done', total, total)
    return batch


async def _match(kind: Kind, actor: Membership, mode: Mode, ready: list[Prepared], plan: Plan) -> None:
    """Decide per row: create, update which record, or skip. Matching is by email, then VAT number, against
    the records the importer can see; a second row with the same email or VAT as an earlier one is skipped."""
    wanted = sorted({key for row in ready for key in row.keys})
    owner = f'{kind.name}_id'
    by_key: dict[tuple[str, str], int] = {}
    for kind_name in ('email', 'vat'):
        values = [v for k, v in wanted if k == kind_name]
        found = await _chunked(lambda chunk, k=kind_name: RecordKey.filter(
            org_id=actor.org_id, kind=k, value__in=chunk, **{f'{owner}__isnull': False})
            .order_by('id').values_list('value', owner), values)
        for value, record_id in found:
            by_key.setdefault((kind_name, value), record_id)
    candidates = sorted(set(by_key.values()))
    visible = set(await _chunked(lambda chunk: access.visible(kind, actor).filter(id__in=chunk)
                                 .values_list('id', flat=True), candidates))
    first_row: dict[tuple[str, str], int] = {}
    planned: dict[int, int] = {}  # record id -> row that updates it
    for n, row in enumerate(ready, start=1):
        if n % CHUNK == 0:
            await asyncio.sleep(0)
        keys = row.keys
        earlier = next((first_row[k] for k in keys if k in first_row), None)
        if earlier is not None:
            key = next(k for k in keys if k in first_row)
            plan.skipped.append((row.incoming, f'same {_key_label(key)} as row {earlier}'))
            continue
        for key in keys:
            first_row.setdefault(key, row.incoming.row)
        match = next(((k, by_key[k]) for k in (k for k in keys if k[0] == 'email') if by_key.get(k) in visible),
                     None) or next(((k, by_key[k]) for k in keys if k[0] == 'vat' and by_key.get(k) in visible), None)
        if match is None:
            plan.creates.append(row)
        elif mode is Mode.CREATE:
            plan.skipped.append((row.incoming, f'already exists: {kind.name} #{match[1]} has the same '
                                               f'{_key_label(match[0])}'))
        elif match[1] in planned:
            plan.skipped.append((row.incoming, f'row {planned[match[1]]} already updates the same {kind.name}'))
        else:
            planned[match[1]] = row.incoming.row
            plan.updates.append((row, match[1]))


def _key_label(key: tuple[str, str]) -> str:
    return f'{"email" if key[0] == "email" else "VAT number"} {key[1]}'


async def _companies(actor: Membership, batch: ImportBatch, ready: list[Prepared]) -> dict[str, int]:
    """Folded company name -> id: the visible company of that name (the oldest), else one created now."""
    names: dict[str, str] = {}
    for row in ready:
        if row.company_name:
            names.setdefault(fold(row.company_name)[:255], row.company_name)
    found = await _chunked(lambda chunk: access.visible(COMPANY, actor).filter(sort_name__in=chunk)
                           .order_by('-id').values_list('sort_name', 'id'), sorted(names))
    ids = dict(found)  # ordered newest first, so the oldest wins
    missing = [names[key] for key in names if key not in ids]
    for start in range(0, len(missing), CHUNK):
        async with in_transaction():
            new_ids = await _reserve_ids(Company, len(missing[start:start + CHUNK]))
            companies = []
            for company_id, name in zip(new_ids, missing[start:start + CHUNK]):
                company = Company(id=company_id, org_id=actor.org_id, name=name, created_by_id=actor.user_id,
                                  updated_by_id=actor.user_id, updated_at=now())
                derive_columns(COMPANY, company)
                companies.append(company)
                ids[company.sort_name] = company_id
            await Company.bulk_create(companies, batch_size=CHUNK)
            await ImportRow.bulk_create([ImportRow(batch_id=batch.id, row=0, status='company', record_id=c.id,
                                                   name=c.name[:255]) for c in companies], batch_size=CHUNK)
            await _counted(batch, companies_created=batch.companies_created + len(companies))
        batch.companies_created += len(companies)
    return ids


def _row_entry(batch: ImportBatch, row: Incoming, status: str, record_id: int | None = None, name: str = '',
               message: str = '', previous: dict | None = None, version_after: int | None = None) -> ImportRow:
    return ImportRow(batch_id=batch.id, row=row.row, status=status, record_id=record_id, name=name, message=message,
                     previous=previous, version_after=version_after)


def _merged(kind: Kind, record: Record, row: Prepared) -> dict[str, object]:
    """The changes an update makes: the file's non-empty values; emails, phones and addresses are added to those
    the record has (up to the limits), never removed."""
    changes: dict[str, object] = {}
    for name, value in row.values.items():
        if name in ('emails', 'phones', 'addresses'):
            current = list(getattr(record, name))
            same = (lambda a, b: a.lower() == b.lower()) if name == 'emails' else (lambda a, b: a == b)
            extra = [v for v in value if not any(same(v, c) for c in current)]
            limit = {'emails': MAX_EMAILS, 'phones': MAX_PHONES, 'addresses': MAX_ADDRESSES}[name]
            if len(current) + len(extra) > limit:
                row.notes.append(f'{name}: the record is full, {len(current) + len(extra) - limit} not added')
            combined = (current + extra)[:limit]
            if combined != current:
                changes[name] = combined
        elif value not in ('', None) and value != getattr(record, name):
            changes[name] = value
    return changes


class _BulkInsert:
    """Tortoise's own INSERT statement and column conversions, fed plain objects: building 100,000 model instances
    costs more than validating the rows. `with_ids`: the statement that takes the primary key too."""

    def __init__(self, model: type[Model], connection, *, with_ids: bool) -> None:
        executor = connection.executor_class(model=model, db=connection)
        self.sql = executor.insert_query_all if with_ids else executor.insert_query
        self.columns = executor.regular_columns_all if with_ids else executor.regular_columns
        self.fields = [model._meta.fields_map[name] for name in self.columns]
        self.model, self.connection = model, connection
        self.defaults = {name: column.default for name, column in zip(self.columns, self.fields)}

    def blank(self, **values) -> SimpleNamespace:
        """An object with every column, the model's defaults where not given."""
        return SimpleNamespace(**{name: default() if callable(default) else default
                                  for name, default in self.defaults.items() if name not in values}, **values)

    async def run(self, objects: list) -> None:
        if not objects:
            return
        # text and numbers go to the driver as they are; JSON and timestamps the way Tortoise converts them
        converted = [(name, column.to_db_value if isinstance(column, (fields.JSONField, fields.DatetimeField))
                      else None) for name, column in zip(self.columns, self.fields)]
        model = self.model
        await self.connection.execute_many(self.sql, [
            [convert(getattr(o, name), model) if convert else getattr(o, name) for name, convert in converted]
            for o in objects])


async def _counted(batch: ImportBatch, **counts: int) -> None:
    """Inside a chunk's transaction: the batch's counts so far, committed with the chunk (its progress)."""
    await ImportBatch.filter(id=batch.id).update(**counts)


async def _write(kind: Kind, actor: Membership, batch: ImportBatch, plan: Plan, company_ids: dict[str, int],
                 progress: Progress | None, total: int) -> None:
    done = len(plan.skipped)
    for start in range(0, len(plan.skipped), CHUNK):
        async with in_transaction() as connection:
            rows = _BulkInsert(ImportRow, connection, with_ids=False)
            await rows.run([rows.blank(batch_id=batch.id, row=row.row, status='skipped', message=reason[:2000])
                            for row, reason in plan.skipped[start:start + CHUNK]])
            await _counted(batch, skipped=min(start + CHUNK, len(plan.skipped)))
    batch.skipped = len(plan.skipped)
    await _tell(progress, 'writing', done, total)
    owner = f'{kind.name}_id'
    other = 'company_id' if kind is CONTACT else 'contact_id'
    for start in range(0, len(plan.creates), CHUNK):
        chunk = plan.creates[start:start + CHUNK]
        async with in_transaction() as connection:
            inserts = {model: _BulkInsert(model, connection, with_ids=model is kind.model)
                       for model in (kind.model, RecordKey, ImportRow)}
            ids = await _reserve_ids(kind.model, len(chunk))
            moment = now()
            new = []
            for record_id, row in zip(ids, chunk):
                record = inserts[kind.model].blank(
                    id=record_id, org_id=actor.org_id, created_by_id=actor.user_id, updated_by_id=actor.user_id,
                    created_at=moment, updated_at=moment, **row.values)
                if kind is CONTACT and row.company_name:
                    record.company_id = company_ids[fold(row.company_name)[:255]]
                derive_columns(kind, record)
                new.append(record)
            async with search.indexed_in_bulk(connection, kind.model._meta.db_table, ids[0], ids[-1]):
                await inserts[kind.model].run(new)
            await inserts[RecordKey].run([inserts[RecordKey].blank(org_id=actor.org_id, kind=k, value=v,
                                                                   **{owner: r.id, other: None})
                                          for r in new for k, v in key_values(r)])
            await Mention.bulk_create([Mention(user_id=user_id, **{owner: record.id}) for record, row in zip(new, chunk)
                                       for user_id in row.mentions], batch_size=CHUNK)
            await inserts[ImportRow].run([inserts[ImportRow].blank(
                batch_id=batch.id, row=row.incoming.row, status='created', record_id=record.id,
                name=_display(kind, row.values), message='; '.join(row.notes)[:2000])
                for record, row in zip(new, chunk)])
            await _counted(batch, created=batch.created + len(chunk))
        batch.created += len(chunk)
        done += len(chunk)
        await _tell(progress, 'writing', done, total)
    for start in range(0, len(plan.updates), CHUNK):
        chunk = plan.updates[start:start + CHUNK]
        records = {r.id: r for r in await kind.model.filter(id__in=[record_id for _, record_id in chunk])}
        async with in_transaction():
            entries = []
            for row, record_id in chunk:
                record = records.get(record_id)
                if record is None:
                    entries.append(_row_entry(batch, row.incoming, 'skipped', message='the matching record was '
                                                                                      'deleted during the import'))
                    batch.skipped += 1
                    continue
                changes = _merged(kind, record, row)
                if 'visibility' in changes and record.created_by_id != actor.user_id:
                    del changes['visibility']  # the same rule as a save: only the creator changes it
                    row.notes.append('visibility left as it was: only the person who created the record may '
                                     'change it')
                if kind is CONTACT and row.company_name:
                    company_id = company_ids[fold(row.company_name)[:255]]
                    if company_id != record.company_id:
                        changes['company_id'] = company_id
                previous = {name: getattr(record, name) for name in changes}
                version = record.version
                if changes:
                    for name, value in changes.items():
                        setattr(record, name, value)
                    derive_columns(kind, record)
                    written = await kind.model.filter(id=record.id, version=version).update(
                        version=F('version') + 1, updated_by_id=actor.user_id, updated_at=now(),
                        sort_name=record.sort_name, search_text=record.search_text, **changes)
                    if not written:
                        entries.append(_row_entry(batch, row.incoming, 'skipped', message='the matching record '
                                                  'was changed by someone else during the import'))
                        batch.skipped += 1
                        continue
                    version += 1
                    await RecordKey.filter(**{owner: record.id}).delete()
                    await RecordKey.bulk_create(lookup_keys(kind, record))
                    if 'description' in changes:
                        await Mention.filter(**{owner: record.id}).delete()
                        await Mention.bulk_create([Mention(user_id=u, **{owner: record.id}) for u in row.mentions])
                notes = row.notes or ([] if changes else ['nothing new: the record already had these values'])
                entries.append(_row_entry(batch, row.incoming, 'updated', record.id, record.display_name,
                                          '; '.join(notes)[:2000], previous=previous,
                                          version_after=version))
                batch.updated += 1
            await ImportRow.bulk_create(entries, batch_size=CHUNK)
            await _counted(batch, updated=batch.updated, skipped=batch.skipped)
        done += len(chunk)
        await _tell(progress, 'writing', done, total)


async def _rollback(kind: Kind, batch: ImportBatch) -> None:
    """An import that failed half-way: take back what it wrote, then mark it failed."""
    try:
        async with in_transaction():
            await _revert(kind, batch)
        batch.status = Status.FAILED.value
        batch.message = 'The import failed and was rolled back: nothing was imported'
        batch.finished_at = now()
        await batch.save(update_fields=['status', 'message', 'finished_at'])
    except Exception:  # the database itself is failing; the original error is the one to report
        pass


_PROCESS_STARTED = now()  # imports begun since are this process's own, running or not
INTERRUPTED = 'The server stopped during this import; what it had written was taken back: nothing was imported'


async def recover_interrupted_imports() -> int:
    """At server start, before any request: an import still `running` that began before this process was cut off
    by a crash or a kill (no import survives its server process). Take back what each wrote — newest first, each in one transaction —
    and mark it failed. Returns how many there were."""
    interrupted = await ImportBatch.filter(status=Status.RUNNING.value, created_at__lt=_PROCESS_STARTED) \
        .order_by('-id')
    for batch in interrupted:
        async with in_transaction():
            await _revert(KINDS[batch.kind], batch)
            await ImportBatch.filter(id=batch.id).update(status=Status.FAILED.value, message=INTERRUPTED,
                                                         finished_at=now())
        logging.getLogger(__name__).warning('import %s (organization %s) was interrupted by a stop of the server: '
                                            'what it had written was taken back', batch.id, batch.org_id)
    return len(interrupted)


# ---------------------------------------------------------------- report and undo

async def get_batch(actor: Membership, batch_id: object) -> ImportBatch:
    """An import of this organization run by the caller; anyone else's import does not exist for them."""
    require(actor.role, Action.SEE_RECORDS)
    if not isinstance(batch_id, int):
        raise NotFound('import')
    batch = await ImportBatch.get_or_none(id=batch_id, org_id=actor.org_id, created_by_id=actor.user_id)
    if batch is None:
        raise NotFound('import')
    return batch


async def report_rows(actor: Membership, batch_id: object, *, status: str = '', limit: int = 100,
                      offset: int = 0) -> tuple[list[ImportRow], int]:
    batch = await get_batch(actor, batch_id)
    if not isinstance(limit, int) or not 1 <= limit <= PAGE_MAX:
        raise ValidationFailed.one('limit', f'must be between 1 and {PAGE_MAX}')
    if not isinstance(offset, int) or offset < 0:
        raise ValidationFailed.one('offset', 'must be 0 or more')
    query = ImportRow.filter(batch_id=batch.id).exclude(status='company')
    if status:
        if status not in ('created', 'updated', 'skipped'):
            raise ValidationFailed.one('status', 'must be created, updated or skipped')
        query = query.filter(status=status)
    total = await query.count()
    rows = await query.order_by('row', 'id').offset(offset).limit(limit)
    return rows, total


async def recent_batches(actor: Membership, limit: int = 10) -> list[ImportBatch]:
    require(actor.role, Action.SEE_RECORDS)
    return await ImportBatch.filter(org_id=actor.org_id, created_by_id=actor.user_id) \
        .order_by('-created_at', '-id').limit(limit)


async def undo_import(actor: Membership, batch_id: object) -> ImportBatch:
    """Delete what the import created and put back what it overwrote, all or nothing."""
    batch = await get_batch(actor, batch_id)
    require(actor.role, Action.EDIT_RECORDS)
    if batch.status != Status.DONE.value:
        raise Conflict({Status.UNDONE.value: 'This import was already undone',
                        Status.RUNNING.value: 'This import is still running',
                        Status.FAILED.value: 'This import failed and left nothing to undo'}[batch.status])
    kind = KINDS[batch.kind]
    changed = await _changed_since(kind, batch)
    if changed:
        shown = ', '.join(changed[:5]) + (f' and {len(changed) - 5} more' if len(changed) > 5 else '')
        raise Conflict(f'{len(changed)} record(s) were changed, or got files or connections, after this import '
                       f'({shown}); undoing it would lose that work, so nothing was undone')
    async with in_transaction():
        claimed = await ImportBatch.filter(id=batch.id, status=Status.DONE.value).update(
            status=Status.UNDONE.value, undone_at=now())
        if not claimed:
            raise Conflict('This import was already undone')
        await _revert(kind, batch)
    batch.status, batch.undone_at = Status.UNDONE.value, now()
    return batch


def _name_columns(kind: Kind) -> tuple[str, ...]:
    return ('first_name', 'last_name') if kind is CONTACT else ('name',)


def _shown(values: tuple) -> str:
    return ' '.join(v for v in values if v) or '(no name)'


async def _changed_since(kind: Kind, batch: ImportBatch) -> list[str]:
    """The names of the records this import wrote that someone changed, or gave files or connections, since."""
    names = _name_columns(kind)
    changed: list[tuple] = []
    created = list(await ImportRow.filter(batch_id=batch.id, status='created').values_list('record_id', flat=True))
    changed += await _chunked(lambda chunk: kind.model.filter(id__in=chunk, version__gt=1).values_list(*names),
                              created)
    # a file attached or a connection made since: deleting the record would take those with it
    from .files.tables import Attachment
    from .work.tables import Connection
    owner = f'{kind.name}_id'
    for model in (Attachment, Connection):
        linked = await _chunked(lambda chunk, model=model: model.filter(**{f'{owner}__in': chunk})
                                .values_list(owner, flat=True), created)
        changed += await _chunked(lambda chunk: kind.model.filter(id__in=chunk).values_list(*names),
                                  sorted(set(linked)))
    updated = await ImportRow.filter(batch_id=batch.id, status='updated').values_list('record_id', 'version_after')
    after = dict(updated)
    current = await _chunked(lambda chunk: kind.model.filter(id__in=chunk).values_list('id', 'version', *names),
                             list(after))
    changed += [row[2:] for row in current if row[1] != after[row[0]]]
    return [_shown(row) for row in changed]


async def _revert(kind: Kind, batch: ImportBatch) -> None:
    """Inside a transaction: delete the created records, restore the updated ones, drop unused new companies."""
    created = list(await ImportRow.filter(batch_id=batch.id, status='created').values_list('record_id', flat=True))
    for start in range(0, len(created), CHUNK):
        await kind.model.filter(org_id=batch.org_id, id__in=created[start:start + CHUNK]).delete()
    owner = f'{kind.name}_id'
    for entry in await ImportRow.filter(batch_id=batch.id, status='updated').order_by('-id'):
        record = await kind.model.get_or_none(id=entry.record_id, org_id=batch.org_id)
        if record is None or not entry.previous:
            continue
        for name, value in entry.previous.items():
            setattr(record, name, value)
        derive_columns(kind, record)
        await kind.model.filter(id=record.id).update(
            version=F('version') + 1, updated_at=now(), sort_name=record.sort_name, search_text=record.search_text,
            **entry.previous)
        await RecordKey.filter(**{owner: record.id}).delete()
        await RecordKey.bulk_create(lookup_keys(kind, record))
        if 'description' in entry.previous:
            await Mention.filter(**{owner: record.id}).delete()
            await Mention.bulk_create([Mention(user_id=u, **{owner: record.id})
                                       for u in mentioned_user_ids(record.description)])
    companies = list(await ImportRow.filter(batch_id=batch.id, status='company').values_list('record_id', flat=True))
    for start in range(0, len(companies), CHUNK):
        chunk = companies[start:start + CHUNK]
        used = set(await CONTACT.model.filter(company_id__in=chunk).values_list('company_id', flat=True))
        unused = [c for c in chunk if c not in used]
        if unused:
            await Company.filter(org_id=batch.org_id, id__in=unused, version=1).delete()


__all__ = ['ImportBatch', 'ImportRow', 'Mode', 'Status', 'TARGETS', 'import_file', 'run_import', 'undo_import',
           'get_batch', 'report_rows', 'recent_batches', 'read_upload', 'preview_csv', 'recover_interrupted_imports',
           'start_workers', 'shutdown_workers']
