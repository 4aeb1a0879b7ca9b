"""The timeline names another record, an import or an organization only to a reader who may see it too."""
from __future__ import annotations

import pytest

from models.duplicates.merging import merge
from models.errors import ValidationFailed
from models.history.tables import HistoryEntry
from models.history.timeline import HIDDEN, timeline
from models.imports.writing import import_file
from models.records import service as records
from models.records.copy import copy_records
from models.records.tables import CONTACT, Contact


def _refs(page) -> list:
    return [(e.action, e.ref) for e in page.items if e.ref]


async def test_a_merged_away_private_record_is_named_only_to_who_could_see_it(acme):
    mario, tina = acme.member.membership, acme.other.membership
    keep = await records.create_record(CONTACT, mario, {'last_name': 'Rossi'})
    other = await records.create_record(CONTACT, mario, {'first_name': 'Secret', 'last_name': 'Rossi',
                                                        'visibility': 'private'})
    result = await merge(CONTACT, mario, keep.id, other.id)
    mine = await timeline(CONTACT, mario, keep.id)
    assert ('merged', {'kind': 'merge', 'id': result.log.id, 'name': 'Secret Rossi'}) in _refs(mine)
    theirs = await timeline(CONTACT, tina, keep.id)
    assert ('merged', {'kind': 'merge', 'id': None, 'name': ''}) in _refs(theirs)
    assert 'Secret' not in repr(theirs)
    # the removed record's own history joined the kept one's: also shown to Tina, who sees the kept record
    assert [e.action for e in mine.items].count('created') == 2


async def test_an_import_is_named_to_its_importer_and_an_organization_to_its_members(acme, target):
    mario, tina, olga = acme.member.membership, acme.other.membership, acme.owner.membership
    await import_file(mario, kind='contact', data=b'Last name\nBianchi\n', filename='fair.csv')
    imported = await Contact.get(last_name='Bianchi', org_id=acme.id)
    assert _refs(await timeline(CONTACT, mario, imported.id))[0][1]['name'] == 'fair.csv'
    assert _refs(await timeline(CONTACT, tina, imported.id))[0][1] == {'kind': 'import', 'id': None, 'name': ''}

    report = await copy_records(actor=olga, target_org_id=target.id, contact_ids=[imported.id])
    copy_id = report.contacts[imported.id]
    in_target = target.members[0].membership  # Mario, a member of both
    assert _refs(await timeline(CONTACT, in_target, copy_id)) == [
        ('copied_in', {'kind': 'organization', 'id': acme.id, 'name': 'Acme'})]
    await HistoryEntry.filter(contact_id=copy_id).update(ref_id=10 ** 6)  # an organization the reader is not in
    assert _refs(await timeline(CONTACT, in_target, copy_id)) == [
        ('copied_in', {'kind': 'organization', 'id': None, 'name': ''})]


async def test_a_contacts_company_change_names_only_companies_the_reader_sees(acme):
    mario, tina = acme.member.membership, acme.other.membership
    hidden = await records.create_record(records.COMPANY, mario, {'name': 'Hidden Srl', 'visibility': 'private'})
    shown = await records.create_record(records.COMPANY, mario, {'name': 'Shown Srl'})
    contact = await records.create_record(CONTACT, mario, {'last_name': 'Rossi', 'company_id': hidden.id})
    await records.update_record(CONTACT, mario, contact.id, {'company_id': shown.id}, 1)
    (change,) = [e.changes for e in (await timeline(CONTACT, mario, contact.id)).items if e.changes]
    assert change == {'company_id': [{'id': hidden.id, 'name': 'Hidden Srl'}, {'id': shown.id, 'name': 'Shown Srl'}]}
    (change,) = [e.changes for e in (await timeline(CONTACT, tina, contact.id)).items if e.changes]
    assert change == {'company_id': [HIDDEN, {'id': shown.id, 'name': 'Shown Srl'}]}


async def test_pages_are_newest_first_and_bounded(acme):
    mario = acme.member.membership
    contact = await records.create_record(CONTACT, mario, {'last_name': 'Rossi'})
    for version in range(1, 6):
        await records.update_record(CONTACT, mario, contact.id, {'first_name': f'N{version}'}, version)
    page = await timeline(CONTACT, mario, contact.id, limit=2, offset=1)
    assert page.total == 6
    assert [e.changes['first_name'][1] for e in page.items] == ['N4', 'N3']
    with pytest.raises(ValidationFailed, match='Limit'):
        await timeline(CONTACT, mario, contact.id, limit=1000)
