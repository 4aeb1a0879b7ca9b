"""Copy contacts and companies into another organization of the same user (docs/product-rules.md: copy).

Everything is read and prepared first, and uploaded files are copied in the store; the records, their
attachments and the target's quota are then written in one transaction. A failure (the target's quota,
a database error) rolls the transaction back and removes the copied files, so the target is exactly as it was.

The plan reads values, not records: what the gate lets the caller copy, what "already in the target" and the company
links compare, option values, descriptions with mentions, lookup keys. The records themselves are copied by the
database from their sources' rows (INSERT ... SELECT through a temporary map of source id -> reserved new id, company,
rewritten description), so a 10,000-contact copy sends no record through Python; a source saved since the plan read it
(another version) is not copied and the whole copy stops (Conflict). Keys, mentions and history entries go in
together too. The database's triggers do the rest as for any write (counts, duplicate keys, CardDAV, SQLite's search
index deferred to one statement per kind).

"Already in the target" (same email or VAT number) and the company a contact is linked to (same VAT number, or
same name as text.company_name_key compares them, held in `sort_name`) are looked for only among the target's
records the copier can see there (the gate, with their membership of the target): a private record of the target
they cannot see is never reported nor linked to.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from .. import access, i18n
from ..access import Action, require
from ..accounts.tables import User
from ..db import BulkInsert, chunked, reserve_ids
from ..errors import Conflict, NotFound, TooLarge, ValidationFailed
from ..files.tables import Attachment, Source
from ..history import recording
from ..history.recording import ORGANIZATION, Happened
from ..history.tables import HistoryEntry
from ..i18n import _, ngettext
from ..mentions import mentioned_user_ids, plain_text
from ..orgs.service import option_lists
from ..orgs.tables import Membership, OptionItem, Organization
from . import search
from .bulk import NOT_FOUND
from .service import key_values, now
from .tables import COMPANY, CONTACT, Kind, Mention, RecordKey

MAX_COPY = 50_000
CHUNK = 5_000  # ids per IN (...) query
STEP = 2_000  # records per insert; progress (and a cancel check) after each
DERIVED_FIELDS = ('sort_name', 'search_text')  # see _copy_of
COPIED_FIELDS = ('type', 'description', 'emails', 'pec', 'phones', 'addresses', 'vat_number', 'visibility')
OWN_FIELDS = {'contact': ('first_name', 'last_name', 'role'),
              'company': ('name', 'sector', 'sdi_code', 'registration_number')}

Progress = Callable[[str, int, int], Awaitable[None] | None]


@dataclass
class CopyReport:
    contacts: dict[int, int] = field(default_factory=dict)  # source id -> new id
    companies: dict[int, int] = field(default_factory=dict)  # of the selected companies
    skipped: list[dict] = field(default_factory=list)  # {id, kind, reason}
    companies_created: int = 0  # companies written in the target: the selected ones and contacts' companies
    attachments: int = 0  # attachments (uploaded files and linked ones) written in the target

    def skip(self, kind: Kind, record_id: int, reason: str) -> None:
        self.skipped.append({'id': record_id, 'kind': kind.name, 'reason': reason})


def _ids(name: str, value: object) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(access.is_id(i) for i in value):
        raise ValidationFailed.one(name, _('must be a list of ids'))
    return list(dict.fromkeys(value))


async def _target_membership(actor: Membership, target_org_id: object) -> Membership:
    """The caller's membership of the target; a target where they are not owner or member does not exist for them."""
    if target_org_id == actor.org_id:
        raise ValidationFailed.one('target_org_id', _('must be another organization than the one copied from'))
    target = await access.membership(await User.get(id=actor.user_id), target_org_id)
    if not access.allows(target.role, Action.RECEIVE_COPIES):
        raise NotFound('organization')
    return target


class _Target:
    """What we need to know about the target organization, loaded once."""

    def __init__(self, membership: Membership) -> None:
        self.membership = membership
        self.org_id = membership.org_id
        self.new_options: dict[str, list[str]] = {}

    async def load(self, emails: set[str], vats: set[str], company_names: set[str]) -> None:
        """What the target already has, among the records the copier can see there: the matching goes through the
        gate with the copier's membership of the target, so a private record they cannot see is neither reported
        ("already in the target") nor linked to, as if it did not exist."""
        self.lists = await option_lists(self.org_id)
        self.people = set(await access.mentionable_members(self.org_id).values_list('user_id', flat=True))
        values = sorted(emails | vats)
        seen = Q(contact_id__in=access.visible_ids(CONTACT, self.membership)) \
            | Q(company_id__in=access.visible_ids(COMPANY, self.membership))
        keys = await chunked(lambda chunk: RecordKey.filter(org_id=self.org_id, kind__in=['email', 'vat'],
                                                            value__in=chunk).filter(seen)
                             .values('kind', 'value', 'contact_id', 'company_id'), values, CHUNK)
        self.contact_keys = {(k['kind'], k['value']) for k in keys if k['contact_id']}
        self.company_by_key = {(k['kind'], k['value']): k['company_id'] for k in keys if k['company_id']}
        names = await chunked(lambda chunk: access.visible(COMPANY, self.membership).filter(sort_name__in=chunk)
                              .values('id', 'sort_name', 'vat_number'), sorted(company_names), CHUNK)
        self.company_by_name = {c['sort_name']: c['id'] for c in names if not c['vat_number']}

    def option(self, list_kind: str, value: str) -> str:
        if value and value not in self.lists[list_kind] and value not in self.new_options.get(list_kind, []):
            self.new_options.setdefault(list_kind, []).append(value)
        return value

    def existing(self, kind: Kind, record: SimpleNamespace) -> str | None:
        """Why this record already exists in the target (same email or VAT number; a company without a VAT number
        also by its name, as text.company_name_key compares names), or None."""
        keys = [('email', e.lower()) for e in record.emails] + ([('vat', record.vat_number)] if record.vat_number
                                                                 else [])
        for key in keys:
            if (key in self.contact_keys) if kind is CONTACT else (key in self.company_by_key):
                return (_('already in the target: same email {value}', value=key[1]) if key[0] == 'email'
                        else _('already in the target: same VAT number {value}', value=key[1]))
        if kind is COMPANY and not record.vat_number and record.sort_name in self.company_by_name:
            return _('already in the target: same name {name}', name=record.name)
        return None

    def matching_company(self, company: SimpleNamespace) -> int | None:
        """A target company that is this one: same VAT number, or the same name when it has no VAT number."""
        if company.vat_number:
            return self.company_by_key.get(('vat', company.vat_number))
        return self.company_by_name.get(company.sort_name)


@dataclass
class _New:
    """A record the copy writes: its source's values as read (`source`), and what differs in the copy. The record
    itself is written by the database from its source's row (_insert_records), so only this much goes through
    Python: its new id and company, and its description where mentions of people who are not in the target become
    plain text."""
    kind: Kind
    source: SimpleNamespace
    description: str | None  # None: the source's, as it is
    mentions: list[int]
    id: int = 0
    company_id: int | None = None


def _copy_of(kind: Kind, source: SimpleNamespace, target: _Target) -> _New:
    """What the copy of this record needs besides its source's row. Its sort and search columns are the source's:
    they derive from names, emails, PEC, VAT number and phones (service.derive_columns), which a copy keeps as they
    are; recomputing them (phone parsing) was most of a big copy's time. Only the description can differ, and nothing
    is derived from it but its mentions (written with the copy)."""
    for name, list_kind in kind.options.items():
        target.option(list_kind, getattr(source, name))
    if '@[' not in source.description:  # no mention: nothing to rewrite (most records; the regex costs)
        return _New(kind, source, None, [])
    description = plain_text(source.description, keep=target.people)  # strangers become plain text
    return _New(kind, source, None if description == source.description else description,
                mentioned_user_ids(description))


async def check_copy(actor: Membership, target_org_id: object, contact_ids: object,
                     company_ids: object) -> tuple[Membership, list[int], list[int]]:
    """Whether the caller may make this copy (before it starts, and again as it runs): their membership of the target
    and the ids, without repeats."""
    require(actor.role, Action.COPY_OUT)
    target = await _target_membership(actor, target_org_id)
    contact_ids, company_ids = _ids('contact_ids', contact_ids), _ids('company_ids', company_ids)
    if len(contact_ids) + len(company_ids) > MAX_COPY:
        raise ValidationFailed.one('contact_ids', ngettext('copy at most {count} record at a time',
                                                           'copy at most {count} records at a time', MAX_COPY))
    return target, contact_ids, company_ids


async def copy_records(*, actor: Membership, target_org_id: object, contact_ids: object = None,
                       company_ids: object = None, copy_anyway: bool = False, integrations=None,
                       progress: Progress | None = None) -> CopyReport:
    """Copy what the caller can see of the selected records; report what was copied and what was skipped.
    `progress(step, done, total)` hears how far it got ('prepared', 'copying' every STEP records, 'done' once
    committed); an exception it raises before 'done' (a cancelled job) leaves the target as it was."""
    membership, contact_ids, company_ids = await check_copy(actor, target_org_id, contact_ids, company_ids)
    target = _Target(membership)
    report = CopyReport()

    async def tell(step: str, done: int, total: int) -> None:
        if progress is not None:
            result = progress(step, done, total)
            if result is not None:
                await result

    # ---- read what the caller may see: the values the copy is planned by, not whole records
    contacts = await _read(CONTACT, actor, contact_ids)
    companies = await _read(COMPANY, actor, company_ids)
    for kind, wanted, found in ((CONTACT, contact_ids, contacts), (COMPANY, company_ids, companies)):
        seen = {r.id for r in found}
        for record_id in wanted:
            if record_id not in seen:
                report.skip(kind, record_id, _(NOT_FOUND))
    selected_companies = {c.id for c in companies}
    linked_ids = sorted({c.company_id for c in contacts if c.company_id} - selected_companies)
    linked = await _read(COMPANY, actor, linked_ids)
    all_companies = companies + linked
    await target.load(emails={e.lower() for r in contacts + companies for e in r.emails},
                      vats={r.vat_number for r in contacts + all_companies if r.vat_number},
                      company_names={c.sort_name for c in all_companies if not c.vat_number})
    await tell('prepared', 0, len(contacts) + len(all_companies))

    # ---- decide what each company becomes in the target: a copy, or an existing company
    moment = now()
    company_plan: dict[int, _New | int] = {}  # source id -> new record to write, or an existing target id
    for company in companies:
        reason = None if copy_anyway else target.existing(COMPANY, company)
        if reason:
            report.skip(COMPANY, company.id, reason)
            match = target.matching_company(company)
            if match:
                company_plan[company.id] = match
        else:
            company_plan[company.id] = _copy_of(COMPANY, company, target)
    for company in linked:  # not selected: link to the same company in the target, else copy it once
        company_plan[company.id] = target.matching_company(company) or _copy_of(COMPANY, company, target)
    contact_plan: list[_New] = []
    for contact in contacts:
        reason = None if copy_anyway else target.existing(CONTACT, contact)
        if reason:
            report.skip(CONTACT, contact.id, reason)
        else:
            contact_plan.append(_copy_of(CONTACT, contact, target))
    new_companies = [plan for plan in company_plan.values() if not isinstance(plan, int)]

    # ---- files first (no transaction is open while files are copied), then write, all or nothing
    files = _Files(integrations, target.org_id)
    await files.copy([(new.kind, new.source.id) for new in new_companies + contact_plan], actor.user_id)
    total = len(contact_plan) + len(new_companies)
    try:
        async with in_transaction() as connection:
            await _write(connection, target, company_plan, contact_plan, actor.user_id, moment, tell, total)
            report.attachments = await files.attach({(new.kind.name, new.source.id): new.id
                                                     for new in new_companies + contact_plan})
            source = await Organization.get(id=actor.org_id)
            await _write_history(connection, recording.entry_values(
                CONTACT, 0, org_id=target.org_id, by_id=actor.user_id, happened=Happened.COPIED_IN,
                ref_kind=ORGANIZATION, ref_id=source.id, ref_name=source.name, at=moment))
            await _drop_map(connection)
    except BaseException:
        await files.discard()
        raise
    report.companies = {new.source.id: new.id for new in new_companies if new.source.id in selected_companies}
    report.companies_created = len(new_companies)
    report.contacts = {new.source.id: new.id for new in contact_plan}
    await tell('done', total, total)
    return report


# what the plan reads of each record: the gate's ids, what "already in the target" and the company links compare,
# the values of option lists, the description (its mentions), the lookup keys, and the version the copy is of
READ = {CONTACT.name: ('id', 'version', 'company_id', 'emails', 'phones', 'pec', 'vat_number', 'description', 'type',
                       'role'),
        COMPANY.name: ('id', 'version', 'emails', 'phones', 'pec', 'vat_number', 'description', 'type', 'sector',
                       'name', 'sort_name')}


async def _read(kind: Kind, actor: Membership, ids: list[int]) -> list[SimpleNamespace]:
    """What the plan needs of the records of these ids the caller may see, as plain values in the order asked."""
    rows = await chunked(lambda chunk: access.visible(kind, actor).filter(id__in=chunk).values(*READ[kind.name]),
                         ids, CHUNK)
    by_id = {row['id']: row for row in rows}
    return [SimpleNamespace(**by_id[i]) for i in ids if i in by_id]


# The copy's map, inside its transaction: one row per record written (companies first, then contacts), `pos` its
# place in that order. The database copies each record from its source's row through it (INSERT ... SELECT), so no
# record goes through Python; `version` is the one the plan read, so a source changed meanwhile is not copied.
MAP = 'copy_map'
MAP_COLUMNS = ('pos', 'kind', 'source_id', 'version', 'new_id', 'company_id', 'description')


async def _make_map(connection, records: list[_New]) -> None:
    postgres = connection.capabilities.dialect == 'postgres'
    await connection.execute_query(
        f'CREATE TEMPORARY TABLE {MAP} (pos INTEGER PRIMARY KEY, kind VARCHAR(8) NOT NULL, source_id INTEGER NOT NULL, '
        f'version INTEGER NOT NULL, new_id INTEGER NOT NULL, company_id INTEGER, description TEXT)'
        + (' ON COMMIT DROP' if postgres else ''))
    rows = [(pos, new.kind.name, new.source.id, new.source.version, new.id, new.company_id, new.description)
            for pos, new in enumerate(records)]
    if postgres:
        await connection._connection.copy_records_to_table(MAP, records=rows, columns=MAP_COLUMNS)
        await connection.execute_query(f'ANALYZE {MAP}')
    else:
        await connection.execute_many(f'INSERT INTO {MAP} VALUES ({", ".join("?" * len(MAP_COLUMNS))})', rows)


async def _drop_map(connection) -> None:
    """SQLite keeps a temporary table for the connection's life (PostgreSQL drops it at the commit)."""
    if connection.capabilities.dialect != 'postgres':
        await connection.execute_query(f'DROP TABLE temp.{MAP}')


def _sql(connection, text: str) -> str:
    """`text` with its `?` parameters numbered as PostgreSQL writes them ($1, $2, ...); as it is for SQLite."""
    if connection.capabilities.dialect != 'postgres':
        return text
    numbers = iter(range(1, text.count('?') + 1))
    return re.sub(r'\?', lambda _match: f'${next(numbers)}', text)


async def _changed_rows(connection, sql: str, values: list) -> int:
    """Run a write; how many rows the statement itself wrote (not counting what its triggers wrote)."""
    if connection.capabilities.dialect == 'postgres':  # counted here: Tortoise reads an INSERT's status as 0 rows
        rows = await connection.execute_query_dict(
            _sql(connection, f'WITH written AS ({sql} RETURNING 1) SELECT COUNT(*) AS n FROM written'), values)
    else:
        await connection.execute_query(sql, values)
        rows = await connection.execute_query_dict('SELECT changes() AS n')
    return rows[0]['n']


async def _write(connection, target: _Target, company_plan: dict[int, _New | int], contact_plan: list[_New],
                 copier_id: int, moment, tell, total: int) -> None:
    """Write the planned records (inside the caller's transaction): ids reserved for them, their map, then each kind
    STEP records per statement from their sources' rows, then their keys and mentions in bulk."""
    await _add_options(target)
    companies = [plan for plan in company_plan.values() if not isinstance(plan, int)]
    for kind, planned in ((COMPANY, companies), (CONTACT, contact_plan)):
        for new, new_id in zip(planned, await reserve_ids(kind.model._meta.db_table, len(planned)), strict=True):
            new.id = new_id
    target_company = {sid: plan if isinstance(plan, int) else plan.id for sid, plan in company_plan.items()}
    for new in contact_plan:
        new.company_id = target_company.get(new.source.company_id)
    records = companies + contact_plan
    await _make_map(connection, records)
    done = 0
    for kind, planned in ((COMPANY, companies), (CONTACT, contact_plan)):
        at = kind.model._meta.fields_map['created_at'].to_db_value(moment, kind.model)
        if not planned:
            continue
        table = kind.model._meta.db_table
        async with search.indexed_in_bulk(connection, table, planned[0].id, planned[-1].id):
            for start in range(0, len(planned), STEP):
                first = done
                done += len(planned[start:start + STEP])
                written = await _changed_rows(connection, _insert_sql(kind, table),
                                              [target.org_id, copier_id, copier_id, at, at, first, done])
                if written != done - first:
                    raise Conflict(_('Some of the records changed while they were being copied: nothing was '
                                     'copied, please copy them again'))
                await tell('copying', done, total)
    keys, mentions = BulkInsert(RecordKey, connection, with_ids=False), BulkInsert(Mention, connection, with_ids=False)
    # the source's keys: the same values (key_values only normalizes them), nothing is parsed again
    await keys.run([keys.blank(org_id=target.org_id, kind=k, value=v, **{f'{new.kind.name}_id': new.id})
                    for new in records for k, v in key_values(new.source)])
    await mentions.run([mentions.blank(user_id=user_id, **{f'{new.kind.name}_id': new.id})
                        for new in records for user_id in new.mentions])


def _insert_sql(kind: Kind, table: str) -> str:
    """The copies of the map's records of one kind at positions [?, ?), each from its source's row as the plan read
    it (same version); the description the map gives where it differs."""
    copied = [name for name in COPIED_FIELDS + OWN_FIELDS[kind.name] + DERIVED_FIELDS if name != 'description']
    columns = ['id', 'org_id', 'created_by_id', 'updated_by_id', 'created_at', 'updated_at', 'version',
               'description', *copied] + (['company_id'] if kind is CONTACT else [])
    values = ['m.new_id', '?', '?', '?', '?', '?', '1', 'COALESCE(m.description, s.description)',
              *(f's.{name}' for name in copied)] + (['m.company_id'] if kind is CONTACT else [])
    return (f'INSERT INTO {table} ({", ".join(columns)}) SELECT {", ".join(values)} FROM {MAP} m '
            f'JOIN {table} s ON s.id = m.source_id AND s.version = m.version '
            f"WHERE m.pos >= ? AND m.pos < ? AND m.kind = '{kind.name}' ORDER BY m.pos")


async def _write_history(connection, entry: dict) -> None:
    """Each written record's entry (`entry`'s values, for every record of the map: companies first)."""
    assert entry['changes'] == {} and entry['note_id'] is None
    columns = ('org_id', 'at', 'by_id', 'action', 'ref_kind', 'ref_id', 'ref_name')
    at = HistoryEntry._meta.fields_map['at'].to_db_value(entry['at'], HistoryEntry)
    for kind in (COMPANY, CONTACT):
        await connection.execute_query(_sql(connection, (
            f'INSERT INTO {HistoryEntry._meta.db_table} ({", ".join(columns)}, changes, {kind.name}_id) '
            f"SELECT ?, ?, ?, ?, ?, ?, ?, '{{}}', new_id FROM {MAP} WHERE kind = '{kind.name}' ORDER BY pos")),
            [*(at if name == 'at' else entry[name] for name in columns)])


class _Files:
    """The attachments that come along: uploaded files copied in the store before the transaction (and removed
    again if it fails), counted against the target's quota inside it; linked files copied as links."""

    def __init__(self, integrations, target_org_id: int) -> None:
        self.integrations = integrations
        self.target_org_id = target_org_id
        self.rows: list[tuple[str, int, dict]] = []  # (kind, source record id, values of the new attachment)
        self.new_keys: list[str] = []
        self.bytes = 0

    async def copy(self, sources: list[tuple[Kind, int]], copier_id: int) -> None:
        for kind in (CONTACT, COMPANY):
            ids = [sid for k, sid in sources if k is kind]
            found = await chunked(lambda chunk, kind=kind: Attachment.filter(**{f'{kind.name}_id__in': chunk})
                                  .order_by('id'), ids, CHUNK)
            for attachment in found:
                values = {'source': attachment.source, 'filename': attachment.filename, 'size': attachment.size,
                          'content_type': attachment.content_type, 'storage_key': attachment.storage_key,
                          'web_link': attachment.web_link, 'uploaded_by_id': attachment.uploaded_by_id,
                          'created_at': attachment.created_at}
                if attachment.source == Source.UPLOAD.value:
                    self.bytes += attachment.size or 0
                    values['uploaded_by_id'] = copier_id
                self.rows.append((kind.name, getattr(attachment, f'{kind.name}_id'), values))
        uploads = [values for _, _, values in self.rows if values['source'] == Source.UPLOAD.value]
        if not uploads:
            return
        target = await Organization.get(id=self.target_org_id)
        if target.storage_used + self.bytes > target.storage_quota:  # checked again, atomically, when reserving
            raise TooLarge(_quota_message(target, self.bytes))
        if self.integrations is None:
            raise ValidationFailed.one('attachments', _('files cannot be copied here (no file store)'))
        try:
            for values in uploads:
                store = self.integrations.files
                stored = await store.save(store.read(values['storage_key']), limit=max(values['size'] or 0, 1))
                self.new_keys.append(stored.key)
                values['storage_key'] = stored.key
        except BaseException:
            await self.discard()
            raise

    async def attach(self, new_ids: dict[tuple[str, int], int]) -> int:
        """Inside the transaction: reserve the target's space, then save the attachment rows; returns how many."""
        if not self.rows:
            return 0
        rows = [Attachment(org_id=self.target_org_id, **{f'{kind_name}_id': new_ids[(kind_name, source_id)]}, **values)
                for kind_name, source_id, values in self.rows]
        if self.bytes:
            reserved = await Organization.filter(id=self.target_org_id,
                                                 storage_used__lte=F('storage_quota') - self.bytes) \
                .update(storage_used=F('storage_used') + self.bytes)
            if not reserved:
                raise TooLarge(_quota_message(await Organization.get(id=self.target_org_id), self.bytes))
        await Attachment.bulk_create(rows, batch_size=1000)
        return len(rows)

    async def discard(self) -> None:
        for key in self.new_keys:
            await self.integrations.files.delete(key)
        self.new_keys = []


def _quota_message(org, size: int) -> str:
    def mib(value: int) -> str:
        return i18n.number(value / (1024 * 1024), '#,##0.0')
    return _('The attachments need {size} MiB but {organization} has {free} MiB free of its {quota} MiB: nothing was '
             'copied', size=mib(size), organization=org.name, free=mib(max(0, org.storage_quota - org.storage_used)),
             quota=mib(org.storage_quota))


async def _add_options(target: _Target) -> None:
    for list_kind, names in target.new_options.items():
        start = len(target.lists[list_kind])
        await OptionItem.bulk_create([OptionItem(org_id=target.org_id, kind=list_kind, name=name, position=start + i)
                                      for i, name in enumerate(names)])


async def copy_targets(actor: Membership) -> list[Membership]:
    """The other organizations the caller may copy into: those where they are owner or member."""
    if not access.allows(actor.role, Action.COPY_OUT):
        return []
    return copy_targets_among(actor, await Membership.filter(user_id=actor.user_id).select_related('org')
                              .order_by('org__name'))


def copy_targets_among(actor: Membership, memberships: list[Membership]) -> list[Membership]:
    """`copy_targets` among the caller's memberships (with their organizations) read a moment ago, e.g. by the page
    being built: the same rule without another query."""
    if not access.allows(actor.role, Action.COPY_OUT):
        return []
    return [m for m in memberships if m.org_id != actor.org_id and access.allows(m.role, Action.RECEIVE_COPIES)]
