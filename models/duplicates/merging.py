"""Merging two likely duplicate contacts or companies, and undoing a merge.

A merge keeps one record ("keep") and removes the other ("other"):
- per scalar field the caller picks whose value stays (`choices`: field -> 'keep' | 'other', default 'keep');
  the description may also be 'both': the two texts joined (`joined_descriptions`), with the mentions of both;
- emails, phones and addresses are the union of both, deduplicated. When a union is longer than the limit (3),
  the merge is refused with a 422 naming the field, unless the caller passes that list explicitly, chosen among
  the values of the two records;
- every row of any table that points at the other record is re-pointed at the kept one. The tables are found in
  Tortoise's registry (every foreign key to Contact/Company), so a table added later is moved too. A row that
  would break a unique rule of its table (both records linked to the same project) is dropped, kept in the log;
  the derived rows (lookup keys, mentions) are rewritten instead;
- everything happens in one transaction, guarded by the kept record's version (and the versions the caller saw).

Every merge writes a MergeLog with a snapshot of both records and the ids of every row it moved or dropped, so
"undo merge" recreates the removed record with its own id and fields, restores the kept one, and moves back
exactly those rows. Undo is refused (409) when the kept record was changed after the merge.

Visibility: only someone who can see both records may merge them. A private record's data may only be merged
away by its creator (otherwise the merge would show it to the kept record's audience), and the visibility of the
kept record may only be changed by its creator, as in `records.update_record`. A merge log (in "recent merges",
and to undo) holds both records whole, so it passes the same gate as the records it holds: it exists only for
someone who could see BOTH records as they were at merge time (public, created by them, or mentioning them), and
who still sees the kept record. The log keeps what that needs in its own columns and MergeLogMention rows, so the
gate stays a database filter.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise import Tortoise, fields
from tortoise.expressions import F, Q, Subquery
from tortoise.fields.relational import ForeignKeyFieldInstance, OneToOneFieldInstance
from tortoise.models import Model
from tortoise.transactions import in_transaction

from .. import access, i18n
from ..access import Action, require
from ..carddav.tables import DavCard
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..history import recording
from ..history.recording import MERGE, Happened
from ..i18n import N_, _
from ..orgs.tables import Membership
from ..pages import is_whole_number
from ..records import live
from ..records.service import _write_related, derive_columns, get_record, kind_named, now, stale
from ..records.tables import COMPANY, CONTACT, KINDS, Kind, Mention, Record, RecordKey, Visibility
from ..text import fold
from ..validation import DESCRIPTION_MAX, MAX_ADDRESSES, MAX_EMAILS, MAX_PHONES, FieldErrors
from .tables import MergeLog, MergeLogMention

RECENT_MERGES = 20
# the refusals that name one of the lists (emails, phones, addresses) and one side of a merge: whole sentences
_TOO_MANY_TOGETHER = {
    'emails': N_('the two records have {count} emails together, more than {most}: choose at most {most} to keep'),
    'phones': N_('the two records have {count} phones together, more than {most}: choose at most {most} to keep'),
    'addresses': N_('the two records have {count} addresses together, more than {most}: choose at most {most} to '
                    'keep'),
}
_NOT_ONE_OF = {'emails': N_('is not one of the emails of the two records'),
               'phones': N_('is not one of the phones of the two records'),
               'addresses': N_('is not one of the addresses of the two records')}
_CHANGED_SINCE = {
    ('contact', 'keep'): N_('The kept contact was changed after you opened it; reload to compare again'),
    ('contact', 'other'): N_('The other contact was changed after you opened it; reload to compare again'),
    ('company', 'keep'): N_('The kept company was changed after you opened it; reload to compare again'),
    ('company', 'other'): N_('The other company was changed after you opened it; reload to compare again'),
}

SCALAR_FIELDS = {
    CONTACT.name: ('first_name', 'last_name', 'type', 'role', 'company_id', 'description', 'pec', 'vat_number',
                   'visibility'),
    COMPANY.name: ('name', 'type', 'sector', 'description', 'pec', 'vat_number', 'sdi_code', 'registration_number',
                   'visibility'),
}
LIST_FIELDS = {'emails': MAX_EMAILS, 'phones': MAX_PHONES, 'addresses': MAX_ADDRESSES}
CHOICES = ('keep', 'other')
BOTH = 'both'  # a choice for the description only: both texts, joined (joined_descriptions)

# The tables pointing at contacts and companies that the merge rewrites itself instead of moving their rows, and
# the one that stays with its own record: a phone's UID and kept properties (DavCard) belong to the card the phone
# has, so the removed record's go with it (a phone learns of its removal and keeps the kept card as it was).
DERIVED = {(Mention, 'contact'), (Mention, 'company'), (RecordKey, 'contact'), (RecordKey, 'company'),
           (DavCard, 'contact'), (DavCard, 'company')}


# ---------------------------------------------------------------- what points at a record

@dataclass(frozen=True)
class Reference:
    """A foreign key of some table to contacts or companies."""
    model: type[Model]
    field: str  # the relation's name, e.g. 'contact'

    @property
    def column(self) -> str:
        return self.model._meta.fields_map[self.field].source_field

    @property
    def key(self) -> str:
        return f'{self.model._meta.db_table}.{self.column}'

    @property
    def unique_partners(self) -> list[tuple[str, ...]]:
        """For each unique rule that includes this key, the other columns of the rule."""
        found = []
        for rule in self.model._meta.unique_together or ():
            if self.field in rule:
                found.append(tuple(self.model._meta.fields_map[f].source_field
                                   if f in self.model._meta.fk_fields | self.model._meta.o2o_fields else f
                                   for f in rule if f != self.field))
        return found


def references(kind: Kind) -> list[Reference]:
    """Every foreign key (or one-to-one) of every registered model that points at this kind of record."""
    found = []
    for model in Tortoise.apps.get_models_iterable():
        for name in sorted(model._meta.fk_fields | model._meta.o2o_fields):
            relation = model._meta.fields_map[name]
            if isinstance(relation, ForeignKeyFieldInstance | OneToOneFieldInstance) \
                    and relation.related_model is kind.model:
                found.append(Reference(model, name))
    return found


def moved_references(kind: Kind) -> list[Reference]:
    return [r for r in references(kind) if (r.model, r.field) not in DERIVED]


def _reference_by_key(kind: Kind) -> dict[str, Reference]:
    return {r.key: r for r in moved_references(kind)}


# ---------------------------------------------------------------- the scan


# ---------------------------------------------------------------- snapshots

def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


async def snapshot(kind: Kind, record_id: int) -> dict:
    """Every column of a record, JSON-ready, and the users its mention rows name."""
    columns = await kind.model.filter(id=record_id).values()
    if not columns:
        raise NotFound(kind.name)
    mentions = await Mention.filter(**{f'{kind.name}_id': record_id}).order_by('id').values_list('user_id', flat=True)
    return {'columns': {name: _jsonable(value) for name, value in columns[0].items()}, 'mentions': list(mentions)}


def _columns_from(kind: Kind, saved: dict) -> dict:
    """The column values of a snapshot, with timestamps back as datetimes."""
    values = {}
    for name, value in saved['columns'].items():
        model_field = kind.model._meta.fields_map.get(name)
        if isinstance(model_field, fields.DatetimeField) and isinstance(value, str):
            value = datetime.fromisoformat(value)
        values[name] = value
    return values


# ---------------------------------------------------------------- preview and merge

def _address_key(address: dict) -> tuple:
    return tuple(fold(str(address.get(k) or '')) for k in ('street', 'city', 'postal_code', 'province', 'country'))


def _union(name: str, first: list, second: list) -> list:
    seen, result = set(), []
    for value in [*first, *second]:
        key = value.lower() if name == 'emails' else _address_key(value) if name == 'addresses' else value
        if key not in seen:
            seen.add(key)
            result.append(value)
    return result


def joined_descriptions(kind: Kind, keep: Record, other: Record) -> str:
    """Both descriptions in one, for the merge's "keep both": the kept record's text, then the other's under a
    line saying where it comes from. An empty or identical description adds nothing."""
    first, second = keep.description.strip(), other.description.strip()
    if not second or second == first:
        return keep.description
    if not first:
        return other.description
    origin = (_('--- From the merged contact "{name}" ---', name=other.display_name) if kind is CONTACT
              else _('--- From the merged company "{name}" ---', name=other.display_name))
    return f'{first}\n\n{origin}\n{second}'


@dataclass
class Preview:
    """Both records side by side and what a merge would do, for the review screen."""
    kind: Kind
    keep: Record
    other: Record
    fields: tuple[str, ...]
    unions: dict[str, list]  # emails, phones, addresses of both, deduplicated
    over_limit: dict[str, int]  # list fields whose union is longer than the limit -> the limit
    moved: dict[str, int]  # what moves from the other record to the kept one: 'attachments', 'connections', ...


async def _pair(kind: Kind, actor: Membership, keep_id: object, other_id: object) -> tuple[Record, Record]:
    if keep_id == other_id:
        raise ValidationFailed.one('other_id', _('must be another record than keep_id'))
    keep = await get_record(kind, actor, keep_id)
    other = await get_record(kind, actor, other_id)
    return keep, other


async def preview(kind: Kind, actor: Membership, keep_id: object, other_id: object) -> Preview:
    require(actor.role, Action.SEE_RECORDS)
    keep, other = await _pair(kind, actor, keep_id, other_id)
    unions = {name: _union(name, getattr(keep, name), getattr(other, name)) for name in LIST_FIELDS}
    over = {name: limit for name, limit in LIST_FIELDS.items() if len(unions[name]) > limit}
    moved = {}
    for reference in moved_references(kind):
        label = reference.model._meta.db_table
        rows = reference.model.filter(**_scope(reference, actor.org_id), **{reference.column: other.id})
        moved[label] = moved.get(label, 0) + await rows.count()
    return Preview(kind, keep, other, SCALAR_FIELDS[kind.name], unions, over, moved)


def _scope(reference: Reference, org_id: int) -> dict:
    """Rows of a table with an organization are looked up within it: that is how their indexes start
    (contacts are indexed by (org_id, company_id)), and a record's rows are always in its organization."""
    return {'org_id': org_id} if 'org' in reference.model._meta.fk_fields else {}


@dataclass
class MergeResult:
    log: MergeLog
    record: Record
    moved: dict[str, int]  # "table.column" -> rows moved
    dropped: dict[str, int]  # table -> rows dropped as duplicates


def _check_choices(kind: Kind, choices: object) -> dict[str, str]:
    if choices is None:
        return {}
    if not isinstance(choices, dict):
        raise ValidationFailed.one('choices', _('must map field names to "keep" or "other"'))
    checks = FieldErrors()
    for name, choice in choices.items():
        if name not in SCALAR_FIELDS[kind.name]:
            checks.add(f'choices.{name}', _('is not a field to choose for a contact') if kind is CONTACT
                       else _('is not a field to choose for a company'))
        elif name == 'description' and choice == BOTH:
            continue
        elif choice not in CHOICES:
            checks.add(f'choices.{name}', _('must be "keep", "other" or "both"') if name == 'description'
                       else _('must be "keep" or "other"'))
    checks.raise_if_any()
    return dict(choices)


def _check_lists(unions: dict[str, list], lists: dict | None) -> dict[str, list]:
    """The final emails, phones and addresses: the unions, or the caller's picks among them."""
    lists = lists or {}
    checks = FieldErrors()
    final = {}
    for name, limit in LIST_FIELDS.items():
        union = unions[name]
        if lists.get(name) is None:
            if len(union) > limit:
                checks.add(name, _(_TOO_MANY_TOGETHER[name], count=i18n.number(len(union)), most=limit))
            final[name] = union
            continue
        picked = lists[name]
        keys = {(_address_key(v) if name == 'addresses' else v.lower() if name == 'emails' else v): v
                for v in union}
        if not isinstance(picked, list):
            checks.add(name, _('must be a list'))
            continue
        chosen = []
        for i, value in enumerate(picked):
            key = (_address_key(value) if isinstance(value, dict) else None) if name == 'addresses' else \
                (value.lower() if isinstance(value, str) and name == 'emails' else value)
            if not isinstance(key, str | tuple) or key not in keys:
                checks.add(f'{name}[{i}]', _(_NOT_ONE_OF[name]))
            elif keys[key] not in chosen:
                chosen.append(keys[key])
        if len(chosen) > limit:
            checks.add(name, _('{count} chosen: choose at most {most} to keep', count=len(chosen), most=limit))
        final[name] = chosen
    checks.raise_if_any()
    return final


def _check_versions(kind: Kind, keep: Record, other: Record, versions: object) -> None:
    if versions is None:
        return
    if not isinstance(versions, dict):
        raise ValidationFailed.one('versions', _('must be {shape}', shape='{"keep": version, "other": version}'))
    for role, record in (('keep', keep), ('other', other)):
        seen = versions.get(role)
        if seen is None:
            continue
        if not is_whole_number(seen):
            raise ValidationFailed.one(f'versions.{role}', _('must be a version number'))
        if seen != record.version:
            raise StaleMerge(_(_CHANGED_SINCE[kind.name, role]), record.version)


class StaleMerge(Conflict):
    def __init__(self, message: str, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.changed_by = ''
        self.changed_at = now()


async def merge(kind: Kind, actor: Membership, keep_id: object, other_id: object, *, choices: object = None,
                versions: object = None, lists: dict | None = None) -> MergeResult:
    """Merge `other_id` into `keep_id` (see the module's description); returns the log to undo it."""
    require(actor.role, Action.EDIT_RECORDS)
    choices = _check_choices(kind, choices)
    keep, other = await _pair(kind, actor, keep_id, other_id)
    _check_versions(kind, keep, other, versions)
    if not access.may_merge_away(actor, other):
        raise Forbidden(_('Only the person who created the private contact "{name}" may merge it into another one',
                          name=other.display_name) if kind is CONTACT else
                        _('Only the person who created the private company "{name}" may merge it into another one',
                          name=other.display_name))
    values = {name: getattr(other if choices.get(name) == 'other' else keep, name) for name in SCALAR_FIELDS[kind.name]}
    if choices.get('description') == BOTH:
        values['description'] = joined_descriptions(kind, keep, other)
        if len(values['description']) > DESCRIPTION_MAX:
            raise ValidationFailed.one('choices.description', _(
                'the two descriptions together are {length} characters, more than {most}: keep one of them',
                length=i18n.number(len(values['description'])), most=i18n.number(DESCRIPTION_MAX)))
    if values['visibility'] != keep.visibility:
        access.require_may_change_visibility(
            actor, keep, refusal=_('Only the person who created the kept record may change its visibility'))
    if kind is CONTACT and values['company_id'] is not None and values['company_id'] != keep.company_id \
            and not await access.visible(COMPANY, actor).filter(id=values['company_id']).exists():
        raise ValidationFailed.one('choices.company_id', _('is not a company you can see'))
    unions = {name: _union(name, getattr(keep, name), getattr(other, name)) for name in LIST_FIELDS}
    values |= _check_lists(unions, lists)

    async with in_transaction():
        kept_before = await snapshot(kind, keep.id)
        removed_before = await snapshot(kind, other.id)
        if kept_before['columns']['version'] != keep.version:
            raise await stale(kind, keep)
        # lock the other record against a concurrent save (PostgreSQL), checking it is still the version read
        if removed_before['columns']['version'] != other.version or not await kind.model.filter(
                id=other.id, version=other.version).update(version=other.version):
            raise await stale(kind, other)
        mentions = (removed_before if choices.get('description') == 'other' else kept_before)['mentions']
        if choices.get('description') == BOTH:
            mentions = list(dict.fromkeys([*kept_before['mentions'], *removed_before['mentions']]))
        for name, value in values.items():
            setattr(keep, name, value)
        keep.updated_by_id, keep.updated_at = actor.user_id, now()
        derive_columns(kind, keep)
        columns = [*values, 'updated_by_id', 'updated_at', 'sort_name', 'search_text']
        changed = await kind.model.filter(id=keep.id, version=keep.version).update(
            version=F('version') + 1, **{name: getattr(keep, name) for name in columns})
        if not changed:
            raise await stale(kind, keep)
        keep.version += 1

        moved: dict[str, list[int]] = {}
        dropped: dict[str, list[dict]] = {}
        for reference in moved_references(kind):
            await _move(reference, _scope(reference, actor.org_id), other.id, keep.id, moved, dropped)
        await other.delete()  # its lookup keys and mention rows go with it
        await _write_related(kind, keep, [u for u in mentions if u is not None])
        log = await MergeLog.create(
            org_id=actor.org_id, kind=kind.name, kept_id=keep.id, removed_id=other.id,
            kept_name=keep.display_name[:255], removed_name=other.display_name[:255],
            kept_before=kept_before, removed_before=removed_before, kept_version=keep.version,
            moved=moved, dropped=dropped, created_by_id=actor.user_id, **_gate_columns(kept_before, removed_before))
        if mentioned := _gate_mentions(log, kept_before, removed_before):
            await MergeLogMention.bulk_create(mentioned)
        # the removed record's own entries moved to the kept one with its other rows (and go back on undo)
        await recording.write_one(kind, keep.id, org_id=actor.org_id, by_id=actor.user_id, happened=Happened.MERGED,
                                  changes=recording.diff(kind, kept_before['columns'], recording.values_of(kind, keep)),
                                  ref_kind=MERGE, ref_id=log.id, ref_name=log.removed_name)
    live.changed(kind, keep.id, version=keep.version, by=actor.user_id)
    live.deleted(kind, [other.id], by=actor.user_id)
    return MergeResult(log, keep, {k: len(v) for k, v in moved.items()}, {k: len(v) for k, v in dropped.items()})


async def _move(reference: Reference, scope: dict, from_id: int, to_id: int, moved: dict, dropped: dict) -> None:
    """Re-point the rows of one foreign key from one record to the other, dropping those that would duplicate a
    row the target already has under one of the table's unique rules."""
    model, column = reference.model, reference.column
    for partners in reference.unique_partners:
        taken = await model.filter(**scope, **{column: to_id}).values(*partners)
        clashes = Q(*(Q(**{p: row[p] for p in partners}) for row in taken if all(row[p] is not None
                                                                                 for p in partners)),
                    join_type='OR') if taken else None
        if clashes is None or not clashes.children:
            continue
        rows = await model.filter(Q(**{column: from_id}) & clashes, **scope).values()
        if rows:
            dropped.setdefault(model._meta.db_table, []).extend(
                {name: _jsonable(value) for name, value in row.items()} for row in rows)
            await model.filter(id__in=[row['id'] for row in rows]).delete()
    ids = await model.filter(**scope, **{column: from_id}).values_list('id', flat=True)
    if ids:
        await model.filter(id__in=list(ids)).update(**{column: to_id})
        moved.setdefault(reference.key, []).extend(ids)


# ---------------------------------------------------------------- who sees a merge log

SIDES = ('kept', 'removed')


def _gate_columns(kept_before: dict, removed_before: dict) -> dict:
    """The MergeLog columns the gate reads: each record's visibility and creator at merge time."""
    values = {}
    for side, saved in zip(SIDES, (kept_before, removed_before)):
        values[f'{side}_visibility'] = saved['columns']['visibility']
        values[f'{side}_created_by_id'] = saved['columns']['created_by_id']
    return values


def _gate_mentions(log: MergeLog, kept_before: dict, removed_before: dict) -> list[MergeLogMention]:
    """One row per user mentioned in each record at merge time."""
    return [MergeLogMention(log_id=log.id, user_id=user_id, side=side)
            for side, saved in zip(SIDES, (kept_before, removed_before))
            for user_id in dict.fromkeys(u for u in saved['mentions'] if u is not None)]


def _seen_at_merge_time(actor: Membership, side: str) -> Q:
    """The record gate (access.visibility_q) applied to one side of a log as that record was at merge time:
    public, or created by the caller, or the caller was mentioned in it."""
    mentioned = MergeLogMention.filter(user_id=actor.user_id, side=side).values('log_id')
    return (Q(**{f'{side}_visibility': Visibility.PUBLIC.value}) | Q(**{f'{side}_created_by_id': actor.user_id})
            | Q(id__in=Subquery(mentioned)))


def _gated_logs(actor: Membership):
    """The merge logs of the caller's organization whose BOTH records the caller could see at merge time.

    A log holds all of both records (the snapshots undo restores), so it may show no more than the records did:
    someone who never saw the merged-away private record must not learn its name from the list, nor get it back
    whole from undo. As for records, it is a database filter, and a caller whose role sees no records (a guest)
    sees no logs."""
    if actor is None or not access.allows(actor.role, Action.SEE_RECORDS):
        return MergeLog.filter(id__isnull=True)
    logs = MergeLog.filter(org_id=actor.org_id)
    for side in SIDES:
        logs = logs.filter(_seen_at_merge_time(actor, side))
    return logs


async def merges_seen(actor: Membership, ids) -> set[int]:
    """Which of these merges the caller could see both records of (`_gated_logs`): a record's history names the
    record merged into it only to them."""
    wanted = sorted({i for i in ids if i})
    return set(await _gated_logs(actor).filter(id__in=wanted).values_list('id', flat=True)) if wanted else set()


# ---------------------------------------------------------------- recent merges and undo

def _visible_logs(actor: Membership):
    """The merges, not undone, whose two records the caller could see at merge time (`_gated_logs`) and whose
    kept record the caller may see now (it may have become private since, or have been deleted)."""
    if actor is None or not access.allows(actor.role, Action.SEE_RECORDS):
        return MergeLog.filter(id__isnull=True)
    logs = MergeLog.filter(org_id=actor.org_id, undone_at__isnull=True)
    # the record gate is applied to the kept ids of the logs only, so it reads a few rows by primary key
    seen = Q(*(Q(kind=k.name, kept_id__in=Subquery(
        access.visible(k, actor).filter(id__in=Subquery(logs.filter(kind=k.name).values('kept_id'))).values('id')))
        for k in KINDS.values()), join_type='OR')
    return _gated_logs(actor).filter(undone_at__isnull=True).filter(seen)


async def recent_merges(actor: Membership, kind_name: object | None = None, *,
                        limit: int = RECENT_MERGES) -> list[MergeLog]:
    require(actor.role, Action.SEE_RECORDS)
    logs = _visible_logs(actor)
    if kind_name is not None:
        logs = logs.filter(kind=kind_named(kind_name).name)
    return await logs.order_by('-created_at', '-id').limit(limit)


async def get_merge(actor: Membership, merge_id: object) -> MergeLog:
    if not access.is_id(merge_id):
        raise NotFound('merge')
    log = await _visible_logs(actor).filter(id=merge_id).first()
    if log is None:
        if await _gated_logs(actor).filter(id=merge_id, undone_at__isnull=False).exists():
            raise Conflict(_('This merge was already undone'))
        raise NotFound('merge')
    return log


@dataclass
class UndoResult:
    kept: Record
    restored: Record


async def undo_merge(actor: Membership, merge_id: object) -> UndoResult:
    """Put both records back exactly as they were before the merge, with the rows that were moved."""
    require(actor.role, Action.EDIT_RECORDS)
    log = await get_merge(actor, merge_id)
    kind = KINDS[log.kind]
    async with in_transaction():
        kept = await kind.model.filter(id=log.kept_id).first()
        if kept is None:
            raise Conflict(_('The merged contact was deleted; the merge cannot be undone') if kind is CONTACT
                           else _('The merged company was deleted; the merge cannot be undone'))
        if kept.version != log.kept_version:
            versions = {'version': kept.version, 'left': log.kept_version}
            raise Conflict(_('The merged contact was changed after the merge (version {version}, merge left version '
                             '{left}); undoing would lose those changes', **versions) if kind is CONTACT else
                           _('The merged company was changed after the merge (version {version}, merge left version '
                             '{left}); undoing would lose those changes', **versions))
        if await kind.model.filter(id=log.removed_id).exists():
            raise Conflict(_('A contact with id {id} exists again; the merge cannot be undone', id=log.removed_id)
                           if kind is CONTACT else
                           _('A company with id {id} exists again; the merge cannot be undone', id=log.removed_id))
        if not await _undo_claimed(log, actor):
            raise Conflict(_('This merge was already undone'))
        restored = kind.model(**await _still_linked(kind.model, _columns_from(kind, log.removed_before)))
        await restored.save(force_create=True)
        kept_columns = await _still_linked(kind.model, _columns_from(kind, log.kept_before))
        kept_columns.pop('id')
        await kind.model.filter(id=log.kept_id).update(**kept_columns)
        references = _reference_by_key(kind)
        for key, ids in (log.moved or {}).items():
            reference = references.get(key)
            if reference is None:
                raise Conflict(_('The merge moved rows of {table}, which no longer points at contacts', table=key)
                               if kind is CONTACT else
                               _('The merge moved rows of {table}, which no longer points at companies', table=key))
            await reference.model.filter(id__in=ids, **{reference.column: log.kept_id}) \
                .update(**{reference.column: log.removed_id})
        models_by_table = {r.model._meta.db_table: r.model for r in references.values()}
        for table, rows in (log.dropped or {}).items():
            model = models_by_table[table]
            for row in rows:
                values = {name: (datetime.fromisoformat(v) if isinstance(model._meta.fields_map.get(name),
                                                                          fields.DatetimeField) and isinstance(v, str)
                                 else v) for name, v in row.items()}
                values = await _still_linked(model, values)
                if values is not None:
                    await model(**values).save(force_create=True)
        merged = recording.values_of(kind, kept)
        kept = await kind.model.get(id=log.kept_id)
        await _write_related(kind, kept, log.kept_before['mentions'])
        await _write_related(kind, restored, log.removed_before['mentions'])
        await recording.write([
            recording.entry(kind, kept.id, org_id=actor.org_id, by_id=actor.user_id, happened=Happened.MERGE_UNDONE,
                            changes=recording.diff(kind, merged, recording.values_of(kind, kept)),
                            ref_kind=MERGE, ref_id=log.id, ref_name=log.removed_name),
            recording.entry(kind, restored.id, org_id=actor.org_id, by_id=actor.user_id,
                            happened=Happened.MERGE_UNDONE, ref_kind=MERGE, ref_id=log.id, ref_name=log.kept_name)])
    return UndoResult(kept, restored)


async def _still_linked(model: type[Model], values: dict) -> dict | None:
    """The row's values with links to what was deleted since the merge handled as the database would have:
    a SET NULL link (a contact's company, a creator) becomes empty; a row with a CASCADE link to something gone
    is not restored (None), as it would have been deleted with it."""
    values = dict(values)
    for name in model._meta.fk_fields:
        relation = model._meta.fields_map[name]
        column = relation.source_field
        if values.get(column) is None or await relation.related_model.filter(id=values[column]).exists():
            continue
        if relation.on_delete == fields.CASCADE:
            return None
        values[column] = None
    return values


async def _undo_claimed(log: MergeLog, actor: Membership) -> bool:
    """Mark the merge undone, once: two undos at the same time cannot both win."""
    return bool(await MergeLog.filter(id=log.id, undone_at__isnull=True)
                .update(undone_at=now(), undone_by_id=actor.user_id))
