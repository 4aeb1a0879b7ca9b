"""Running an import: rows already read and checked are matched against existing records and written.

Matching is through the indexed RecordKey table (by email, then VAT number; only records the importer can see).
A contact's company is found by its VAT number (the "company VAT" column), else by its name as
text.company_name_key compares names (case, accents, punctuation and legal form aside), else created.
Writing goes in chunks: each chunk — its records, their lookup keys, history and report rows — in one transaction,
with bulk inserts (BulkInsert: COPY on PostgreSQL, executemany on SQLite). If writing fails half-way, what was already written is taken back (undo.revert), so a failed
import leaves nothing behind.
"""
from __future__ import annotations

import asyncio

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from .. import access
from ..access import Action, require
from ..db import BulkInsert, chunked, reserve_ids
from ..errors import ValidationFailed
from ..history import recording
from ..history.recording import IMPORT, Happened
from ..history.tables import HistoryEntry
from ..i18n import _, ngettext
from ..labels import field_label
from ..orgs.service import option_lists
from ..orgs.tables import Membership
from ..records import search
from ..records.service import derive_columns, key_values, kind_named, lookup_keys, now
from ..records.tables import COMPANY, CONTACT, Company, Kind, Mention, Record, RecordKey
from ..text import company_name_key
from ..validation import MAX_ADDRESSES, MAX_EMAILS, MAX_PHONES
from .formats import Incoming
from .preparing import Plan, Prepared, check_rows
from .progress import CHUNK, Progress, tell
from .reading import Rows, read_mapped, read_upload
from .tables import ImportBatch, ImportRow, Mode, Status
from .undo import revert
from .workers import off_loop


# ---------------------------------------------------------------- running an import


def _display(kind: Kind, values: dict) -> str:
    if kind is CONTACT:
        return f'{values.get("first_name", "")} {values.get("last_name", "")}'.strip()[:255]
    return str(values.get('name', ''))[:255]


async def import_file(actor: Membership, *, kind: str, data: bytes, filename: str = '', file_format: str = 'csv',
                      mode: str = Mode.CREATE.value, mapping: list[str] | None = None,
                      progress: Progress | None = None, job_id: int | None = None) -> ImportBatch:
    """Read a CSV (with the given or guessed column mapping) or vCard file and import it (as the background job
    `job_id`, when one runs it: recovery finds the import by it)."""
    require(actor.role, Action.EDIT_RECORDS)
    record_kind = kind_named(kind)
    rows: Rows
    if file_format == 'vcard':
        if record_kind is not CONTACT:
            raise ValidationFailed.one('kind', _('vCards hold contacts: import them as contacts'))
        rows = await read_upload(data, 'vcard')
    elif file_format == 'csv':
        rows = await off_loop(read_mapped, data, kind, mapping)
    else:
        raise ValidationFailed.one('format', _('must be csv or vcard'))
    return await run_import(actor, kind=kind, incoming=rows, mode=mode, filename=filename,
                            source=file_format, progress=progress, job_id=job_id)


async def run_import(actor: Membership, *, kind: str, incoming: Rows, mode: str = Mode.CREATE.value,
                     filename: str = '', source: str = 'csv', progress: Progress | None = None,
                     job_id: int | None = None) -> ImportBatch:
    """Import rows already read: a vCard file's cards, or a CSV file's rows with their mapping (MappedCsv)."""
    require(actor.role, Action.EDIT_RECORDS)
    record_kind = kind_named(kind)
    try:
        mode = Mode(mode).value
    except ValueError:
        raise ValidationFailed.one('mode', _('must be create or update')) from None
    if not len(incoming):
        raise ValidationFailed.one('file', _('holds no rows to import'))
    total = len(incoming)
    lists = await option_lists(actor.org_id)
    people = set(await access.mentionable_members(actor.org_id).values_list('user_id', flat=True))
    batch = await ImportBatch.create(org_id=actor.org_id, created_by_id=actor.user_id, kind=kind, mode=mode,
                                     source=source, filename=(filename or '')[:255], total=total, job_id=job_id)
    plan = Plan()
    ready: list[Prepared] = []
    try:
        await check_rows(record_kind, actor, incoming, lists, people, plan, ready, progress)
        await _match(record_kind, actor, Mode(mode), ready, plan)
        company_ids = await _companies(actor, batch, ready) if record_kind is CONTACT else {}
        await _write(record_kind, actor, batch, plan, company_ids, progress, total)
    except BaseException:
        await _rollback(record_kind, batch)
        raise
    batch.status = Status.DONE.value
    batch.finished_at = now()
    await batch.save(update_fields=['status', 'finished_at', 'created', 'updated', 'skipped', 'companies_created'])
    await tell(progress, 'done', total, total)
    return batch


async def _match(kind: Kind, actor: Membership, mode: Mode, ready: list[Prepared], plan: Plan) -> None:
    """Decide per row: create, update which record, or skip. Matching is by email, then VAT number, against
    the records the importer can see; a second row with the same email or VAT as an earlier one is skipped."""
    wanted = sorted({key for row in ready for key in row.keys})
    owner = f'{kind.name}_id'
    by_key: dict[tuple[str, str], int] = {}
    for kind_name in ('email', 'vat'):
        values = [v for k, v in wanted if k == kind_name]
        found = await chunked(lambda chunk, k=kind_name: RecordKey.filter(
            org_id=actor.org_id, kind=k, value__in=chunk, **{f'{owner}__isnull': False})
            .order_by('id').values_list('value', owner), values)
        for value, record_id in found:
            by_key.setdefault((kind_name, value), record_id)
    candidates = sorted(set(by_key.values()))
    visible = set(await chunked(lambda chunk: access.visible(kind, actor).filter(id__in=chunk)
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
            plan.skipped.append((row.incoming, _same_key_as_row(key, earlier)))
            continue
        for key in keys:
            first_row.setdefault(key, row.incoming.row)
        match = next(((k, by_key[k]) for k in (k for k in keys if k[0] == 'email') if by_key.get(k) in visible),
                     None) or next(((k, by_key[k]) for k in keys if k[0] == 'vat' and by_key.get(k) in visible), None)
        if match is None:
            plan.creates.append(row)
        elif mode is Mode.CREATE:
            plan.skipped.append((row.incoming, _already_exists(kind, match[1], match[0])))
        elif match[1] in planned:
            earlier = planned[match[1]]
            plan.skipped.append((row.incoming, _('row {row} already updates the same contact', row=earlier)
                                 if kind is CONTACT else _('row {row} already updates the same company', row=earlier)))
        else:
            planned[match[1]] = row.incoming.row
            plan.updates.append((row, match[1]))


def _same_key_as_row(key: tuple[str, str], row: int) -> str:
    kind, value = key
    return (_('same email {value} as row {row}', value=value, row=row) if kind == 'email'
            else _('same VAT number {value} as row {row}', value=value, row=row))


def _already_exists(kind: Kind, record_id: int, key: tuple[str, str]) -> str:
    """Why a row that matches a record is skipped by an import that only creates."""
    values = {'id': record_id, 'value': key[1]}
    if key[0] == 'email':
        return (_('already exists: contact #{id} has the same email {value}', **values) if kind is CONTACT
                else _('already exists: company #{id} has the same email {value}', **values))
    return (_('already exists: contact #{id} has the same VAT number {value}', **values) if kind is CONTACT
            else _('already exists: company #{id} has the same VAT number {value}', **values))


def _company_of(row: Prepared) -> tuple[str, str]:
    """What names a row's company: its name's key and the VAT number the file gives for it ('' for none)."""
    return company_name_key(row.company_name)[:255], row.company_vat


async def _companies(actor: Membership, batch: ImportBatch, ready: list[Prepared]) -> dict[tuple[str, str], int]:
    """Each row's company (_company_of) -> id. A VAT number finds the visible company that has it; else the name
    finds the oldest visible company of that name (text.company_name_key: "ACME srl" is "Acme S.r.l.") that has
    no other VAT number; else the company is created now, with the VAT number, once for all the rows that name it
    (the same VAT number, or the same name without one)."""
    wanted: dict[tuple[str, str], str] = {}
    for row in ready:
        if row.company_name:
            wanted.setdefault(_company_of(row), row.company_name)
    vats = sorted({vat for _, vat in wanted if vat})
    keyed = await chunked(lambda chunk: RecordKey.filter(org_id=actor.org_id, kind='vat', value__in=chunk,
                                                         company_id__isnull=False)
                          .order_by('-id').values_list('value', 'company_id'), vats)
    seen = set(await chunked(lambda chunk: access.visible(COMPANY, actor).filter(id__in=chunk)
                             .values_list('id', flat=True), sorted({company_id for _, company_id in keyed})))
    by_vat = {vat: company_id for vat, company_id in keyed if company_id in seen}  # newest first: the oldest wins
    named = await chunked(lambda chunk: access.visible(COMPANY, actor).filter(sort_name__in=chunk)
                          .order_by('id').values_list('sort_name', 'id', 'vat_number'),
                          sorted({name for name, _ in wanted}))
    by_name: dict[str, list[tuple[int, str]]] = {}
    for name, company_id, vat in named:
        by_name.setdefault(name, []).append((company_id, vat))
    ids: dict[tuple[str, str], int] = {}
    new: dict[tuple[str, str], int] = {}  # a row's company -> its place in `creating`
    creating: list[tuple[str, str]] = []  # (name as the file writes it, VAT number)
    new_by_vat: dict[str, int] = {}
    new_by_name: dict[str, int] = {}
    for key in sorted(wanted, key=lambda k: not k[1]):  # those with a VAT number first
        name, vat = key
        found = by_vat.get(vat) if vat else None
        if found is None:
            found = next((company_id for company_id, other in by_name.get(name, []) if not vat or other in ('', vat)),
                         None)
        if found is not None:
            ids[key] = found
            continue
        place = new_by_vat.get(vat) if vat else new_by_name.get(name)
        if place is None:
            place = len(creating)
            creating.append((wanted[key], vat))
            if vat:
                new_by_vat[vat] = place
            new_by_name.setdefault(name, place)
        new[key] = place
    created: list[int] = []
    for start in range(0, len(creating), CHUNK):
        part = creating[start:start + CHUNK]
        async with in_transaction():
            new_ids = await reserve_ids(Company._meta.db_table, len(part))
            companies = []
            for company_id, (name, vat) in zip(new_ids, part):
                company = Company(id=company_id, org_id=actor.org_id, name=name, vat_number=vat,
                                  created_by_id=actor.user_id, updated_by_id=actor.user_id, updated_at=now())
                derive_columns(COMPANY, company)
                companies.append(company)
            await Company.bulk_create(companies, batch_size=CHUNK)
            await RecordKey.bulk_create([key for c in companies for key in lookup_keys(COMPANY, c)],
                                        batch_size=CHUNK)
            await ImportRow.bulk_create([ImportRow(batch_id=batch.id, row=0, status='company', record_id=c.id,
                                                   name=c.name[:255]) for c in companies], batch_size=CHUNK)
            await recording.write(_imported(COMPANY, actor, batch, c.id) for c in companies)
            await _counted(batch, companies_created=batch.companies_created + len(companies))
        batch.companies_created += len(companies)
        created += new_ids
    ids.update({key: created[place] for key, place in new.items()})
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
                row.notes.append(ngettext('{field}: the record is full, {count} not added',
                                          '{field}: the record is full, {count} not added',
                                          len(current) + len(extra) - limit, field=field_label(name)))
            combined = (current + extra)[:limit]
            if combined != current:
                changes[name] = combined
        elif value not in ('', None) and value != getattr(record, name):
            changes[name] = value
    return changes


async def _counted(batch: ImportBatch, **counts: int) -> None:
    """Inside a chunk's transaction: the batch's counts so far, committed with the chunk (its progress)."""
    await ImportBatch.filter(id=batch.id).update(**counts)


async def _write(kind: Kind, actor: Membership, batch: ImportBatch, plan: Plan,
                 company_ids: dict[tuple[str, str], int],
                 progress: Progress | None, total: int) -> None:
    done = len(plan.skipped)
    for start in range(0, len(plan.skipped), CHUNK):
        async with in_transaction() as connection:
            rows = BulkInsert(ImportRow, connection, with_ids=False)
            await rows.run([rows.blank(batch_id=batch.id, row=row.row, status='skipped', message=reason[:2000])
                            for row, reason in plan.skipped[start:start + CHUNK]])
            await _counted(batch, skipped=min(start + CHUNK, len(plan.skipped)))
    batch.skipped = len(plan.skipped)
    await tell(progress, 'writing', done, total)
    owner = f'{kind.name}_id'
    other = 'company_id' if kind is CONTACT else 'contact_id'
    for start in range(0, len(plan.creates), CHUNK):
        chunk = plan.creates[start:start + CHUNK]
        async with in_transaction() as connection:
            inserts = {model: BulkInsert(model, connection, with_ids=model is kind.model)
                       for model in (kind.model, RecordKey, Mention, ImportRow)}
            ids = await reserve_ids(kind.model._meta.db_table, len(chunk))
            moment = now()
            new = []
            for record_id, row in zip(ids, chunk):
                record = inserts[kind.model].blank(
                    id=record_id, org_id=actor.org_id, created_by_id=actor.user_id, updated_by_id=actor.user_id,
                    created_at=moment, updated_at=moment, **row.values, **row.derived)  # derived in the workers
                if kind is CONTACT and row.company_name:
                    record.company_id = company_ids[_company_of(row)]
                new.append(record)
            async with search.indexed_in_bulk(connection, kind.model._meta.db_table, ids[0], ids[-1]):
                await inserts[kind.model].run(new)
            await inserts[RecordKey].run([inserts[RecordKey].blank(org_id=actor.org_id, kind=k, value=v,
                                                                   **{owner: r.id, other: None})
                                          for r in new for k, v in key_values(r)])
            await inserts[Mention].run([inserts[Mention].blank(user_id=user_id, **{owner: record.id})
                                        for record, row in zip(new, chunk) for user_id in row.mentions])
            await inserts[ImportRow].run([inserts[ImportRow].blank(
                batch_id=batch.id, row=row.incoming.row, status='created', record_id=record.id,
                name=_display(kind, row.values), message='; '.join(row.notes)[:2000])
                for record, row in zip(new, chunk)])
            history = BulkInsert(HistoryEntry, connection, with_ids=False)
            await history.run([history.blank(**recording.entry_values(
                kind, record.id, **_imported_details(actor, batch, at=moment))) for record in new])
            await _counted(batch, created=batch.created + len(chunk))
        batch.created += len(chunk)
        done += len(chunk)
        await tell(progress, 'writing', done, total)
    for start in range(0, len(plan.updates), CHUNK):
        chunk = plan.updates[start:start + CHUNK]
        records = {r.id: r for r in await kind.model.filter(id__in=[record_id for _, record_id in chunk])}
        async with in_transaction():
            entries = []
            history = []
            for row, record_id in chunk:
                record = records.get(record_id)
                if record is None:
                    entries.append(_row_entry(batch, row.incoming, 'skipped',
                                              message=_('the matching record was deleted during the import')))
                    batch.skipped += 1
                    continue
                changes = _merged(kind, record, row)
                if 'visibility' in changes and not access.may_change_visibility(actor, record):
                    del changes['visibility']  # the same rule as a save: only the creator changes it
                    row.notes.append(_('visibility left as it was: only the person who created the record may '
                                       'change it'))
                if kind is CONTACT and row.company_name:
                    company_id = company_ids[_company_of(row)]
                    if company_id != record.company_id:
                        changes['company_id'] = company_id
                previous = {name: getattr(record, name) for name in changes}
                before = recording.values_of(kind, record)
                version = record.version
                if changes:
                    for name, value in changes.items():
                        setattr(record, name, value)
                    derive_columns(kind, record)
                    written = await kind.model.filter(id=record.id, version=version).update(
                        version=F('version') + 1, updated_by_id=actor.user_id, updated_at=now(),
                        sort_name=record.sort_name, search_text=record.search_text, **changes)
                    if not written:
                        entries.append(_row_entry(batch, row.incoming, 'skipped', message=_(
                            'the matching record was changed by someone else during the import')))
                        batch.skipped += 1
                        continue
                    version += 1
                    await RecordKey.filter(**{owner: record.id}).delete()
                    await RecordKey.bulk_create(lookup_keys(kind, record))
                    if 'description' in changes:
                        await Mention.filter(**{owner: record.id}).delete()
                        await Mention.bulk_create([Mention(user_id=u, **{owner: record.id}) for u in row.mentions])
                    history.append(_imported(kind, actor, batch, record.id, changes=recording.diff(
                        kind, before, recording.values_of(kind, record))))
                notes = row.notes or ([] if changes else [_('nothing new: the record already had these values')])
                entries.append(_row_entry(batch, row.incoming, 'updated', record.id, record.display_name,
                                          '; '.join(notes)[:2000], previous=previous,
                                          version_after=version))
                batch.updated += 1
            await ImportRow.bulk_create(entries, batch_size=CHUNK)
            await recording.write(history)
            await _counted(batch, updated=batch.updated, skipped=batch.skipped)
        done += len(chunk)
        await tell(progress, 'writing', done, total)


def _imported(kind: Kind, actor: Membership, batch: ImportBatch, record_id: int, **details):
    """The history entry of a record this import created or changed: it names the import (its file)."""
    return recording.entry(kind, record_id, **_imported_details(actor, batch, **details))


def _imported_details(actor: Membership, batch: ImportBatch, **details) -> dict:
    return dict(org_id=actor.org_id, by_id=actor.user_id, happened=Happened.IMPORTED, ref_kind=IMPORT,
                ref_id=batch.id, ref_name=batch.filename, **details)


async def _rollback(kind: Kind, batch: ImportBatch) -> None:
    """An import that failed half-way: take back what it wrote, then mark it failed."""
    try:
        async with in_transaction():
            await revert(kind, batch)
        batch.status = Status.FAILED.value
        batch.message = _('The import failed and was rolled back: nothing was imported')
        batch.finished_at = now()
        await batch.save(update_fields=['status', 'message', 'finished_at'])
    except Exception:  # the database itself is failing; the original error is the one to report
        pass

