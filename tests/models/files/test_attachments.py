"""Attachments: the quota's reservation under concurrency, start-up and periodic clean-up of files, and safe
names and types. (The local store itself: tests/integrations/test_local_store.py.)"""
from __future__ import annotations

import asyncio
import os
import time
from datetime import timedelta

import pytest

import integrations
from models.files import attachments
from models.orgs import service as orgs
from models.files.attachments import add_upload, display_filename, served_content_type
from models.files.storage import clean_up_storage
from models.files.tables import Attachment
from models.history import trash
from models.errors import TooLarge
from models.orgs.tables import Organization
from models.records.service import create_record, delete_record
from models.records.tables import CONTACT
from models.files.storage import detach_uploads, remove_files, sweep_storage
from models.orgs.tables import Membership
from settings import load_settings
from tests.helpers import chunked, files_under


async def test_start_up_removes_unreferenced_and_half_written_files(make_org, rubrica_env):
    team = await make_org()
    owner, actor = team.owner.user, team.owner.membership
    actor.user = owner
    contact = await create_record(CONTACT, actor, {'last_name': 'Kept'})
    services = integrations.build(load_settings())
    kept = await add_upload(actor, CONTACT, contact.id, filename='kept.txt', content_type='text/plain',
                            chunks=chunked(b'kept'), integrations=services)
    # what a crash leaves: a half-written temporary file, and a renamed file whose row was never saved
    root = rubrica_env / 'files'
    (root / '.tmp').mkdir(parents=True, exist_ok=True)
    (root / '.tmp' / 'abc.part').write_bytes(b'half')
    orphan = await services.files.save(chunked(b'orphan'), limit=100)
    past = time.time() - 60
    for path in files_under(root):
        os.utime(path, (past, past))
    # and one written while the clean-up runs, maybe between its rename and its row: it is kept
    fresh = await services.files.save(chunked(b'fresh'), limit=100)
    during = time.time() + 5
    os.utime(root / fresh.key[:2] / fresh.key, (during, during))
    # the organization's count went wrong too (e.g. a crash between two statements)
    await Organization.filter(id=actor.org_id).update(storage_used=999)

    removed = await clean_up_storage(services)
    assert removed == 2
    assert await services.files.exists(kept.storage_key)
    assert not await services.files.exists(orphan.key)
    assert await services.files.exists(fresh.key)
    assert not (root / '.tmp' / 'abc.part').exists()
    assert (await Organization.get(id=actor.org_id)).storage_used == 4


async def test_the_periodic_sweep_removes_unreferenced_files_past_the_grace_period(make_org, rubrica_env):
    actor = (await make_org()).owner.membership
    contact = await create_record(CONTACT, actor, {'last_name': 'Kept'})
    services = integrations.build(load_settings())
    kept = await add_upload(actor, CONTACT, contact.id, filename='kept.txt', content_type='text/plain',
                            chunks=chunked(b'kept'), integrations=services)
    root = rubrica_env / 'files'
    old_orphan = await services.files.save(chunked(b'old orphan'), limit=100)
    young_orphan = await services.files.save(chunked(b'young orphan'), limit=100)
    (root / '.tmp').mkdir(parents=True, exist_ok=True)
    (root / '.tmp' / 'abc.part').write_bytes(b'half')
    two_hours_ago = time.time() - 2 * 3600
    for path in (root / kept.storage_key[:2] / kept.storage_key, root / old_orphan.key[:2] / old_orphan.key,
                 root / '.tmp' / 'abc.part'):
        os.utime(path, (two_hours_ago, two_hours_ago))

    assert await sweep_storage(services) == 2  # the old orphan and the old temporary file
    assert await services.files.exists(kept.storage_key)
    assert not await services.files.exists(old_orphan.key)
    assert await services.files.exists(young_orphan.key)  # maybe between its rename and its row: kept for now
    assert not (root / '.tmp' / 'abc.part').exists()
    assert await sweep_storage(services, grace=timedelta(0)) == 1
    assert [p.name for p in files_under(root)] == [kept.storage_key]


async def test_a_record_deleted_for_good_without_a_store_leaves_its_files_to_the_sweep(make_org, rubrica_env):
    actor = (await make_org()).owner.membership
    contact = await create_record(CONTACT, actor, {'last_name': 'Gone'})
    services = integrations.build(load_settings())
    await add_upload(actor, CONTACT, contact.id, filename='a.txt', content_type='text/plain',
                     chunks=chunked(b'a' * 10), integrations=services)
    await delete_record(CONTACT, actor, contact.id)  # to the trash: the file and its space stay, the sweep spares it
    assert (await Organization.get(id=actor.org_id)).storage_used == 10
    assert await sweep_storage(services, grace=timedelta(0)) == 0
    await trash.delete_forever(CONTACT, actor, contact.id)
    assert len(files_under(rubrica_env / 'files')) == 1
    assert (await Organization.get(id=actor.org_id)).storage_used == 0
    assert await sweep_storage(services, grace=timedelta(0)) == 1
    assert files_under(rubrica_env / 'files') == []


async def test_records_deleted_in_bulk_give_back_their_space_and_files(make_org, rubrica_env):
    """detach_uploads and remove_files, for a path that deletes records with a queryset delete (an import's undo):
    the space is given back in the transaction, the files go after it, except one another attachment still uses."""
    from tortoise.transactions import in_transaction

    from models.records.tables import Contact

    actor = (await make_org()).owner.membership
    services = integrations.build(load_settings())
    first, second, stays = [await create_record(CONTACT, actor, {'last_name': n}) for n in ('A', 'B', 'C')]
    uploads = [await add_upload(actor, CONTACT, record.id, filename='f.txt', content_type='text/plain',
                                chunks=chunked(data), integrations=services)
               for record, data in ((first, b'1' * 10), (second, b'2' * 20), (stays, b'3' * 30))]
    shared = uploads[1]  # a second attachment refers to the same file: it must outlive the first
    await Attachment.create(org_id=actor.org_id, contact_id=stays.id, source='upload', filename='same.txt', size=0,
                            storage_key=shared.storage_key)
    assert (await Organization.get(id=actor.org_id)).storage_used == 60

    async with in_transaction():
        keys = await detach_uploads(CONTACT, [first.id, second.id])
        await Contact.filter(id__in=[first.id, second.id]).delete()
    assert sorted(keys) == sorted([uploads[0].storage_key, shared.storage_key])
    assert (await Organization.get(id=actor.org_id)).storage_used == 30
    assert await remove_files(services, keys) == 1
    assert not await services.files.exists(uploads[0].storage_key)
    assert await services.files.exists(shared.storage_key) and await services.files.exists(uploads[2].storage_key)
    assert await remove_files(None, [uploads[2].storage_key]) == 0  # no store: left to the sweep


# ------------------------------------------------------------------ the quota

async def test_two_uploads_that_passed_the_first_check_together_cannot_both_be_kept(make_org, rubrica_env):
    """Both uploads read the free space before either is written: only the database's conditional reservation
    can keep them from passing the quota together."""
    actor = (await make_org()).owner.membership
    await orgs.set_plan(org_id=actor.org_id, plan='free', quota_mb=1)
    actor = await Membership.get(id=actor.id).select_related('org')
    contact = await create_record(CONTACT, actor, {'last_name': 'Busy'})
    services = integrations.build(load_settings())
    both_streaming = asyncio.Barrier(2)

    async def slow_chunks(byte: bytes):
        yield byte * 1000
        await both_streaming.wait()  # each upload has passed its own look at the free space
        yield byte * (600 * 1024 - 1000)

    results = await asyncio.gather(*(add_upload(actor, CONTACT, contact.id, filename=f'{b}.bin',
                                                content_type='application/octet-stream', chunks=slow_chunks(b),
                                                integrations=services) for b in (b'a', b'b')),
                                   return_exceptions=True)
    kept = [r for r in results if isinstance(r, Attachment)]
    refused = [r for r in results if isinstance(r, TooLarge)]
    assert len(kept) == 1 and len(refused) == 1, results
    assert (await Organization.get(id=actor.org_id)).storage_used == 600 * 1024
    assert await Attachment.all().count() == 1
    assert len(files_under(rubrica_env / 'files')) == 1  # the refused file was removed


# ------------------------------------------------------------------ names and types

@pytest.mark.parametrize('raw, shown', [
    ('report.pdf', 'report.pdf'),
    ('../../etc/passwd', 'passwd'),
    ('C:\\Users\\me\\Desktop\\cv.docx', 'cv.docx'),
    ('a\x00b\x07c.txt', 'abc.txt'),
    ('photo\u202egnp.exe', 'photognp.exe'),
    ('zero\u200bwidth\u2066.txt', 'zerowidth.txt'),
    ('tab\tand\nnewline.txt', 'tab and newline.txt'),
    ('   ..hidden.. ', 'hidden'),
    ('..', 'file'),
    ('', 'file'),
    (None, 'file'),
    ('é' * 300 + '.tar.gz', 'é' * 252 + '.gz'),
    ('x' * 3000, 'x' * 255),
    ('Cafe\u0301.txt', 'Café.txt'),
])
def test_display_filenames(raw, shown):
    assert display_filename(raw) == shown
    assert len(display_filename(raw)) <= 255


@pytest.mark.parametrize('claimed, served', [
    ('application/pdf', 'application/pdf'),
    ('image/png', 'image/png'),
    ('text/plain', 'text/plain'),
    ('text/html', 'application/octet-stream'),
    ('image/svg+xml', 'application/octet-stream'),
    ('application/xhtml+xml', 'application/octet-stream'),
    ('text/javascript', 'application/octet-stream'),
    ('application/x-shockwave-flash', 'application/octet-stream'),
    ('video/mp4', 'video/mp4'),
    ('text/xml', 'application/octet-stream'),
])
def test_served_content_types(claimed, served):
    assert served_content_type(attachments.clean_content_type(claimed)) == served
