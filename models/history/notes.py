"""Notes on contacts and companies: a call, a meeting, written by anyone who sees the record and may edit records,
changed or deleted by their author only. A note is shown in the record's timeline (timeline.py), so it is as
private as the record.

Its text may mention members like a description (`@[Name](user:ID)`); a mention is checked like the
description's (records.service.check_mentions: only members and owners of the organization), and must name
someone who sees the record: a note's mention shows the record to nobody (only the description's do), and
whoever is told of a mention must be able to open what they are told of. Saving returns the users the save newly
mentions, for the notifications to tell them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from .. import access
from ..access import Action, require
from ..errors import Forbidden, NotFound, ValidationFailed
from ..i18n import _
from ..mentions import mentioned_user_ids
from ..notifications import service as notifications
from ..orgs.tables import Membership
from ..records.service import check_mentions, get_record, now
from ..records.tables import Kind, Record
from ..validation import DESCRIPTION_MAX, FieldErrors, clean_text
from . import recording
from .recording import Happened
from .tables import Note


@dataclass
class SavedNote:
    note: Note
    newly_mentioned: list[int] = field(default_factory=list)  # user ids this save mentions that it did not before


async def _checked_text(kind: Kind, actor: Membership, record: Record, text: object) -> str:
    checks = FieldErrors()
    cleaned = checks.check(clean_text, 'text', text, required=True, max_length=DESCRIPTION_MAX, multiline=True)
    checks.raise_if_any()
    try:
        mentioned = await check_mentions(actor.org_id, cleaned)
    except ValidationFailed as refusal:  # the same words, naming the note's field
        raise ValidationFailed({'text': message for message in refusal.errors.values()}) from None
    blind = [str(user_id) for user_id in mentioned if not await _sees(kind, record, actor.org_id, user_id)]
    if blind:
        raise ValidationFailed.one('text', _('mentions someone who cannot see this record (user {ids})',
                                             ids=', '.join(blind)))
    return cleaned


async def _sees(kind: Kind, record: Record, org_id: int, user_id: int) -> bool:
    """Whether this member of the organization sees the record, through the same gate as everyone."""
    member = await Membership.get_or_none(user_id=user_id, org_id=org_id)
    return member is not None and await access.visible(kind, member).filter(id=record.id).exists()


async def add_note(kind: Kind, actor: Membership, record_id: object, *, text: object) -> SavedNote:
    """A new note on a record the caller sees, shown in its timeline; returns it with the users it mentions."""
    record = await get_record(kind, actor, record_id)
    require(actor.role, Action.EDIT_RECORDS)
    cleaned = await _checked_text(kind, actor, record, text)
    async with in_transaction():
        note = await Note.create(org_id=actor.org_id, author_id=actor.user_id, text=cleaned,
                                 **{f'{kind.name}_id': record.id})
        await recording.write_one(kind, record.id, org_id=actor.org_id, by_id=actor.user_id, happened=Happened.NOTE,
                                  note_id=note.id, at=note.created_at)
        told = await _tell(kind, actor, record, mentioned_user_ids(cleaned))
    notifications.announce(told)
    return SavedNote(note, mentioned_user_ids(cleaned))


async def _tell(kind: Kind, actor: Membership, record: Record, mentioned: list[int]) -> list[int]:
    """Notify whom a note's save newly mentions (inside its transaction), as a description's mention does."""
    return await notifications.mentioned(by=actor.user_id, org_id=actor.org_id, record_kind=kind.name,
                                         record_id=record.id, record_name=record.display_name, users=mentioned)


async def get_note(kind: Kind, actor: Membership, record_id: object, note_id: object) -> tuple[Record, Note]:
    """A note of a record the caller sees; any other note does not exist for them."""
    record = await get_record(kind, actor, record_id)
    if not access.is_id(note_id):
        raise NotFound('note')
    note = await Note.get_or_none(id=note_id, **{f'{kind.name}_id': record.id})
    if note is None:
        raise NotFound('note')
    return record, note


def _require_author(actor: Membership, note: Note) -> None:
    if note.author_id is None or note.author_id != actor.user_id:
        raise Forbidden(_('Only the person who wrote this note may change or delete it'))


async def edit_note(kind: Kind, actor: Membership, record_id: object, note_id: object, *,
                    text: object) -> SavedNote:
    """Change a note's text (its author only); returns it with the users the new text mentions that the old did
    not."""
    record, note = await get_note(kind, actor, record_id, note_id)
    require(actor.role, Action.EDIT_RECORDS)
    _require_author(actor, note)
    cleaned = await _checked_text(kind, actor, record, text)
    before = set(mentioned_user_ids(note.text))
    note.text, note.updated_at = cleaned, now()
    newly = [user_id for user_id in mentioned_user_ids(cleaned) if user_id not in before]
    async with in_transaction():
        await Note.filter(id=note.id).update(text=note.text, updated_at=note.updated_at)
        told = await _tell(kind, actor, record, newly)
    notifications.announce(told)
    return SavedNote(note, newly)


async def delete_note(kind: Kind, actor: Membership, record_id: object, note_id: object) -> None:
    """Delete a note (its author only); its place in the timeline goes with it."""
    _, note = await get_note(kind, actor, record_id, note_id)
    require(actor.role, Action.EDIT_RECORDS)
    _require_author(actor, note)
    await Note.filter(id=note.id).delete()
