"""The trash: a trashed record is gone from every read path that lists records, restore brings it back byte for
byte, owners delete forever, and what stayed too long is purged with its files (issue 17, done when 2 and 3)."""
from __future__ import annotations

from datetime import timedelta

import pytest

import integrations
from models.duplicates import detection
from models.duplicates.merging import preview
from models.errors import Forbidden, NotFound
from models.files.attachments import add_upload, list_attachments
from models.files.tables import Attachment
from models.history import notes, trash
from models.history.tables import HistoryEntry, Note
from models.history.timeline import timeline
from models.kiosk import service as kiosk
from models.orgs.tables import Organization
from models.records import dashboard, exports, service as records
from models.records.copy import copy_records
from models.records.tables import COMPANY, CONTACT, Contact, Mention, RecordKey
from models.work.connections import item_connections, link, record_connections
from models.work.service import create_item
from models.work.tables import TASK, Connection
from settings import load_settings
from tests.helpers import chunked


def services():
    return integrations.build(load_settings())


async def _world(acme):
    """A company with a contact who has everything a record can hold."""
    actor = acme.member.membership
    company = await records.create_record(COMPANY, actor, {'name': 'Zeta Srl', 'type': 'Client',
                                                           'emails': ['info@zeta.example'], 'vat_number': ''})
    contact = await records.create_record(CONTACT, actor, {
        'first_name': 'Zoe', 'last_name': 'Zanetti', 'company_id': company.id, 'emails': ['zoe@zeta.example'],
        'phones': ['02 1234 5678'], 'addresses': [{'street': 'Via Roma 1', 'city': 'Milano', 'country': 'IT'}],
        'description': f'Met with {acme.other.mention}', 'type': 'Client'})
    await add_upload(actor, CONTACT, contact.id, filename='z.txt', content_type='text/plain', chunks=chunked(b'z' * 7),
                     integrations=services())
    task = await create_item(TASK, actor, {'title': 'Call Zoe'})
    await link(actor, {'contact_id': contact.id, 'task_id': task.id})
    await notes.add_note(CONTACT, actor, contact.id, text='Called, will write back')
    return company, contact, task


async def _everything(kind, record_id: int) -> dict:
    """Every row of the record and of what points at it, as the database holds them."""
    column = f'{kind.name}_id'
    return {
        'record': await kind.model.filter(id=record_id).values(),
        'keys': sorted(await RecordKey.filter(**{column: record_id}).values_list('kind', 'value')),
        'mentions': sorted(await Mention.filter(**{column: record_id}).values_list('user_id', flat=True)),
        'attachments': await Attachment.filter(**{column: record_id}).order_by('id').values(),
        'connections': await Connection.filter(**{column: record_id}).order_by('id').values(),
        'notes': await Note.filter(**{column: record_id}).order_by('id').values(),
        'contacts': (await Contact.filter(company_id=record_id).order_by('id').values('id', 'company_id'))
        if kind is COMPANY else None,
    }


@pytest.mark.parametrize('kind', [CONTACT, COMPANY], ids=lambda k: k.name)
async def test_restore_brings_back_everything_byte_for_byte(acme, kind):
    company, contact, _ = await _world(acme)
    record = contact if kind is CONTACT else company
    before = await _everything(kind, record.id)
    storage = (await Organization.get(id=acme.id)).storage_used
    await records.delete_record(kind, acme.member.membership, record.id)
    with pytest.raises(NotFound):
        await records.get_record(kind, acme.member.membership, record.id)
    assert (await Organization.get(id=acme.id)).storage_used == storage  # its files still count
    restored = await trash.restore(kind, acme.other.membership, record.id)  # anyone who would see it
    assert restored.id == record.id
    assert await _everything(kind, record.id) == before
    page = await timeline(kind, acme.member.membership, record.id)
    assert [e.action for e in page.items][:2] == ['restored', 'deleted']
    if kind is COMPANY:
        shown = await records.visible_companies_by_id(acme.member.membership, [company.id])
        assert shown[company.id].name == 'Zeta Srl'  # its contacts show it again


async def test_a_trashed_record_is_gone_from_every_read_path(acme, target):
    company, contact, task = await _world(acme)
    twin = await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Zanetti',
                                                                         'emails': ['zoe@zeta.example']})
    kiosk_link, _raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Hall')
    owner, member = acme.owner.membership, acme.member.membership
    await records.delete_record(CONTACT, member, contact.id)
    await records.delete_record(COMPANY, member, company.id)

    for actor in (owner, member):
        assert [r.id for r in (await records.list_records(CONTACT, actor)).items] == [twin.id]
        assert (await records.list_records(CONTACT, actor, q='zanetti')).total == 1
        assert (await records.list_records(COMPANY, actor)).total == 0
        assert (await records.list_records(CONTACT, actor, company_id=company.id)).total == 0
        assert [r.id for r in (await records.find(actor, 'zeta')).contacts.items] == [twin.id]
        assert (await records.find(actor, 'zeta')).companies.total == 0
        assert await records.company_choices(actor, 'zeta', limit=5) == []
        assert await records.visible_companies_by_id(actor, [company.id]) == {}
        for read in (records.get_record(CONTACT, actor, contact.id), records.get_record(COMPANY, actor, company.id),
                     records.company_contacts(actor, company.id), list_attachments(actor, CONTACT, contact.id),
                     record_connections(actor, CONTACT, contact.id), timeline(CONTACT, actor, contact.id),
                     preview(CONTACT, actor, twin.id, contact.id), notes.add_note(CONTACT, actor, contact.id,
                                                                                 text='x')):
            with pytest.raises(NotFound):
                await read
        assert (await item_connections(actor, TASK, task.id)).links['contact'] == []
        exported = (await exports.collect(exports.export_csv(CONTACT, actor))).decode('utf-8-sig')
        assert exported.count('Zanetti') == 1 and 'Zoe' not in exported  # the twin only
        assert 'Zoe Zanetti' not in (await exports.collect(exports.export_vcards(actor))).decode()
        assert (await detection.scan(actor, 'contact')).total == 0  # the twin has no duplicate left
        board = await dashboard.dashboard(actor)
        assert [e.id for e in board.recent] == [twin.id]
        assert board.companies_by_type == [] or all(c.count == 0 for c in board.companies_by_type)
        assert sum(c.count for c in board.contacts_by_type) <= 1
    assert (await kiosk.search_directory(kiosk_link, 'contact')).total == 1
    assert (await kiosk.search_directory(kiosk_link, 'company')).total == 0
    with pytest.raises(NotFound):
        await kiosk.directory_card(kiosk_link, 'contact', contact.id)
    report = await copy_records(actor=owner, target_org_id=target.id, contact_ids=[contact.id])
    assert report.contacts == {} and [s['id'] for s in report.skipped] == [contact.id]


async def test_the_trash_shows_what_the_caller_would_see_and_owners_delete_forever(acme):
    member, other, owner = acme.member.membership, acme.other.membership, acme.owner.membership
    public = await records.create_record(CONTACT, member, {'last_name': 'Public'})
    private = await records.create_record(CONTACT, member, {'last_name': 'Private', 'visibility': 'private'})
    await add_upload(member, CONTACT, public.id, filename='p.txt', content_type='text/plain',
                     chunks=chunked(b'p' * 5), integrations=services())
    for record in (public, private):
        await records.delete_record(CONTACT, member, record.id)
    assert [r.id for r in (await trash.list_trash(member, 'contact')).items] == [private.id, public.id]
    assert [r.id for r in (await trash.list_trash(other, 'contact')).items] == [public.id]
    assert [r.id for r in (await trash.list_trash(owner, 'contact')).items] == [public.id]  # no owner bypass
    with pytest.raises(Forbidden):
        await trash.list_trash(acme.guests[0].membership, 'contact')
    with pytest.raises(NotFound):
        await trash.restore(CONTACT, other, private.id)
    with pytest.raises(Forbidden):
        await trash.delete_forever(CONTACT, member, public.id)
    with pytest.raises(Forbidden):
        await trash.empty_trash(member)
    with pytest.raises(NotFound):
        await trash.delete_forever(CONTACT, owner, private.id)
    await trash.delete_forever(CONTACT, owner, public.id, integrations=services())
    assert not await Contact.filter(id=public.id).exists()
    assert not await HistoryEntry.filter(contact_id=public.id).exists()
    assert (await Organization.get(id=acme.id)).storage_used == 0
    assert await trash.empty_trash(owner) == 0  # the private one is not the owner's to see
    assert await Contact.filter(id=private.id).exists()


async def test_records_trashed_longer_than_the_days_are_purged_with_their_files(acme, rubrica_env):
    member = acme.member.membership
    old, recent = [await records.create_record(CONTACT, member, {'last_name': n}) for n in ('Old', 'Recent')]
    upload = await add_upload(member, CONTACT, old.id, filename='o.txt', content_type='text/plain',
                              chunks=chunked(b'o' * 9), integrations=services())
    for record in (old, recent):
        await records.delete_record(CONTACT, member, record.id)
    await Contact.filter(id=old.id).update(deleted_at=trash.now() - timedelta(days=31))
    assert (await Organization.get(id=acme.id)).storage_used == 9
    assert await trash.purge_expired(30, integrations=services()) == 1
    assert not await Contact.filter(id=old.id).exists() and await Contact.filter(id=recent.id).exists()
    assert (await Organization.get(id=acme.id)).storage_used == 0
    assert not await services().files.exists(upload.storage_key)
    assert await trash.purge_expired(30, integrations=services()) == 0
