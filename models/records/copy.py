"""Copy contacts and companies into another organization of the same user (docs/product-rules.md: copy).

Everything is read and prepared first, and uploaded files are copied in the store; the records, their
attachments and the target's quota are then written in one transaction. A failure (the target's quota,
a database error) rolls the transaction back and removes the copied files, so the target is exactly as it was.

"Already in the target" (same email or VAT number) and the company a contact is linked to (same VAT number, or
same name as text.company_name_key compares them, held in `sort_name`) are looked for only among the target's
records the copier can see there (the gate, with their membership of the target): a private record of the target
they cannot see is never reported nor linked to.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from .. import access, i18n
from ..access import Action, require
from ..accounts.tables import User
from ..db import BulkInsert, reserve_ids
from ..errors import NotFound, TooLarge, ValidationFailed
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
from .tables import COMPANY, CONTACT, Company, Kind, Mention, Record, RecordKey

MAX_COPY = 50_000
CHUNK = 5_000  # ids per IN (...) query
STEP = 500  # records per insert; progress (and a cancel check) after each
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


async def _chunked(queryset_for, ids: list[int]) -> list:
    rows = []
    for start in range(0, len(ids), CHUNK):
        rows += await queryset_for(ids[start:start + CHUNK])
    return rows


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
        keys = await _chunked(lambda chunk: RecordKey.filter(org_id=self.org_id, kind__in=['email', 'vat'],
                                                             value__in=chunk).filter(seen)
                              .values('kind', 'value', 'contact_id', 'company_id'), values)
        self.contact_keys = {(k['kind'], k['value']) for k in keys if k['contact_id']}
        self.company_by_key = {(k['kind'], k['value']): k['company_id'] for k in keys if k['company_id']}
        names = await _chunked(lambda chunk: access.visible(COMPANY, self.membership).filter(sort_name__in=chunk)
                               .values('id', 'sort_name', 'vat_number'), sorted(company_names))
        self.company_by_name = {c['sort_name']: c['id'] for c in names if not c['vat_number']}

    def option(self, list_kind: str, value: str) -> str:
        if value and value not in self.lists[list_kind] and value not in self.new_options.get(list_kind, []):
            self.new_options.setdefault(list_kind, []).append(value)
        return value

    def existing(self, kind: Kind, record: Record) -> str | None:
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

    def matching_company(self, company: Company) -> int | None:
        """A target company that is this one: same VAT number, or the same name when it has no VAT number."""
        if company.vat_number:
            return self.company_by_key.get(('vat', company.vat_number))
        return self.company_by_name.get(company.sort_name)


def _copy_of(kind: Kind, source: Record, target: _Target, copier_id: int, moment) -> SimpleNamespace:
    """The new record's columns, as a plain object (written by BulkInsert). Its sort and search columns are the
    source's: they derive from names, emails, PEC, VAT number and phones (service.derive_columns), which a copy keeps
    as they are; recomputing them (phone parsing) was most of a big copy's time. Only the description can differ,
    and nothing is derived from it but its mentions (written with the copy)."""
    values = {name: getattr(source, name) for name in COPIED_FIELDS + OWN_FIELDS[kind.name] + DERIVED_FIELDS}
    for name, list_kind in kind.options.items():
        values[name] = target.option(list_kind, values[name])
    values['description'] = plain_text(source.description, keep=target.people)  # strangers become plain text
    return SimpleNamespace(id=None, org_id=target.org_id, created_by_id=copier_id, updated_by_id=copier_id,
                           created_at=moment, updated_at=moment, **values)


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
    `progress(step, done, total)` hears how far it got ('prepared', 'copying' every 500 records, 'done' once
    committed); an exception it raises before 'done' (a cancelled job) leaves the target as it was."""
    membership, contact_ids, company_ids = await check_copy(actor, target_org_id, contact_ids, company_ids)
    target = _Target(membership)
    report = CopyReport()

    async def tell(step: str, done: int, total: int) -> None:
        if progress is not None:
            result = progress(step, done, total)
            if result is not None:
                await result

    # ---- read what the caller may see
    contacts = await _chunked(lambda chunk: access.visible(CONTACT, actor).filter(id__in=chunk), contact_ids)
    companies = await _chunked(lambda chunk: access.visible(COMPANY, actor).filter(id__in=chunk), company_ids)
    for kind, wanted, found in ((CONTACT, contact_ids, contacts), (COMPANY, company_ids, companies)):
        seen = {r.id for r in found}
        for record_id in wanted:
            if record_id not in seen:
                report.skip(kind, record_id, _(NOT_FOUND))
    selected_companies = {c.id for c in companies}
    linked_ids = sorted({c.company_id for c in contacts if c.company_id} - selected_companies)
    linked = await _chunked(lambda chunk: access.visible(COMPANY, actor).filter(id__in=chunk), linked_ids)
    all_companies = companies + linked
    await target.load(emails={e.lower() for r in contacts + companies for e in r.emails},
                      vats={r.vat_number for r in contacts + all_companies if r.vat_number},
                      company_names={c.sort_name for c in all_companies if not c.vat_number})
    await tell('prepared', 0, len(contacts) + len(all_companies))

    # ---- decide what each company becomes in the target: a copy, or an existing company
    moment = now()
    company_plan: dict[int, SimpleNamespace | int] = {}  # source id -> new record to save, or an existing target id
    for company in companies:
        reason = None if copy_anyway else target.existing(COMPANY, company)
        if reason:
            report.skip(COMPANY, company.id, reason)
            match = target.matching_company(company)
            if match:
                company_plan[company.id] = match
        else:
            company_plan[company.id] = _copy_of(COMPANY, company, target, actor.user_id, moment)
    for company in linked:  # not selected: link to the same company in the target, else copy it once
        company_plan[company.id] = target.matching_company(company) or _copy_of(COMPANY, company, target,
                                                                                actor.user_id, moment)
    contact_plan: list[tuple[int, SimpleNamespace]] = []
    for contact in contacts:
        reason = None if copy_anyway else target.existing(CONTACT, contact)
        if reason:
            report.skip(CONTACT, contact.id, reason)
        else:
            contact_plan.append((contact.id, _copy_of(CONTACT, contact, target, actor.user_id, moment)))
    source_company_of = {c.id: c.company_id for c in contacts}

    # ---- files first (no transaction is open while files are copied), then write, all or nothing
    sources = [(COMPANY, sid) for sid, plan in company_plan.items() if not isinstance(plan, int)] + \
              [(CONTACT, sid) for sid, _ in contact_plan]
    files = _Files(integrations, target.org_id)
    await files.copy(sources, actor.user_id)
    total = len(contact_plan) + sum(not isinstance(p, int) for p in company_plan.values())
    try:
        async with in_transaction() as connection:
            new_ids = await _write(connection, target, company_plan, contact_plan, selected_companies,
                                   source_company_of, report, tell, total)
            report.attachments = await files.attach(new_ids)
            source = await Organization.get(id=actor.org_id)
            history = BulkInsert(HistoryEntry, connection, with_ids=False)
            await history.run([history.blank(**recording.entry_values(
                kind, record.id, org_id=target.org_id, by_id=actor.user_id, happened=Happened.COPIED_IN,
                ref_kind=ORGANIZATION, ref_id=source.id, ref_name=source.name, at=moment))
                for kind, record in _new_records(company_plan, contact_plan)])
    except BaseException:
        await files.discard()
        raise
    await tell('done', total, total)
    return report


def _new_records(company_plan, contact_plan) -> list[tuple[Kind, SimpleNamespace]]:
    """The records the copy writes, companies first (in the order they are written)."""
    return [(COMPANY, plan) for plan in company_plan.values() if not isinstance(plan, int)] + \
        [(CONTACT, record) for _, record in contact_plan]


async def _write(connection, target: _Target, company_plan, contact_plan, selected_companies, source_company_of,
                 report: CopyReport, tell, total: int) -> dict[tuple[str, int], int]:
    """Write the prepared records (inside the caller's transaction) set by set: each STEP records in one insert with
    ids reserved for them, then their keys and mentions in bulk, as plain rows; returns (kind, source id) -> new
    id."""
    await _add_options(target)
    companies = [(source_id, plan) for source_id, plan in company_plan.items() if not isinstance(plan, int)]
    target_company = {sid: plan for sid, plan in company_plan.items() if isinstance(plan, int)}
    new_ids: dict[tuple[str, int], int] = {}
    done = 0
    for kind, planned in ((COMPANY, companies), (CONTACT, contact_plan)):
        if kind is CONTACT:  # the companies have their ids now
            target_company.update({sid: record.id for sid, record in companies})
            for source_id, record in planned:
                record.company_id = target_company.get(source_company_of[source_id])
        rows = BulkInsert(kind.model, connection, with_ids=True)
        for start in range(0, len(planned), STEP):
            part = planned[start:start + STEP]
            await _insert(connection, kind, rows, [record for _, record in part])
            for source_id, record in part:
                new_ids[(kind.name, source_id)] = record.id
            done += len(part)
            await tell('copying', done, total)
    for source_id, record in companies:
        if source_id in selected_companies:
            report.companies[source_id] = record.id
    report.companies_created = len(companies)
    report.contacts = {source_id: record.id for source_id, record in contact_plan}
    new_records = _new_records(company_plan, contact_plan)
    keys, mentions = BulkInsert(RecordKey, connection, with_ids=False), BulkInsert(Mention, connection, with_ids=False)
    # the source's keys: the same values (key_values only normalizes them), nothing is parsed again
    await keys.run([keys.blank(org_id=r.org_id, kind=k, value=v, **{f'{kind.name}_id': r.id}) for kind, r in new_records for k, v in key_values(r)])
    await mentions.run([mentions.blank(user_id=user_id, **{f'{kind.name}_id': r.id})
                        for kind, r in new_records for user_id in mentioned_user_ids(r.description)])
    return new_ids


async def _insert(connection, kind: Kind, rows: BulkInsert, records: list[SimpleNamespace]) -> None:
    """One bulk insert of new records, each given its id first (reserved for them in this transaction), so each
    record knows its own id without a query per row."""
    if not records:
        return
    table = kind.model._meta.db_table
    ids = await reserve_ids(table, len(records))
    for record, new_id in zip(records, ids, strict=True):
        record.id = new_id
    async with search.indexed_in_bulk(connection, table, ids[0], ids[-1]):
        await rows.run([rows.blank(**vars(record)) for record in records])


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
            found = await _chunked(lambda chunk, kind=kind: Attachment.filter(**{f'{kind.name}_id__in': chunk})
                                   .order_by('id'), ids)
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
