"""A record's timeline: its history entries and its notes, newest first, one page at a time.

It passes the gate twice. The record: only who sees it (records.service.get_record) reads its timeline, so a
private record's history and notes are as private as the record. And what an entry names besides: the merged-away
record (to who could see both records of the merge), the connected project, task or ticket (to who sees it), the
import (to who ran it, as import reports are), the organization copied from (to its members), a contact's company
before and after a change (to who sees that company). To anyone else the entry still says what happened, without
the name: `ref` keeps its kind with no id or name, a hidden company is `{"hidden": true}`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .. import access
from ..duplicates.merging import merges_seen
from ..imports.tables import ImportBatch
from ..orgs.tables import Membership
from ..pages import by_id, page_bounds
from ..records.service import get_record
from ..records.tables import COMPANY, Kind
from ..work.tables import WORK_KINDS
from .recording import FILE, IMPORT, MERGE, ORGANIZATION
from .tables import HistoryEntry

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
HIDDEN = {'hidden': True}  # a company the reader may not see, in a change of a contact's company


@dataclass
class Shown:
    """One entry as its reader may see it."""
    id: int
    at: datetime
    by: dict | None  # {id, name}; None when the account is gone
    action: str
    changes: dict[str, list]
    note: dict | None  # {id, text, author_id, updated_at} for a note
    ref: dict | None  # {kind, id, name}; id None and name '' when the reader may not see it


@dataclass
class Timeline:
    items: list[Shown]
    total: int


async def timeline(kind: Kind, actor: Membership, record_id: object, *, limit: int = PAGE_SIZE,
                   offset: int = 0) -> Timeline:
    """One page of a visible record's history and notes, newest first, with their total."""
    record = await get_record(kind, actor, record_id)
    limit, offset = page_bounds(limit, offset, max_limit=MAX_PAGE_SIZE)
    entries = HistoryEntry.filter(**{f'{kind.name}_id': record.id})
    total = await entries.count()
    rows = await entries.order_by('-at', '-id').offset(offset).limit(limit).select_related('by', 'note')
    seen = await _names_seen(actor, rows)
    companies = await by_id(access.visible(COMPANY, actor),
                            {v for row in rows for v in row.changes.get('company_id', ()) if isinstance(v, int)})
    return Timeline([_shown(row, seen, companies) for row in rows], total)


async def _names_seen(actor: Membership, rows: list[HistoryEntry]) -> set[tuple[str, int]]:
    """(ref_kind, ref_id) of the things these entries name that the reader may see."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        if row.ref_kind and row.ref_id is not None:
            wanted.setdefault(row.ref_kind, set()).add(row.ref_id)
    seen: set[tuple[str, int]] = {(FILE, i) for i in wanted.get(FILE, ())}  # the record's own files
    if ids := wanted.get(MERGE):
        seen |= {(MERGE, i) for i in await merges_seen(actor, ids)}
    for work in WORK_KINDS.values():
        if ids := wanted.get(work.name):
            seen |= {(work.name, i) for i in await access.visible_work(work, actor).filter(id__in=sorted(ids))
                     .values_list('id', flat=True)}
    if ids := wanted.get(IMPORT):  # an import's report is its importer's only (imports/reports.get_batch)
        seen |= {(IMPORT, i) for i in await ImportBatch.filter(
            id__in=sorted(ids), org_id=actor.org_id, created_by_id=actor.user_id).values_list('id', flat=True)}
    if ids := wanted.get(ORGANIZATION):
        seen |= {(ORGANIZATION, i) for i in await Membership.filter(
            user_id=actor.user_id, org_id__in=sorted(ids)).values_list('org_id', flat=True)}
    return seen


def _shown(row: HistoryEntry, seen: set[tuple[str, int]], companies: dict) -> Shown:
    ref = None
    if row.ref_kind:
        ref = ({'kind': row.ref_kind, 'id': row.ref_id, 'name': row.ref_name} if (row.ref_kind, row.ref_id) in seen
               else {'kind': row.ref_kind, 'id': None, 'name': ''})
    changes = dict(row.changes or {})
    if 'company_id' in changes:
        changes['company_id'] = [None if v is None else
                                 {'id': v, 'name': companies[v].name} if v in companies else dict(HIDDEN)
                                 for v in changes['company_id']]
    note = None
    if row.note_id is not None and row.note is not None:
        note = {'id': row.note.id, 'text': row.note.text, 'author_id': row.note.author_id,
                'updated_at': row.note.updated_at}
    by = {'id': row.by.id, 'name': row.by.name} if row.by_id is not None and row.by is not None else None
    return Shown(row.id, row.at, by, row.action, changes, note, ref)
