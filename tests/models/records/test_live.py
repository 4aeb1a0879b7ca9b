"""Every change path of a contact or company tells the record's open cards after its commit (models/records/live.py,
on the record's topic of models/events.py): an update, a delete, a bulk change or delete, a merge. The message names
the version and who, nothing of the record; a refused change tells nothing."""
from __future__ import annotations

import pytest

from models import events
from models.duplicates.merging import merge
from models.errors import Conflict
from models.records import bulk, service as records
from models.records.tables import COMPANY, CONTACT


@pytest.fixture
def heard():
    """heard(kind, id) -> the list of messages that record's topic receives from now on."""
    stops, lists = [], []

    def listen(kind: str, record_id: int) -> list[dict]:
        messages: list[dict] = []
        stops.append(events.subscribe(events.record_topic(kind, record_id), messages.append))
        lists.append(messages)
        return messages
    yield listen
    for stop in stops:
        stop()


async def test_an_update_and_a_delete_tell_the_version_and_who(db, acme, heard):
    contact = await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Neri'})
    messages = heard('contact', contact.id)
    await records.update_record(CONTACT, acme.member.membership, contact.id, {'first_name': 'Mario'}, 1)
    with pytest.raises(Conflict):  # a stale version: nothing written, nothing told
        await records.update_record(CONTACT, acme.owner.membership, contact.id, {'first_name': 'Olga'}, 1)
    await records.delete_record(CONTACT, acme.owner.membership, contact.id)
    assert messages == [{'kind': 'changed', 'version': 2, 'by': acme.member.id},
                        {'kind': 'deleted', 'by': acme.owner.id}]


async def test_bulk_actions_tell_the_records_they_changed(db, acme, heard):
    one, two, three = [await records.create_record(COMPANY, acme.owner.membership, {'name': name, 'sector': 'ICT'})
                       for name in ('Uno', 'Due', 'Tre')]
    await records.update_record(COMPANY, acme.owner.membership, two.id, {'sector': 'Retail'}, 1)
    told = {record.id: heard('company', record.id) for record in (one, two, three)}
    await bulk.bulk_action(COMPANY, acme.member.membership, 'change', [one.id, two.id], {'sector': 'Retail'})
    assert told[one.id] == [{'kind': 'changed', 'version': 2, 'by': acme.member.id}]
    assert told[two.id] == []  # it had that sector already: not changed
    await bulk.bulk_action(COMPANY, acme.member.membership, 'delete', [one.id, three.id])
    assert told[one.id][-1] == told[three.id][-1] == {'kind': 'deleted', 'by': acme.member.id}


async def test_a_merge_tells_the_kept_record_its_version_and_the_other_that_it_is_gone(db, acme, heard):
    keep = await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Rossi'})
    other = await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Rossi'})
    kept, removed = heard('contact', keep.id), heard('contact', other.id)
    await merge(CONTACT, acme.member.membership, keep.id, other.id)
    assert kept == [{'kind': 'changed', 'version': 2, 'by': acme.member.id}]
    assert removed == [{'kind': 'deleted', 'by': acme.member.id}]
