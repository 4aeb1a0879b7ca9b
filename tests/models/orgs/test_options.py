"""Option lists: records keep values by name, so renaming a value in Settings carries the records along."""
from __future__ import annotations

from models.orgs import service as orgs
from models.records import service as records
from models.records.tables import COMPANY, CONTACT, Company, Contact


async def test_renaming_an_option_renames_it_on_records(make_org):
    owner = (await make_org()).owner.membership
    contact = await records.create_record(CONTACT, owner, {'last_name': 'Rossi', 'type': 'Client'})
    company = await records.create_record(COMPANY, owner, {'name': 'Rossi Srl', 'type': 'Client', 'sector': 'ICT'})
    types = (await orgs.option_lists(owner.org_id))['contact_types']
    await orgs.save_option_list(actor=owner, kind='contact_types', names=['Customer', *types[1:]],
                                renamed={'Client': 'Customer'})
    await orgs.save_option_list(actor=owner, kind='sectors', names=['Information technology'],
                                renamed={'ICT': 'Information technology'})
    assert (await Contact.get(id=contact.id)).type == 'Customer'
    company_now = await Company.get(id=company.id)
    assert (company_now.type, company_now.sector) == ('Client', 'Information technology')  # company types untouched


async def test_a_value_removed_from_its_list_stays_on_records_until_changed(make_org):
    owner = (await make_org()).owner.membership
    contact = await records.create_record(CONTACT, owner, {'last_name': 'Rossi', 'type': 'Lead'})
    await orgs.save_option_list(actor=owner, kind='contact_types', names=['Client'])
    changed = await records.update_record(CONTACT, owner, contact.id, {'type': 'Lead', 'first_name': 'Ada'}, 1)
    assert changed.type == 'Lead'  # unchanged value is kept
