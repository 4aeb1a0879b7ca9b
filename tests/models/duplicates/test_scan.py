"""The duplicates scan: same email, phone, VAT number and name are grouped, behind the gate (never a record the caller
may not see), pages and bad arguments named."""
from __future__ import annotations

import pytest

from models.records import service as records
from models.duplicates.detection import scan
from models.duplicates.merging import merge, undo_merge
from models.errors import Forbidden, ValidationFailed
from models.records.tables import COMPANY, CONTACT
from tests.helpers import VALID_IVA


async def test_the_scan_groups_same_email_phone_vat_and_name(acme):
    a = await records.create_record(CONTACT, acme.member.membership, {'first_name': 'André', 'last_name': 'Müller',
                                                                      'emails': ['andre@example.com']})
    b = await records.create_record(CONTACT, acme.member.membership, {'first_name': 'Andre', 'last_name': 'MULLER',
                                                                      'emails': ['ANDRE@example.com'],
                                                                      'phones': ['02 1234 5678']})
    c = await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Bianchi',
                                                                      'phones': ['+39 02 12345678'],
                                                                      'vat_number': VALID_IVA})
    d = await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Verdi',
                                                                      'vat_number': f'{VALID_IVA[:5]} {VALID_IVA[5:]}'})
    await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Alone',
                                                                  'emails': ['alone@example.com']})
    page = await scan(acme.owner.membership, 'contact')
    found = {(g.reason, g.value): sorted(m.id for m in g.members) for g in page.items}
    assert found == {
        ('same email', 'andre@example.com'): [a.id, b.id],
        ('same phone', '+390212345678'): [b.id, c.id],
        ('same VAT number', VALID_IVA): [c.id, d.id],
        ('same name', 'muller andre'): [a.id, b.id],
    }
    assert page.total == 4
    assert all(g.count == 2 for g in page.items)
    assert [g.key for g in page.items][-1] == 'name'  # shared keys first

    # paginated in the database, the same groups page by page
    first = await scan(acme.owner.membership, 'contact', limit=3, offset=0)
    second = await scan(acme.owner.membership, 'contact', limit=3, offset=3)
    assert first.total == second.total == 4
    assert len(first.items) == 3 and len(second.items) == 1
    assert {g.label for g in first.items + second.items} == {g.label for g in page.items}


async def test_the_scan_of_companies(acme):
    a = await records.create_record(COMPANY, acme.member.membership, {'name': 'Rossi Srl', 'vat_number': VALID_IVA})
    b = await records.create_record(COMPANY, acme.member.membership, {'name': 'ROSSI SRL'})
    c = await records.create_record(COMPANY, acme.member.membership, {'name': 'Other',
                                                                      'vat_number': f' {VALID_IVA.lower()}'})
    page = await scan(acme.member.membership, 'company')
    assert {(g.key, tuple(sorted(m.id for m in g.members))) for g in page.items} == \
        {('vat', (a.id, c.id)), ('name', (a.id, b.id))}


async def test_the_scan_never_lists_what_the_caller_cannot_see(acme, elsewhere):
    await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Secret', 'emails': ['s@example.com'],
                                                                  'visibility': 'private'})
    public = await records.create_record(CONTACT, acme.other.membership, {'last_name': 'Secret',
                                                                          'emails': ['s@example.com']})
    await records.create_record(CONTACT, acme.other.membership, {'last_name': 'Lone', 'emails': ['x@example.com']})
    mario_sees = await scan(acme.member.membership, 'contact')
    assert {g.key for g in mario_sees.items} == {'email', 'name'}
    # Tina and the owner see one "Secret" only: no group, not even a count
    for actor in (acme.other.membership, acme.owner.membership):
        page = await scan(actor, 'contact')
        assert page.items == [] and page.total == 0
    await records.create_record(CONTACT, elsewhere.owner.membership, {'last_name': 'Secret',
                                                                      'emails': ['s@example.com']})
    page = await scan(acme.other.membership, 'contact')
    assert page.total == 0, 'another organization never shows'
    assert public.id


async def test_guests_may_not_scan_merge_or_undo(acme):
    with pytest.raises(Forbidden):
        await scan(acme.guest.membership, 'contact')
    with pytest.raises(Forbidden):
        await merge(CONTACT, acme.guest.membership, 1, 2)
    with pytest.raises(Forbidden):
        await undo_merge(acme.guest.membership, 1)


async def test_bad_scan_arguments_name_the_field(acme):
    with pytest.raises(ValidationFailed) as e:
        await scan(acme.owner.membership, 'person', limit=0, offset=-1)
    assert 'kind' in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        await scan(acme.owner.membership, 'contact', limit=0, offset=-1)
    assert set(e.value.errors) == {'limit', 'offset'}


async def test_companies_with_the_same_name_in_other_spellings_are_one_group(acme):
    """Issue 14: the scan compares company names like import and copy do (text.company_name_key)."""
    a = await records.create_record(COMPANY, acme.member.membership, {'name': 'Officine Meccaniche Lombarde S.r.l.'})
    b = await records.create_record(COMPANY, acme.member.membership, {'name': 'officine meccaniche lombarde srl'})
    c = await records.create_record(COMPANY, acme.member.membership, {'name': 'Officine Meccaniche Lombarde, SRL'})
    await records.create_record(COMPANY, acme.member.membership, {'name': 'Officine Meccaniche Venete S.r.l.'})
    page = await scan(acme.owner.membership, 'company')
    assert [(g.reason, g.value, sorted(m.id for m in g.members)) for g in page.items] == [
        ('same name', 'officine meccaniche lombarde', [a.id, b.id, c.id])]
