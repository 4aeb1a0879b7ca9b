"""Copy to organization from the list (multi-select) and from a card; shown to owners only."""
from __future__ import annotations

from nicegui.testing import User

from models.records import service as records
from models.files.tables import Attachment
from models.records.tables import CONTACT, Company, Contact
from tests.drivers import element, log_in


async def test_copy_selected_contacts_from_the_list(user: User, acme, target):
    source = acme.owner.membership
    made = [await records.create_record(CONTACT, source, {'last_name': name, 'company_name': 'Shared Srl'})
            for name in ('Uno', 'Due', 'Tre')]
    await log_in(user, acme.owner, path='/contacts')
    await user.should_see(content='3 contacts', marker='list-total')
    table = next(iter(user.find(marker='list-table').elements))
    chosen = [row for row in table.rows if row['name'] in ('Uno', 'Tre')]
    user.find(marker='list-table').trigger('selection', {'added': True, 'rows': chosen,
                                                         'keys': [r['id'] for r in chosen]})
    await user.should_see(content='2 contacts selected', marker='bulk-count')  # the selection bar offers the copy
    user.find(marker='list-copy').click()
    await user.should_see(marker='copy-run')
    user.find(marker='copy-run').click()
    await user.should_see(marker='copy-done', retries=30)
    copied = await Contact.filter(org_id=target.id).order_by('last_name').values_list('last_name', flat=True)
    assert copied == ['Tre', 'Uno']
    assert await Contact.filter(org_id=source.org_id).count() == len(made)


async def test_the_copy_counts_the_companies_it_created_and_the_attachments(user: User, acme, target):
    source = acme.owner.membership
    uno = await records.create_record(CONTACT, source, {'last_name': 'Uno', 'company_name': 'Shared Srl'})
    due = await records.create_record(CONTACT, source, {'last_name': 'Due', 'company_id': uno.company_id})
    tre = await records.create_record(CONTACT, source, {'last_name': 'Tre', 'company_name': 'Altra Spa'})
    for name in ('plan.pdf', 'offer.pdf'):  # linked files: they come along without a file store
        await Attachment.create(org_id=acme.id, contact_id=uno.id, source='dropbox', filename=name, size=10,
                                content_type='application/pdf', storage_key=f'id:{name}',
                                web_link=f'https://www.dropbox.com/preview/{name}', uploaded_by_id=acme.owner.id)
    await log_in(user, acme.owner, path='/contacts')
    await user.should_see(content='3 contacts', marker='list-total')

    async def copy(*records_chosen) -> None:
        chosen = [row for row in element(user, 'list-table').rows if row['id'] in {r.id for r in records_chosen}]
        user.find(marker='list-table').trigger('selection', {'added': True, 'rows': chosen,
                                                             'keys': [r['id'] for r in chosen]})
        user.find(marker='list-copy').click()
        await user.should_see(marker='copy-run')
        user.find(marker='copy-run').click()
        await user.should_see(marker='copy-done', retries=30)

    await copy(uno, due)
    await user.should_see(content='Copied 2 contacts, 1 company and 2 attachments to Target.', marker='copy-done')
    await user.open('/contacts')
    await user.should_see(content='3 contacts', marker='list-total')
    await copy(tre)
    await user.should_see(content='Copied 1 contact, 1 company and 0 attachments to Target.', marker='copy-done')
    assert await Company.filter(org_id=target.id).count() == 2


async def test_copy_one_contact_from_its_card(user: User, acme, target):
    source = acme.owner.membership
    contact = await records.create_record(CONTACT, source, {'last_name': 'Solo', 'emails': ['solo@example.com']})
    await records.create_record(CONTACT, target.owner.membership, {'last_name': 'Già', 'emails': ['solo@example.com']})
    await log_in(user, acme.owner, path=f'/contacts/{contact.id}')
    user.find(marker='record-copy').click()
    await user.should_see(marker='copy-run')
    user.find(marker='copy-run').click()
    await user.should_see(marker='copy-skipped', retries=30)
    await user.should_see(content='same email solo@example.com', marker='copy-skipped')
    user.find(marker='copy-anyway').click()
    user.find(marker='copy-run').click()
    await user.should_see(content='Copied 1 contact, 0 companies and 0 attachments', marker='copy-done', retries=30)
    assert await Contact.filter(org_id=target.id).count() == 2


async def test_members_are_not_offered_the_copy(user: User, acme, target):
    source = acme.owner.membership
    contact = await records.create_record(CONTACT, source, {'last_name': 'Nope'})
    await log_in(user, acme.member, path='/contacts')
    await user.should_see(marker='list-table')
    await user.should_not_see(marker='list-copy')
    await user.open(f'/contacts/{contact.id}')
    await user.should_see(marker='record-edit')
    await user.should_not_see(marker='record-copy')


async def test_an_italian_owner_copies_in_italian(user: User, acme, target):
    uno = await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Uno', 'company_name': 'Shared'})
    acme.owner.user.language = 'it'
    await acme.owner.user.save(update_fields=['language'])
    await log_in(user, acme.owner, path='/contacts')
    await user.should_see(marker='list-table')
    chosen = [row for row in element(user, 'list-table').rows if row['id'] == uno.id]
    user.find(marker='list-table').trigger('selection', {'added': True, 'rows': chosen, 'keys': [uno.id]})
    user.find(marker='list-copy').click()
    await user.should_see('Copia 1 record in un’altra organizzazione')
    user.find(marker='copy-run').click()
    await user.should_see(content='Copiati 1 contatto, 1 azienda e 0 allegati in Target.', marker='copy-done',
                          retries=30)
    await user.should_not_see('Copied')
