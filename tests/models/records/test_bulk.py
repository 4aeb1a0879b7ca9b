"""Bulk actions on a selection: through the gate, in one transaction, saying what was skipped and why."""
from __future__ import annotations

import pytest

from integrations import build
from models.errors import Forbidden, ValidationFailed
from models.files.attachments import add_upload
from models.history import trash
from models.orgs.tables import Organization
from models.records import service as records
from models.records.bulk import NOT_CREATOR, NOT_FOUND, bulk_action
from models.records.tables import COMPANY, CONTACT, Company, Contact
from settings import load_settings
from tests.helpers import chunked


async def test_a_bulk_change_sets_type_and_role_of_what_the_caller_sees(acme):
    olga, mario = acme.owner.membership, acme.member.membership
    first = await records.create_record(CONTACT, olga, {'last_name': 'First', 'type': 'Lead'})
    second = await records.create_record(CONTACT, mario, {'last_name': 'Second'})
    hidden = await records.create_record(CONTACT, olga, {'last_name': 'Hidden', 'visibility': 'private'})

    result = await bulk_action(CONTACT, mario, 'change', [first.id, second.id, hidden.id, 999_999],
                               {'type': 'Client', 'role': 'Technician'})
    assert result.done == [first.id, second.id]
    assert result.skipped == [{'id': hidden.id, 'reason': NOT_FOUND}, {'id': 999_999, 'reason': NOT_FOUND}]
    for record in (first, second):
        now = await Contact.get(id=record.id)
        assert (now.type, now.role, now.version, now.updated_by_id) == ('Client', 'Technician', 2, acme.member.user.id)
    assert (await Contact.get(id=hidden.id)).type == ''  # a record Mario cannot see is left alone

    again = await bulk_action(CONTACT, mario, 'change', [first.id], {'type': 'Client'})
    assert again.done == [first.id] and (await Contact.get(id=first.id)).version == 2  # unchanged: no new version


async def test_a_bulk_change_checks_every_value_before_writing_anything(acme):
    olga = acme.owner.membership
    contact = await records.create_record(CONTACT, olga, {'last_name': 'Rossi', 'type': 'Lead'})
    company = await records.create_record(COMPANY, olga, {'name': 'Acme'})
    with pytest.raises(ValidationFailed) as refused:
        await bulk_action(CONTACT, olga, 'change', [contact.id], {'type': 'Client', 'role': 'Astronaut'})
    assert set(refused.value.errors) == {'role'}
    with pytest.raises(ValidationFailed) as refused:
        await bulk_action(CONTACT, olga, 'change', [contact.id], {'sector': 'Energy'})
    assert set(refused.value.errors) == {'sector'}  # a contact has no sector
    with pytest.raises(ValidationFailed) as refused:
        await bulk_action(COMPANY, olga, 'change', [company.id], {'role': 'Technician'})
    assert set(refused.value.errors) == {'role'}
    for ids, field in (([], 'ids'), (['1'], 'ids'), ([0], 'ids'), (list(range(1, 1002)), 'ids')):
        with pytest.raises(ValidationFailed) as refused:
            await bulk_action(CONTACT, olga, 'delete', ids)
        assert set(refused.value.errors) == {field}
    with pytest.raises(ValidationFailed) as refused:
        await bulk_action(CONTACT, olga, 'archive', [contact.id])
    assert set(refused.value.errors) == {'action'}
    assert (await Contact.get(id=contact.id)).type == 'Lead'

    result = await bulk_action(COMPANY, olga, 'change', [company.id], {'sector': 'Energy', 'type': ''})
    assert result.done == [company.id] and (await Company.get(id=company.id)).sector == 'Energy'


async def test_only_the_creator_changes_visibility_in_bulk_and_the_others_are_counted(acme):
    olga, mario = acme.owner.membership, acme.member.membership
    mine = [await records.create_record(CONTACT, mario, {'last_name': f'Mine {i}'}) for i in range(2)]
    theirs = await records.create_record(CONTACT, olga, {'last_name': 'Theirs'})

    result = await bulk_action(CONTACT, mario, 'visibility', [theirs.id, *(c.id for c in mine)],
                               {'visibility': 'private'})
    assert result.done == [c.id for c in mine]
    assert result.skipped == [{'id': theirs.id, 'reason': NOT_CREATOR}]
    assert [c.visibility for c in await Contact.filter(id__in=[c.id for c in mine])] == ['private', 'private']
    assert (await Contact.get(id=theirs.id)).visibility == 'public'
    with pytest.raises(ValidationFailed):
        await bulk_action(CONTACT, mario, 'visibility', [mine[0].id], {'visibility': 'secret'})
    with pytest.raises(ValidationFailed):
        await bulk_action(CONTACT, mario, 'visibility', [mine[0].id], {'visibility': 'public', 'type': 'Client'})


async def test_a_guest_changes_nothing_in_bulk(acme):
    contact = await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Rossi'})
    for action, values in (('delete', None), ('change', {'type': 'Client'}), ('visibility', {'visibility': 'private'})):
        with pytest.raises(Forbidden):
            await bulk_action(CONTACT, acme.guest.membership, action, [contact.id], values)
    assert await Contact.filter(id=contact.id, type='', visibility='public').exists()


async def test_a_bulk_delete_moves_the_records_to_the_trash_and_emptying_it_frees_their_files(acme, rubrica_env):
    olga, mario = acme.owner.membership, acme.member.membership
    services = build(load_settings())
    company = await records.create_record(COMPANY, olga, {'name': 'Gone Ltd'})
    works_there = await records.create_record(CONTACT, olga, {'last_name': 'Stays', 'company_id': company.id})
    gone = [await records.create_record(CONTACT, olga, {'last_name': f'Gone {i}'}) for i in range(2)]
    hidden = await records.create_record(CONTACT, olga, {'last_name': 'Hidden', 'visibility': 'private'})
    upload = await add_upload(olga, CONTACT, gone[0].id, filename='f.txt', content_type='text/plain',
                              chunks=chunked(b'x' * 10), integrations=services)
    assert (await Organization.get(id=olga.org_id)).storage_used == 10

    result = await bulk_action(CONTACT, mario, 'delete', [gone[0].id, gone[1].id, hidden.id], integrations=services)
    assert result.done == [gone[0].id, gone[1].id]
    assert result.skipped == [{'id': hidden.id, 'reason': NOT_FOUND}]
    assert sorted(c.last_name for c in await Contact.filter(org_id=olga.org_id, deleted_at__isnull=True)) == \
        ['Hidden', 'Stays']
    assert [c.last_name for c in (await records.list_records(CONTACT, mario)).items] == ['Stays']
    assert [c.id for c in (await trash.list_trash(mario, 'contact')).items] == [gone[1].id, gone[0].id]
    # in the trash, the file stays and still counts against the quota
    assert (await Organization.get(id=olga.org_id)).storage_used == 10
    assert await services.files.exists(upload.storage_key)
    with pytest.raises(ValidationFailed):
        await bulk_action(CONTACT, mario, 'delete', [works_there.id], {'type': 'Client'})

    assert await trash.empty_trash(olga, integrations=services) == 2
    assert sorted(c.last_name for c in await Contact.filter(org_id=olga.org_id)) == ['Hidden', 'Stays']
    assert (await Organization.get(id=olga.org_id)).storage_used == 0
    assert not await services.files.exists(upload.storage_key)

    await bulk_action(COMPANY, mario, 'delete', [company.id])
    assert (await Contact.get(id=works_there.id)).company_id == company.id  # in the trash: the link waits
    assert await records.visible_companies_by_id(mario, [company.id]) == {}
    await trash.delete_forever(COMPANY, olga, company.id)
    assert (await Contact.get(id=works_there.id)).company_id is None  # its contacts stay, without a company
