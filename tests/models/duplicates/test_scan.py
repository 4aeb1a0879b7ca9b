"""The duplicates scan: records sharing an email, phone, VAT number or name are paired, with every reason of a
pair together, behind the gate (never a record the caller may not see), pages and bad arguments named."""
from __future__ import annotations

import pytest

from models.records import service as records
from models.duplicates.detection import PAIRS_PER_VALUE_MAX, scan
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
    found = {tuple(m.id for m in p.members): [(r.reason, r.value) for r in p.reasons] for p in page.items}
    assert found == {
        (a.id, b.id): [('same email', 'andre@example.com'), ('same name', 'muller andre')],
        (b.id, c.id): [('same phone', '+390212345678')],
        (c.id, d.id): [('same VAT number', VALID_IVA)],
    }
    assert page.total == 3
    assert page.items[0].members[0].id == a.id, 'the pair with the most reasons first'
    assert [m.name for m in page.items[0].members] == ['André Müller', 'Andre MULLER']

    # paged: the same pairs page by page
    first = await scan(acme.owner.membership, 'contact', limit=2, offset=0)
    second = await scan(acme.owner.membership, 'contact', limit=2, offset=2)
    assert first.total == second.total == 3
    assert len(first.items) == 2 and len(second.items) == 1
    assert [p.ids for p in first.items + second.items] == [p.ids for p in page.items]


async def test_one_pair_sharing_email_phone_and_name_is_listed_once_with_its_company(acme):
    """Issue 14: the same two records used to be listed three times (same email, same phone, same name)."""
    owner = acme.owner.membership
    rossi = await records.create_record(COMPANY, owner, {'name': 'Rossi S.r.l.'})
    a = await records.create_record(CONTACT, owner, {'first_name': 'Mario', 'last_name': 'Rossi',
                                                     'emails': ['mario@rossi.it'], 'phones': ['02 1234 5678'],
                                                     'company_id': rossi.id})
    b = await records.create_record(CONTACT, owner, {'first_name': 'Mario', 'last_name': 'Rossi',
                                                     'emails': ['Mario@Rossi.it'], 'phones': ['+39 02 12345678']})
    page = await scan(acme.member.membership, 'contact')
    assert page.total == 1
    (pair,) = page.items
    assert [r.key for r in pair.reasons] == ['email', 'phone', 'name']
    assert [(m.id, m.name, m.company_name) for m in pair.members] == [(a.id, 'Mario Rossi', 'Rossi S.r.l.'),
                                                                       (b.id, 'Mario Rossi', '')]


async def test_three_records_sharing_a_value_make_three_pairs_and_a_shared_value_makes_none(acme):
    owner = acme.owner.membership
    three = [await records.create_record(CONTACT, owner, {'last_name': f'P{i}', 'emails': ['info@x.it']})
             for i in range(3)]
    page = await scan(owner, 'contact')
    assert sorted(p.ids for p in page.items) == [(three[0].id, three[1].id), (three[0].id, three[2].id),
                                                 (three[1].id, three[2].id)]
    many = [await records.create_record(CONTACT, owner, {'last_name': f'S{i}', 'phones': ['02 9999 0000']})
            for i in range(PAIRS_PER_VALUE_MAX + 1)]
    page = await scan(owner, 'contact')
    assert page.total == 3 and page.common_values == 1, 'a switchboard number is not a sign of duplicates'
    assert many


async def test_the_scan_of_companies(acme):
    a = await records.create_record(COMPANY, acme.member.membership, {'name': 'Rossi Srl', 'vat_number': VALID_IVA})
    b = await records.create_record(COMPANY, acme.member.membership, {'name': 'ROSSI SRL'})
    c = await records.create_record(COMPANY, acme.member.membership, {'name': 'Other',
                                                                      'vat_number': f' {VALID_IVA.lower()}'})
    page = await scan(acme.member.membership, 'company')
    assert {(p.key, p.ids) for p in page.items} == {('vat', (a.id, c.id)), ('name', (a.id, b.id))}


async def test_the_scan_never_lists_what_the_caller_cannot_see(acme, elsewhere):
    await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Secret', 'emails': ['s@example.com'],
                                                                  'visibility': 'private'})
    public = await records.create_record(CONTACT, acme.other.membership, {'last_name': 'Secret',
                                                                          'emails': ['s@example.com']})
    await records.create_record(CONTACT, acme.other.membership, {'last_name': 'Lone', 'emails': ['x@example.com']})
    mario_sees = await scan(acme.member.membership, 'contact')
    assert [[r.key for r in p.reasons] for p in mario_sees.items] == [['email', 'name']]
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


async def test_companies_with_the_same_name_in_other_spellings_are_paired(acme):
    """Issue 14: the scan compares company names like import and copy do (text.company_name_key)."""
    a = await records.create_record(COMPANY, acme.member.membership, {'name': 'Officine Meccaniche Lombarde S.r.l.'})
    b = await records.create_record(COMPANY, acme.member.membership, {'name': 'officine meccaniche lombarde srl'})
    c = await records.create_record(COMPANY, acme.member.membership, {'name': 'Officine Meccaniche Lombarde, SRL'})
    await records.create_record(COMPANY, acme.member.membership, {'name': 'Officine Meccaniche Venete S.r.l.'})
    page = await scan(acme.owner.membership, 'company')
    assert [(g.reason, g.value, g.ids) for g in page.items] == [
        ('same name', 'officine meccaniche lombarde', pair) for pair in ((a.id, b.id), (a.id, c.id), (b.id, c.id))]
