"""Option lists: records keep values by name, so renaming a value in Settings carries the records along."""
from __future__ import annotations

import pytest

from models.errors import Forbidden, NotFound, ValidationFailed
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


async def test_removing_a_value_in_use_counts_and_moves_its_records_in_one_step(acme):
    owner, mario = acme.owner.membership, acme.member.membership
    await orgs.save_option_list(actor=owner, kind='contact_roles', names=['Consulente', 'Technician'])
    public = [await records.create_record(CONTACT, owner, {'last_name': f'C{i}', 'role': 'Consulente'})
              for i in range(3)]
    secret = await records.create_record(CONTACT, mario, {'last_name': 'Secret', 'role': 'Consulente',
                                                          'visibility': 'private'})
    other = await records.create_record(CONTACT, owner, {'last_name': 'Tech', 'role': 'Technician'})
    # counted behind the gate: the owner does not learn of Mario's private contact
    assert await orgs.option_usage(actor=owner, kind='contact_roles') == {'Consulente': 3, 'Technician': 1}
    assert (await orgs.option_usage(actor=mario, kind='contact_roles'))['Consulente'] == 4

    moved = await orgs.remove_option(actor=owner, kind='contact_roles', name='Consulente', move_to='Technician')
    assert moved == {'contact': 3}
    assert (await orgs.option_lists(acme.id))['contact_roles'] == ['Technician']
    for record in [*public, secret]:  # every record of the organization moves, the value is the organization's
        now = await Contact.get(id=record.id)
        assert (now.role, now.version) == ('Technician', 2)
    assert (await Contact.get(id=other.id)).version == 1


async def test_removing_a_value_may_leave_its_records_empty_and_is_checked(acme):
    owner = acme.owner.membership
    company = await records.create_record(COMPANY, owner, {'name': 'Rossi Srl', 'sector': 'ICT'})
    with pytest.raises(ValidationFailed) as e:
        await orgs.remove_option(actor=owner, kind='sectors', name='ICT', move_to='ICT')
    assert 'move_to' in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        await orgs.remove_option(actor=owner, kind='sectors', name='ICT', move_to='Astrology')
    assert 'move_to' in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        await orgs.remove_option(actor=owner, kind='sectors', name='Astrology')
    assert 'name' in e.value.errors
    with pytest.raises(NotFound):
        await orgs.remove_option(actor=owner, kind='colours', name='Red')
    with pytest.raises(Forbidden):
        await orgs.remove_option(actor=acme.guest.membership, kind='sectors', name='ICT')
    assert (await Company.get(id=company.id)).sector == 'ICT'  # nothing happened on a refusal

    assert await orgs.remove_option(actor=acme.member.membership, kind='sectors', name='ICT') == {'company': 1}
    assert (await Company.get(id=company.id)).sector == ''
    assert 'ICT' not in (await orgs.option_lists(acme.id))['sectors']
