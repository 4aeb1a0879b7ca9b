"""Duplicates: merges that keep everything of both records, and undo that restores both. (The scan: test_scan.py.)"""
from __future__ import annotations

import pytest
from tortoise import Tortoise

import integrations
from models.records import service as records
from models.files.attachments import add_upload
from models.files.tables import Attachment
from models.history import trash
from models.work.connections import link
from models.work.tables import Connection
from models.duplicates.merging import merge, undo_merge
from models.duplicates.tables import MergeLog
from models.errors import Conflict, Forbidden, NotFound, ValidationFailed
from models.records.tables import COMPANY, CONTACT, Company, Contact, Mention, RecordKey
from models.work.service import create_item
from models.work.tables import PROJECT, TASK, TICKET
from models.duplicates.merging import get_merge, recent_merges, references
from settings import load_settings
from tests.helpers import VALID_IVA, chunked


async def state(kind, record_id: int) -> dict:
    """Everything about a record that a merge could touch, to compare before and after."""
    column = f'{kind.name}_id'
    row = await kind.model.filter(id=record_id).values()
    return {
        'columns': row[0] if row else None,
        'keys': sorted(await RecordKey.filter(**{column: record_id}).values_list('kind', 'value')),
        'mentions': sorted(await Mention.filter(**{column: record_id}).values_list('user_id', flat=True)),
        'attachments': sorted(await Attachment.filter(**{column: record_id}).values_list('id', flat=True)),
        'connections': sorted(await Connection.filter(**{column: record_id}).values()
                              , key=lambda c: c['id']),
        'contacts': sorted(await Contact.filter(company_id=record_id).values_list('id', flat=True))
        if kind is COMPANY else None,
    }


# ------------------------------------------------------------------ merge and undo

async def _linked(actor, kind, record, item_kind, title):
    item = await create_item(item_kind, actor, {item_kind.title_field: title})
    return await link(actor, {f'{kind.name}_id': record.id, f'{item_kind.name}_id': item.id}), item


async def test_a_merge_keeps_everything_of_both_and_undo_restores_both_exactly(acme, rubrica_env):
    services = integrations.build(load_settings())
    actor = acme.member.membership
    keep = await records.create_record(CONTACT, actor, {
        'first_name': 'Andre', 'last_name': 'Muller', 'type': 'Client', 'emails': ['andre@example.com'],
        'phones': ['02 1234 5678'], 'addresses': [{'city': 'Milano'}],
        'description': f'Met {acme.other.mention}'})
    other = await records.create_record(CONTACT, actor, {
        'first_name': 'André', 'last_name': 'Müller', 'type': 'Lead', 'role': 'Marketing Manager',
        'emails': ['ANDRE@example.com', 'a.muller@example.org'], 'phones': ['+33 1 42 68 53 00'],
        'addresses': [{'city': 'milano'}, {'city': 'Paris', 'country': 'FR'}], 'pec': 'andre@pec.example.it',
        'vat_number': VALID_IVA, 'company_name': 'Müller GmbH', 'description': 'From the fair'})
    await records.update_record(CONTACT, actor, other.id, {'first_name': 'André'}, 1)  # version 2
    upload_keep = await add_upload(actor, CONTACT, keep.id, filename='keep.txt', content_type='text/plain',
                                   chunks=chunked(b'keep'), integrations=services)
    upload_other = await add_upload(actor, CONTACT, other.id, filename='other.txt', content_type='text/plain',
                                    chunks=chunked(b'other'), integrations=services)
    cloud = await Attachment.create(org_id=actor.org_id, contact_id=other.id, source='google_drive',
                                    filename='Drive doc', storage_key='drive-file-1', web_link='https://drive/x',
                                    uploaded_by_id=acme.member.id, size=None)
    shared_conn_keep, project = await _linked(actor, CONTACT, keep, PROJECT, 'Shared project')
    shared_conn_other = await link(actor, {'contact_id': other.id, 'project_id': project.id})
    task_conn, _ = await _linked(actor, CONTACT, other, TASK, 'A task')
    ticket_conn, _ = await _linked(actor, CONTACT, other, TICKET, 'A ticket')
    before = {keep.id: await state(CONTACT, keep.id), other.id: await state(CONTACT, other.id)}

    result = await merge(CONTACT, actor, keep.id, other.id,
                         choices={'first_name': 'other', 'last_name': 'other', 'type': 'keep', 'role': 'other',
                                  'company_id': 'other', 'pec': 'other', 'vat_number': 'other'},
                         versions={'keep': 1, 'other': 2})
    merged = await Contact.get(id=keep.id)
    assert not await Contact.filter(id=other.id).exists()
    assert (merged.first_name, merged.last_name, merged.type, merged.role) == ('André', 'Müller', 'Client',
                                                                               'Marketing Manager')
    assert merged.company_id == other.company_id and merged.pec == 'andre@pec.example.it'
    assert merged.vat_number == VALID_IVA
    assert merged.emails == ['andre@example.com', 'a.muller@example.org']
    assert merged.phones == ['+390212345678', '+33142685300']
    assert [a['city'] for a in merged.addresses] == ['Milano', 'Paris']
    assert merged.version == 2 and merged.updated_by_id == acme.member.id
    assert merged.description.startswith('Met @[Tina')
    assert await Mention.filter(contact_id=keep.id).values_list('user_id', flat=True) == [acme.other.id]
    assert sorted(await RecordKey.filter(contact_id=keep.id).values_list('kind', 'value')) == sorted([
        ('email', 'andre@example.com'), ('email', 'a.muller@example.org'), ('phone', '+390212345678'),
        ('phone', '+33142685300'), ('pec', 'andre@pec.example.it'), ('vat', VALID_IVA)])
    assert not await RecordKey.filter(contact_id=other.id).exists()
    assert sorted(await Attachment.filter(contact_id=keep.id).values_list('id', flat=True)) == \
        sorted([upload_keep.id, upload_other.id, cloud.id])
    kept_links = await Connection.filter(contact_id=keep.id).values_list('id', flat=True)
    assert sorted(kept_links) == sorted([shared_conn_keep.id, task_conn.id, ticket_conn.id])
    assert result.dropped == {'connections': 1}  # both were linked to the project: it stays linked once
    # the other record's history (created, files added, connections made) moved with its rows
    assert result.moved == {'attachments.contact_id': 2, 'connections.contact_id': 2, 'history.contact_id': 5}
    # searching finds the merged record by the other's values
    assert [r.id for r in (await records.list_records(CONTACT, acme.owner.membership, q='a.muller')).items] == [keep.id]

    undone = await undo_merge(acme.owner.membership, result.log.id)
    assert (undone.kept.id, undone.restored.id) == (keep.id, other.id)
    after = {keep.id: await state(CONTACT, keep.id), other.id: await state(CONTACT, other.id)}
    assert after == before
    assert await Connection.filter(id=shared_conn_other.id, contact_id=other.id).exists()
    with pytest.raises(Conflict):
        await undo_merge(acme.owner.membership, result.log.id)


async def test_a_company_merge_moves_its_contacts_and_undo_moves_them_back(acme):
    actor = acme.member.membership
    keep = await records.create_record(COMPANY, actor, {'name': 'Rossi Srl', 'emails': ['info@rossi.it']})
    other = await records.create_record(COMPANY, actor, {'name': 'Rossi S.r.l.', 'vat_number': VALID_IVA,
                                                         'sector': 'ICT'})
    staff = [await records.create_record(CONTACT, actor, {'last_name': n, 'company_id': other.id}) for n in 'AB']
    hidden = await records.create_record(CONTACT, acme.other.membership, {'last_name': 'Hidden', 'company_id': other.id,
                                                                          'visibility': 'private'})
    mine = await records.create_record(CONTACT, actor, {'last_name': 'Mine', 'company_id': keep.id})
    conn, _ = await _linked(actor, COMPANY, other, PROJECT, 'P')
    before = {i: await state(COMPANY, i) for i in (keep.id, other.id)}

    result = await merge(COMPANY, actor, keep.id, other.id, choices={'vat_number': 'other', 'sector': 'other'})
    assert set(await Contact.filter(company_id=keep.id).values_list('id', flat=True)) == \
        {*(s.id for s in staff), hidden.id, mine.id}  # every contact, even those the merger cannot see
    assert await Connection.filter(id=conn.id, company_id=keep.id).exists()
    merged = await Company.get(id=keep.id)
    assert (merged.name, merged.vat_number, merged.sector, merged.emails) == \
        ('Rossi Srl', VALID_IVA, 'ICT', ['info@rossi.it'])
    assert result.moved['contacts.company_id'] == 3

    await undo_merge(actor, result.log.id)
    assert {i: await state(COMPANY, i) for i in (keep.id, other.id)} == before


async def test_more_than_three_emails_are_refused_until_the_caller_picks(acme):
    actor = acme.member.membership
    keep = await records.create_record(CONTACT, actor, {'last_name': 'A', 'emails': ['1@x.it', '2@x.it'],
                                                        'phones': ['+39 02 1111111']})
    other = await records.create_record(CONTACT, actor, {'last_name': 'A', 'emails': ['3@x.it', '4@x.it']})
    with pytest.raises(ValidationFailed) as e:
        await merge(CONTACT, actor, keep.id, other.id)
    assert set(e.value.errors) == {'emails'} and 'choose at most 3' in e.value.errors['emails']
    assert await Contact.filter(id=other.id).exists()  # nothing happened
    with pytest.raises(ValidationFailed) as e:
        await merge(CONTACT, actor, keep.id, other.id, lists={'emails': ['1@x.it', 'new@x.it']})
    assert set(e.value.errors) == {'emails[1]'}
    with pytest.raises(ValidationFailed) as e:
        await merge(CONTACT, actor, keep.id, other.id, lists={'emails': ['1@x.it', '2@x.it', '3@x.it', '4@x.it']})
    assert set(e.value.errors) == {'emails'}
    await merge(CONTACT, actor, keep.id, other.id, lists={'emails': ['4@X.it', '1@x.it']})
    assert (await Contact.get(id=keep.id)).emails == ['4@x.it', '1@x.it']  # in the caller's order


async def test_stale_versions_and_bad_choices_are_refused(acme):
    actor = acme.member.membership
    keep = await records.create_record(CONTACT, actor, {'last_name': 'A'})
    other = await records.create_record(CONTACT, actor, {'last_name': 'B'})
    await records.update_record(CONTACT, actor, keep.id, {'first_name': 'Z'}, 1)
    with pytest.raises(Conflict):
        await merge(CONTACT, actor, keep.id, other.id, versions={'keep': 1, 'other': 1})
    with pytest.raises(Conflict):
        await merge(CONTACT, actor, keep.id, other.id, versions={'keep': 2, 'other': 0})
    with pytest.raises(ValidationFailed) as e:
        await merge(CONTACT, actor, keep.id, other.id, choices={'name': 'other', 'last_name': 'mine'})
    assert set(e.value.errors) == {'choices.name', 'choices.last_name'}
    with pytest.raises(ValidationFailed):
        await merge(CONTACT, actor, keep.id, keep.id)
    assert await Contact.filter(id__in=[keep.id, other.id]).count() == 2


async def test_undo_is_refused_after_the_kept_record_changed(acme):
    actor = acme.member.membership
    keep = await records.create_record(CONTACT, actor, {'last_name': 'A'})
    other = await records.create_record(CONTACT, actor, {'last_name': 'A'})
    result = await merge(CONTACT, actor, keep.id, other.id)
    await records.update_record(CONTACT, actor, keep.id, {'first_name': 'Later'}, result.record.version)
    with pytest.raises(Conflict) as e:
        await undo_merge(actor, result.log.id)
    assert 'changed after the merge' in e.value.message
    assert not await Contact.filter(id=other.id).exists()


async def test_private_records_merge_only_for_who_may(acme):
    private_tina = await records.create_record(CONTACT, acme.other.membership, {
        'last_name': 'P', 'visibility': 'private', 'description': acme.member.mention})
    public = await records.create_record(CONTACT, acme.other.membership, {'last_name': 'P'})
    hidden = await records.create_record(CONTACT, acme.other.membership, {'last_name': 'P', 'visibility': 'private'})
    # Mario cannot see `hidden`: it does not exist for him
    with pytest.raises(NotFound):
        await merge(CONTACT, acme.member.membership, public.id, hidden.id)
    # Mario sees Tina's private record (he is mentioned) but may not move its data to a public record
    with pytest.raises(Forbidden):
        await merge(CONTACT, acme.member.membership, public.id, private_tina.id)
    # nor change the visibility of a record he did not create
    with pytest.raises(Forbidden):
        await merge(CONTACT, acme.member.membership, public.id, private_tina.id, choices={'visibility': 'other'})
    result = await merge(CONTACT, acme.other.membership, public.id, private_tina.id, choices={'visibility': 'other'})
    assert result.record.visibility == 'private'
    # the merge log is visible only to who sees the kept record
    assert [m.id for m in await recent_merges(acme.other.membership)] == [result.log.id]
    assert await recent_merges(acme.owner.membership) == []
    with pytest.raises(NotFound):
        await undo_merge(acme.owner.membership, result.log.id)


async def test_a_merge_log_needs_both_records_as_they_were_at_merge_time(acme):
    """Two private records: the log exists only for who could see both (here Mario, creator of one and mentioned
    in the other), not for the creator of only one of them (Tina), nor the owner."""
    tinas = await records.create_record(CONTACT, acme.other.membership, {
        'last_name': 'Verdi', 'visibility': 'private', 'description': acme.member.mention})
    marios = await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Verdi',
                                                                           'visibility': 'private'})
    result = await merge(CONTACT, acme.member.membership, tinas.id, marios.id)
    log = await MergeLog.get(id=result.log.id)
    assert (log.kept_visibility, log.kept_created_by_id, log.removed_visibility, log.removed_created_by_id) == (
        'private', acme.other.id, 'private', acme.member.id)
    assert [m.id for m in await recent_merges(acme.member.membership)] == [log.id]
    # Tina sees the kept record (hers) but never saw Mario's private one that went into it
    assert await records.get_record(CONTACT, acme.other.membership, tinas.id)
    assert await recent_merges(acme.other.membership) == []
    assert await recent_merges(acme.owner.membership) == []
    for who in (acme.other.membership, acme.owner.membership, acme.guest.membership):
        with pytest.raises((NotFound, Forbidden)):
            await undo_merge(who, log.id)
    with pytest.raises(NotFound):
        await get_merge(acme.other.membership, log.id)
    # what the records became later does not widen the log: making the kept record public shows it to everyone,
    # the log still only to Mario
    await records.update_record(CONTACT, acme.other.membership, tinas.id, {'visibility': 'public'}, 2)
    assert await recent_merges(acme.owner.membership) == []
    assert [m.id for m in await recent_merges(acme.member.membership)] == [log.id]


async def test_a_merge_in_another_organization_is_not_found(acme, elsewhere):
    theirs = elsewhere.owner.membership
    a = await records.create_record(CONTACT, theirs, {'last_name': 'X'})
    b = await records.create_record(CONTACT, theirs, {'last_name': 'X'})
    result = await merge(CONTACT, theirs, a.id, b.id)
    with pytest.raises(NotFound):
        await merge(CONTACT, acme.owner.membership, a.id, b.id)
    with pytest.raises(NotFound):
        await undo_merge(acme.owner.membership, result.log.id)
    assert await MergeLog.filter(id=result.log.id, undone_at__isnull=True).exists()


# ------------------------------------------------------------------ nothing that points at a record is forgotten

# a record's history and notes move to the kept record (the removed one's timeline joins the kept one's) and back
HANDLED = {
    'contact': {('Attachment', 'contact'), ('Connection', 'contact'), ('Mention', 'contact'),
                ('RecordKey', 'contact'), ('HistoryEntry', 'contact'), ('Note', 'contact'), ('DavCard', 'contact')},
    'company': {('Attachment', 'company'), ('Connection', 'company'), ('Contact', 'company'), ('Mention', 'company'),
                ('RecordKey', 'company'), ('HistoryEntry', 'company'), ('Note', 'company'), ('DavCard', 'company')},
}


@pytest.mark.parametrize('kind', [CONTACT, COMPANY], ids=lambda k: k.name)
async def test_every_foreign_key_to_records_is_known_to_the_merge(db, kind):
    """A new table pointing at contacts or companies fails here: check that moving its rows to the kept record
    (what merge does by default, dropping rows its unique rules would reject) is right, then add it above."""
    found = {(r.model.__name__, r.field) for r in references(kind)}
    assert found == HANDLED[kind.name]
    for model in Tortoise.apps.get_models_iterable():  # many-to-many tables would not be moved
        for name in model._meta.m2m_fields:
            assert model._meta.fields_map[name].related_model not in (Contact, Company), (model, name)


async def test_undo_copes_with_what_was_deleted_after_the_merge(acme):
    """A company, a project or an attachment deleted after the merge: undo restores the rest, as the database
    would have handled the deletion (the company link emptied, the dropped link to the deleted project gone)."""
    actor = acme.member.membership
    company = await records.create_record(COMPANY, actor, {'name': 'Gone Srl'})
    keep = await records.create_record(CONTACT, actor, {'last_name': 'A'})
    other = await records.create_record(CONTACT, actor, {'last_name': 'A', 'company_id': company.id})
    _, project = await _linked(actor, CONTACT, keep, PROJECT, 'Shared')
    await link(actor, {'contact_id': other.id, 'project_id': project.id})
    moved_conn, _ = await _linked(actor, CONTACT, other, TASK, 'Task')
    result = await merge(CONTACT, actor, keep.id, other.id)
    assert result.dropped == {'connections': 1}
    await records.delete_record(COMPANY, actor, company.id)
    await trash.delete_forever(COMPANY, acme.owner.membership, company.id)  # out of the trash too
    await project.delete()
    await undo_merge(actor, result.log.id)
    restored = await Contact.get(id=other.id)
    assert restored.company_id is None
    assert await Connection.filter(contact_id=other.id).values_list('id', flat=True) == [moved_conn.id]


async def test_a_merge_may_keep_both_descriptions_joined_with_the_mentions_of_both(acme):
    actor = acme.member.membership
    keep = await records.create_record(CONTACT, actor, {'last_name': 'Rossi', 'description': 'Met at the fair'})
    other = await records.create_record(CONTACT, actor, {'first_name': 'Mario', 'last_name': 'Rossi',
                                                         'description': f'Call {acme.other.mention} first'})
    result = await merge(CONTACT, actor, keep.id, other.id, choices={'description': 'both'})
    assert result.record.description == (f'Met at the fair\n\n--- From the merged contact "Mario Rossi" ---\n'
                                         f'Call {acme.other.mention} first')
    assert await Mention.filter(contact_id=keep.id).values_list('user_id', flat=True) == [acme.other.id]
    await undo_merge(actor, result.log.id)
    assert (await Contact.get(id=keep.id)).description == 'Met at the fair'


async def test_keeping_both_descriptions_is_refused_past_the_length_limit_and_only_for_descriptions(acme):
    actor = acme.member.membership
    keep = await records.create_record(COMPANY, actor, {'name': 'Rossi', 'description': 'a' * 15_000})
    other = await records.create_record(COMPANY, actor, {'name': 'Rossi', 'description': 'b' * 15_000})
    with pytest.raises(ValidationFailed) as e:
        await merge(COMPANY, actor, keep.id, other.id, choices={'description': 'both'})
    assert 'choices.description' in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        await merge(COMPANY, actor, keep.id, other.id, choices={'name': 'both'})
    assert 'choices.name' in e.value.errors
    assert await Company.filter(id__in=[keep.id, other.id]).count() == 2
