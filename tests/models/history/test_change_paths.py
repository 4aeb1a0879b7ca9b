"""Every path that changes a contact or company writes its history, in the same transaction (issue 17, done when 1).

PATHS enumerates them: each is a function that changes one record and returns (kind, record id, the action its
entry must say). The test fails when one writes nothing; a new change path belongs here.
"""
from __future__ import annotations

import pytest
from tortoise.transactions import in_transaction

import integrations
from models.duplicates.merging import merge, undo_merge
from models.errors import ValidationFailed
from models.files.attachments import add_upload, delete_attachment
from models.history import notes, trash
from models.history.tables import HistoryEntry
from models.history.timeline import timeline
from models.imports.undo import undo_import
from models.imports.writing import import_file
from models.records import service as records
from models.records.bulk import bulk_action
from models.records.copy import copy_records
from models.records.tables import COMPANY, CONTACT, Contact
from models.work.connections import create_linked, link, unlink
from models.work.service import create_item, delete_item
from models.work.tables import TASK
from settings import load_settings
from tests.helpers import chunked


def services():
    return integrations.build(load_settings())


async def _contact(actor, **fields):
    return await records.create_record(CONTACT, actor, {'last_name': 'Rossi', **fields})


async def card_create(team, target):
    return CONTACT, (await _contact(team.member.membership)).id, 'created'


async def company_on_the_spot(team, target):
    contact = await _contact(team.member.membership, company_name='Spot Srl')
    return COMPANY, contact.company_id, 'created'


async def card_update(team, target):
    contact = await _contact(team.member.membership)
    await records.update_record(CONTACT, team.member.membership, contact.id,
                                {'emails': ['a@example.com'], 'first_name': 'Anna'}, contact.version)
    return CONTACT, contact.id, 'updated'


async def visibility_change(team, target):
    contact = await _contact(team.member.membership)
    await records.update_record(CONTACT, team.member.membership, contact.id, {'visibility': 'private'}, 1)
    return CONTACT, contact.id, 'updated'


async def bulk_change(team, target):
    contact = await _contact(team.member.membership)
    await bulk_action(CONTACT, team.member.membership, 'change', [contact.id], {'type': 'Client'})
    return CONTACT, contact.id, 'updated'


async def bulk_visibility(team, target):
    contact = await _contact(team.member.membership)
    await bulk_action(CONTACT, team.member.membership, 'visibility', [contact.id], {'visibility': 'private'})
    return CONTACT, contact.id, 'updated'


async def card_delete(team, target):
    contact = await _contact(team.member.membership)
    await records.delete_record(CONTACT, team.member.membership, contact.id)
    return CONTACT, contact.id, 'deleted'


async def bulk_delete(team, target):
    contact = await _contact(team.member.membership)
    await bulk_action(CONTACT, team.member.membership, 'delete', [contact.id])
    return CONTACT, contact.id, 'deleted'


async def restore(team, target):
    contact = await _contact(team.member.membership)
    await records.delete_record(CONTACT, team.member.membership, contact.id)
    await trash.restore(CONTACT, team.member.membership, contact.id)
    return CONTACT, contact.id, 'restored'


async def attachment_added(team, target):
    contact = await _contact(team.member.membership)
    await add_upload(team.member.membership, CONTACT, contact.id, filename='a.txt', content_type='text/plain',
                     chunks=chunked(b'a'), integrations=services())
    return CONTACT, contact.id, 'attachment_added'


async def attachment_removed(team, target):
    contact = await _contact(team.member.membership)
    added = await add_upload(team.member.membership, CONTACT, contact.id, filename='a.txt',
                             content_type='text/plain', chunks=chunked(b'a'), integrations=services())
    await delete_attachment(team.member.membership, added.id, integrations=services())
    return CONTACT, contact.id, 'attachment_removed'


async def connected(team, target):
    contact = await _contact(team.member.membership)
    task = await create_item(TASK, team.member.membership, {'title': 'Call'})
    await link(team.member.membership, {'contact_id': contact.id, 'task_id': task.id})
    return CONTACT, contact.id, 'connected'


async def created_linked(team, target):
    contact = await _contact(team.member.membership)
    await create_linked(TASK, team.member.membership, CONTACT, contact.id, {'title': 'Call'})
    return CONTACT, contact.id, 'connected'


async def disconnected(team, target):
    contact = await _contact(team.member.membership)
    task = await create_item(TASK, team.member.membership, {'title': 'Call'})
    made = await link(team.member.membership, {'contact_id': contact.id, 'task_id': task.id})
    await unlink(team.member.membership, made.id)
    return CONTACT, contact.id, 'disconnected'


async def item_deleted(team, target):
    contact = await _contact(team.member.membership)
    task = await create_item(TASK, team.member.membership, {'title': 'Call'})
    await link(team.member.membership, {'contact_id': contact.id, 'task_id': task.id})
    await delete_item(TASK, team.member.membership, task.id)
    return CONTACT, contact.id, 'disconnected'


async def merged(team, target):
    keep = await _contact(team.member.membership, emails=['a@example.com'])
    other = await _contact(team.member.membership, emails=['b@example.com'])
    await merge(CONTACT, team.member.membership, keep.id, other.id)
    return CONTACT, keep.id, 'merged'


async def merge_undone(team, target):
    keep = await _contact(team.member.membership)
    other = await _contact(team.member.membership)
    result = await merge(CONTACT, team.member.membership, keep.id, other.id)
    await undo_merge(team.member.membership, result.log.id)
    return CONTACT, other.id, 'merge_undone'


CSV = b'First name,Last name,Email\nAnna,Bianchi,anna@example.com\n'


async def imported(team, target):
    await import_file(team.member.membership, kind='contact', data=CSV, filename='people.csv')
    return CONTACT, (await Contact.get(last_name='Bianchi')).id, 'imported'


async def import_updated(team, target):
    contact = await _contact(team.member.membership, emails=['anna@example.com'])
    await import_file(team.member.membership, kind='contact', data=CSV, filename='people.csv', mode='update')
    return CONTACT, contact.id, 'imported'


async def import_undone(team, target):
    contact = await _contact(team.member.membership, emails=['anna@example.com'])
    batch = await import_file(team.member.membership, kind='contact', data=CSV, filename='people.csv',
                              mode='update')
    await undo_import(team.member.membership, batch.id)
    return CONTACT, contact.id, 'import_undone'


async def copied_in(team, target):
    contact = await _contact(team.owner.membership)
    report = await copy_records(actor=team.owner.membership, target_org_id=target.id, contact_ids=[contact.id])
    return CONTACT, report.contacts[contact.id], 'copied_in'


async def note_written(team, target):
    contact = await _contact(team.member.membership)
    await notes.add_note(CONTACT, team.member.membership, contact.id, text='Called her')
    return CONTACT, contact.id, 'note'


PATHS = [card_create, company_on_the_spot, card_update, visibility_change, bulk_change, bulk_visibility, card_delete,
         bulk_delete, restore, attachment_added, attachment_removed, connected, created_linked, disconnected,
         item_deleted, merged,
         merge_undone, imported, import_updated, import_undone, copied_in, note_written]


@pytest.mark.parametrize('path', PATHS, ids=lambda p: p.__name__)
async def test_every_change_path_writes_history(acme, target, path):
    kind, record_id, action = await path(acme, target)
    entries = await HistoryEntry.filter(**{f'{kind.name}_id': record_id}).order_by('-at', '-id')
    assert entries, f'{path.__name__} wrote no history'
    assert entries[0].action == action, [e.action for e in entries]
    assert entries[0].by_id in (acme.member.id, acme.owner.id)


async def test_an_update_says_each_field_before_and_after_lists_whole(acme):
    actor = acme.member.membership
    contact = await _contact(actor, emails=['a@example.com'], phones=['02 1234 5678'])
    await records.update_record(CONTACT, actor, contact.id, {'emails': ['a@example.com', 'b@example.com'],
                                                             'phones': ['02 1234 5678'], 'first_name': 'Anna'}, 1)
    page = await timeline(CONTACT, actor, contact.id)
    assert [e.action for e in page.items] == ['updated', 'created']
    assert page.items[0].changes == {'emails': [['a@example.com'], ['a@example.com', 'b@example.com']],
                                     'first_name': ['', 'Anna']}  # the phones did not change: not listed
    assert page.items[0].by == {'id': acme.member.id, 'name': acme.member.name}


async def test_a_change_that_fails_leaves_no_entry(acme):
    actor = acme.member.membership
    contact = await _contact(actor)
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await records.trash_records(CONTACT, actor, [contact.id])
            raise RuntimeError('the transaction fails after the change')
    assert [e.action for e in await HistoryEntry.filter(contact_id=contact.id)] == ['created']
    with pytest.raises(ValidationFailed):
        await records.update_record(CONTACT, actor, contact.id, {'emails': ['not an address']}, 1)
    assert await HistoryEntry.filter(contact_id=contact.id).count() == 1
