"""Bulk actions on a selection of contacts or companies: delete them, change their type, role or sector, change
their visibility. The list page's selection toolbar and the API's `…/bulk` route call `bulk_action`.

Each action goes through the gate (the role table, and `visible`: an id the caller may not see is skipped as "not
found", exactly like one that does not exist), is done in SQL, and in one transaction: every record it may
change is changed, or none is. A visibility change skips the records the caller did not create
(`access.may_change_visibility`) and says so, record by record.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from integrations import Integrations

from .. import access
from ..access import Action, require
from ..errors import ValidationFailed
from ..history import recording
from ..history.recording import Happened
from ..i18n import N_, _, ngettext
from ..orgs.service import option_lists
from ..orgs.tables import Membership
from ..validation import FieldErrors, choice
from . import live
from .service import now, trash_records
from .tables import CONTACT, Kind, Visibility

MAX_IDS = 1000
ACTIONS = ('delete', 'change', 'visibility')
# why a record was left alone (in English here, in the reader's language in a result)
NOT_FOUND = N_('not found')
NOT_CREATOR = N_('only the person who created it may change its visibility')


@dataclass
class BulkResult:
    action: str
    done: list[int] = field(default_factory=list)  # the ids the action applies to now (deleted, or with the values)
    skipped: list[dict] = field(default_factory=list)  # {'id': …, 'reason': …} for each id left alone


def at_most_records(limit: int) -> str:
    return ngettext('at most {count} record at once', 'at most {count} records at once', limit)


def _ids(ids: object) -> list[int]:
    if not isinstance(ids, (list, tuple)) or not ids:
        raise ValidationFailed.one('ids', _('give the ids of one or more records'))
    if len(ids) > MAX_IDS:
        raise ValidationFailed.one('ids', at_most_records(MAX_IDS))
    if not all(access.is_id(i) for i in ids):
        raise ValidationFailed.one('ids', _('must be record ids (whole numbers from 1)'))
    return list(dict.fromkeys(ids))


async def _changes(kind: Kind, actor: Membership, values: object) -> dict[str, str]:
    """The option fields to set (type, and role or sector), each checked against the organization's lists."""
    if not isinstance(values, dict) or not values:
        raise ValidationFailed.one('values', _('give the fields to change: {fields}', fields=', '.join(kind.options)))
    checks = FieldErrors()
    for name in values:
        if name not in kind.options:
            fields = ', '.join(kind.options)
            checks.add(name, _('cannot be changed in bulk on a contact (only {fields})', fields=fields)
                       if kind is CONTACT else
                       _('cannot be changed in bulk on a company (only {fields})', fields=fields))
    checks.raise_if_any()
    lists = await option_lists(actor.org_id)
    cleaned = {name: checks.check(choice, name, value, allowed=lists.get(kind.options[name], []))
               for name, value in values.items()}
    checks.raise_if_any()
    return cleaned


async def bulk_action(kind: Kind, actor: Membership, action: str, ids: object, values: object = None, *,
                      integrations: Integrations | None = None) -> BulkResult:
    """Apply `action` to the records `ids` of this kind.

    - `delete`: moves them to the trash (models/history/trash.py), with everything they hold, until restored or
      purged (`integrations` is no longer used: files leave with the purge).
    - `change`: `values` sets type and role (contacts) or type and sector (companies), from the option lists.
    - `visibility`: `values` is {'visibility': 'public' | 'private'}; only the caller's own records change.
    """
    require(actor.role, Action.EDIT_RECORDS)
    if action not in ACTIONS:
        raise ValidationFailed.one('action', _('must be one of {choices}', choices=', '.join(ACTIONS)))
    wanted = _ids(ids)
    if action == 'change':
        changes: dict[str, str] = await _changes(kind, actor, values)
    elif action == 'visibility':
        if not isinstance(values, dict) or set(values) != {'visibility'}:
            raise ValidationFailed.one('values', _('give {public} or {private}', public='{"visibility": "public"}',
                                                    private='{"visibility": "private"}'))
        if values['visibility'] not in {v.value for v in Visibility}:
            raise ValidationFailed.one('visibility', _('must be public or private'))
        changes = {'visibility': values['visibility']}
    elif values:
        raise ValidationFailed.one('values', _('a delete takes no values'))
    result = BulkResult(action)
    trashed: list[int] = []
    columns = ('id', 'created_by_id', *(changes if action != 'delete' else ()))
    async with in_transaction():
        # read inside the transaction: what the caller may see now, not what they saw when they chose
        found = {record.id: record for record in
                 await access.visible(kind, actor).filter(id__in=wanted).only(*columns)}
        for record_id in wanted:
            record = found.get(record_id)
            if record is None:
                result.skipped.append({'id': record_id, 'reason': _(NOT_FOUND)})
            elif action == 'visibility' and not access.may_change_visibility(actor, record):
                result.skipped.append({'id': record_id, 'reason': _(NOT_CREATOR)})
            else:
                result.done.append(record_id)
        if result.done and action == 'delete':
            trashed = await trash_records(kind, actor, result.done)
        elif result.done:
            moment = now()
            differs = Q(*(~Q(**{name: value}) for name, value in changes.items()), join_type='OR')
            await kind.model.filter(Q(id__in=result.done) & differs).update(
                version=F('version') + 1, updated_by_id=actor.user_id, updated_at=moment, **changes)
            await recording.write(
                recording.entry(kind, record_id, org_id=actor.org_id, by_id=actor.user_id, happened=Happened.UPDATED,
                                changes=diff, at=moment)
                for record_id in result.done
                if (diff := {name: [getattr(found[record_id], name), value] for name, value in changes.items()
                             if getattr(found[record_id], name) != value}))
    changed = [record_id for record_id in result.done if action != 'delete'
               and any(getattr(found[record_id], name) != value for name, value in changes.items())]
    await _tell_open_cards(kind, actor, trashed, changed)
    return result


async def _tell_open_cards(kind: Kind, actor: Membership, trashed: list[int], changed: list[int]) -> None:
    """After the commit: the records' open cards hear that they went to the trash, or their new versions."""
    live.deleted(kind, trashed, by=actor.user_id)
    if changed:
        for record_id, version in await kind.model.filter(id__in=changed).values_list('id', 'version'):
            live.changed(kind, record_id, version=version, by=actor.user_id)
