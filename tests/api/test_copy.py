"""Copy into another organization through the API: fields, companies, mentions, duplicates, refusals, atomicity."""
from __future__ import annotations

from models.records.tables import Company, Contact
from tests.helpers import VALID_IVA


async def test_contacts_and_their_company_are_copied_with_every_field(client, acme, target):
    await client.put(f'{acme.base}/options/contact_types', json=['Client', 'Distributor'], headers=acme.owner.auth)
    company = (await client.post(f'{acme.base}/companies', headers=acme.owner.auth, json={
        'name': 'Rossi Srl', 'sector': 'ICT', 'vat_number': VALID_IVA, 'emails': ['info@rossi.it']})).json()
    body = {'first_name': 'André', 'last_name': 'Müller', 'type': 'Distributor', 'role': 'Sales Manager',
            'company_id': company['id'], 'emails': ['andre@example.com'], 'pec': 'andre@pec.it',
            'phones': ['02 1234 5678'], 'addresses': [{'street': 'Via Roma 1', 'city': 'Milano', 'country': 'IT'}],
            'vat_number': 'RSSMRA85T10A562S', 'visibility': 'private',
            'description': f'@[Mario](user:{acme.member.id}) and @[Tina](user:{acme.other.id}) met them'}
    first = (await client.post(f'{acme.base}/contacts', json=body, headers=acme.owner.auth)).json()
    second = (await client.post(f'{acme.base}/contacts', headers=acme.owner.auth, json={
        'last_name': 'Bianchi', 'company_id': company['id']})).json()

    response = await client.post(f'{acme.base}/copy', headers=acme.owner.auth, json={
        'target_org_id': target.id, 'contact_ids': [first['id'], second['id']]})
    assert response.status_code == 200, response.text
    result = response.json()
    assert set(result['contacts']) == {str(first['id']), str(second['id'])} and result['skipped'] == []
    assert (result['companies'], result['companies_created'], result['attachments']) == ({}, 1, 0)  # came along

    copied = (await client.get(f'{target.base}/contacts/{result["contacts"][str(first["id"])]}',
                               headers=acme.owner.auth)).json()
    for name in ('first_name', 'last_name', 'type', 'role', 'emails', 'pec', 'phones', 'addresses', 'vat_number',
                 'visibility'):
        assert copied[name] == first[name], name
    assert copied['description'] == f'@[Mario](user:{acme.member.id}) and @Tina met them'
    assert copied['mentions'] == [acme.member.id] and copied['created_by'] == acme.owner.id
    assert copied['company']['name'] == 'Rossi Srl'
    other = (await client.get(f'{target.base}/contacts/{result["contacts"][str(second["id"])]}',
                              headers=acme.owner.auth)).json()
    assert other['company']['id'] == copied['company']['id']  # the company was copied once
    assert await Company.filter(org_id=target.id).count() == 1
    target_options = (await client.get(f'{target.base}/options', headers=acme.owner.auth)).json()
    assert 'Distributor' in target_options['contact_types']
    original = (await client.get(f'{acme.base}/contacts/{first["id"]}', headers=acme.owner.auth)).json()
    assert original == first  # the original is untouched


async def test_an_unselected_company_is_matched_in_the_target(client, acme, target):
    src_company = (await client.post(f'{acme.base}/companies', json={'name': 'Verdi SpA', 'vat_number': VALID_IVA},
                                     headers=acme.owner.auth)).json()
    dst_company = (await client.post(f'{target.base}/companies', json={'name': 'Verdi S.p.A.', 'vat_number': VALID_IVA},
                                     headers=acme.owner.auth)).json()
    named_src = (await client.post(f'{acme.base}/companies', json={'name': 'Gialli S.r.l.'},
                                   headers=acme.owner.auth)).json()
    named_dst = (await client.post(f'{target.base}/companies', json={'name': 'GIALLI SRL'},
                                   headers=acme.owner.auth)).json()  # the same name, as text.company_name_key says
    a = (await client.post(f'{acme.base}/contacts', json={'last_name': 'A', 'company_id': src_company['id']},
                           headers=acme.owner.auth)).json()
    b = (await client.post(f'{acme.base}/contacts', json={'last_name': 'B', 'company_id': named_src['id']},
                           headers=acme.owner.auth)).json()
    result = (await client.post(f'{acme.base}/copy', headers=acme.owner.auth,
                                json={'target_org_id': target.id, 'contact_ids': [a['id'], b['id']]})).json()
    copy_a = (await client.get(f'{target.base}/contacts/{result["contacts"][str(a["id"])]}',
                               headers=acme.owner.auth)).json()
    copy_b = (await client.get(f'{target.base}/contacts/{result["contacts"][str(b["id"])]}',
                               headers=acme.owner.auth)).json()
    assert copy_a['company']['id'] == dst_company['id']
    assert copy_b['company']['id'] == named_dst['id']
    assert await Company.filter(org_id=target.id).count() == 2


async def test_a_selected_company_without_vat_is_already_in_the_target_by_its_name(client, acme, target):
    """Issue 14: company names match across case, accents, punctuation and legal form in a copy too."""
    blu = (await client.post(f'{acme.base}/companies', json={'name': 'Blù Trasporti S.a.s.'},
                             headers=acme.owner.auth)).json()
    there = (await client.post(f'{target.base}/companies', json={'name': 'BLU TRASPORTI SAS'},
                               headers=acme.owner.auth)).json()
    result = (await client.post(f'{acme.base}/copy', headers=acme.owner.auth,
                                json={'target_org_id': target.id, 'company_ids': [blu['id']]})).json()
    assert result['companies'] == {}
    assert [s['reason'] for s in result['skipped']] == ['already in the target: same name Blù Trasporti S.a.s.']
    assert [c.id for c in await Company.filter(org_id=target.id)] == [there['id']]


async def test_existing_records_are_skipped_unless_asked(client, acme, target):
    src = (await client.post(f'{acme.base}/contacts', json={'last_name': 'Dup', 'emails': ['dup@example.com']},
                             headers=acme.owner.auth)).json()
    await client.post(f'{target.base}/contacts', json={'last_name': 'Already', 'emails': ['DUP@example.com']},
                      headers=acme.owner.auth)
    result = (await client.post(f'{acme.base}/copy', headers=acme.owner.auth,
                                json={'target_org_id': target.id, 'contact_ids': [src['id'], 999999]})).json()
    assert result['contacts'] == {}
    reasons = {(s['id'], s['kind']): s['reason'] for s in result['skipped']}
    assert 'same email dup@example.com' in reasons[(src['id'], 'contact')]
    assert reasons[(999999, 'contact')] == 'not found'
    anyway = (await client.post(f'{acme.base}/copy', headers=acme.owner.auth, json={
        'target_org_id': target.id, 'contact_ids': [src['id']], 'copy_anyway': True})).json()
    assert list(anyway['contacts']) == [str(src['id'])]


async def test_who_may_copy_where(client, acme, target, make_org):
    contact = (await client.post(f'{acme.base}/contacts', json={'last_name': 'X'}, headers=acme.owner.auth)).json()
    body = {'target_org_id': target.id, 'contact_ids': [contact['id']]}
    assert (await client.post(f'{acme.base}/copy', json=body, headers=acme.member.auth)).status_code == 403  # a member
    assert (await client.post(f'{acme.base}/copy', json=body, headers=acme.guest.auth)).status_code == 403  # a guest
    # an owner aiming at an organization where they are a guest, or not a member
    foreign = await make_org('Gus Org', owner=acme.guest, guests=[acme.owner])
    for target_id in (foreign.id, 987654):
        refused = await client.post(f'{acme.base}/copy', headers=acme.owner.auth,
                                    json={'target_org_id': target_id, 'contact_ids': [contact['id']]})
        assert refused.status_code == 404
    same = await client.post(f'{acme.base}/copy', headers=acme.owner.auth,
                             json={'target_org_id': acme.id, 'contact_ids': [contact['id']]})
    assert same.status_code == 422
    assert await Contact.filter(org_id__in=[target.id, foreign.id]).count() == 0


async def test_only_records_the_owner_can_see_are_copied(client, acme, target):
    secret = (await client.post(f'{acme.base}/contacts', json={'last_name': 'Secret', 'visibility': 'private'},
                                headers=acme.member.auth)).json()
    result = (await client.post(f'{acme.base}/copy', headers=acme.owner.auth,
                                json={'target_org_id': target.id, 'contact_ids': [secret['id']]})).json()
    assert result == {'contacts': {}, 'companies': {}, 'skipped': [{'id': secret['id'], 'kind': 'contact',
                                                                    'reason': 'not found'}],
                      'companies_created': 0, 'attachments': 0}


async def test_records_of_the_target_the_copier_cannot_see_are_not_matched(client, acme, target):
    """Mario's private records in the target do not exist for Olga: copying a contact with the same email or VAT
    number says nothing about them ("already in the target" would tell her they exist) and links to none of them."""
    other_iva = '00488410010'
    for body in ({'last_name': 'Hidden', 'emails': ['same@example.com'], 'visibility': 'private'},
                 {'last_name': 'Hidden', 'vat_number': 'RSSMRA85T10A562S', 'visibility': 'private'}):
        assert (await client.post(f'{target.base}/contacts', json=body, headers=acme.member.auth)).status_code == 201
    hidden_companies = []
    for body in ({'name': 'Verdi SpA', 'vat_number': VALID_IVA, 'visibility': 'private'},
                 {'name': 'Gialli', 'visibility': 'private'},
                 {'name': 'Blu Srl', 'vat_number': other_iva, 'visibility': 'private'}):
        created = await client.post(f'{target.base}/companies', json=body, headers=acme.member.auth)
        assert created.status_code == 201, created.text
        hidden_companies.append(created.json()['id'])
    verdi = (await client.post(f'{acme.base}/companies', json={'name': 'Verdi SpA', 'vat_number': VALID_IVA},
                               headers=acme.owner.auth)).json()
    gialli = (await client.post(f'{acme.base}/companies', json={'name': 'Gialli'}, headers=acme.owner.auth)).json()
    blu = (await client.post(f'{acme.base}/companies', json={'name': 'Blu Srl', 'vat_number': other_iva},
                             headers=acme.owner.auth)).json()
    by_email = (await client.post(f'{acme.base}/contacts', headers=acme.owner.auth, json={
        'last_name': 'Same', 'emails': ['SAME@example.com'], 'company_id': verdi['id']})).json()
    by_vat = (await client.post(f'{acme.base}/contacts', headers=acme.owner.auth, json={
        'last_name': 'Vat', 'vat_number': 'RSSMRA85T10A562S', 'company_id': gialli['id']})).json()

    response = await client.post(f'{acme.base}/copy', headers=acme.owner.auth, json={
        'target_org_id': target.id, 'contact_ids': [by_email['id'], by_vat['id']], 'company_ids': [blu['id']]})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result['skipped'] == [] and 'already' not in response.text
    assert set(result['contacts']) == {str(by_email['id']), str(by_vat['id'])}
    assert set(result['companies']) == {str(blu['id'])}
    for source_id in (by_email['id'], by_vat['id']):
        copied = (await client.get(f'{target.base}/contacts/{result["contacts"][str(source_id)]}',
                                   headers=acme.owner.auth)).json()
        assert copied['company'] is not None and copied['company']['id'] not in hidden_companies
    assert result['companies'][str(blu['id'])] not in hidden_companies
    mine = await Company.filter(org_id=target.id, created_by_id=acme.owner.id).values_list('name', flat=True)
    assert sorted(mine) == ['Blu Srl', 'Gialli', 'Verdi SpA']

    # what Olga can see in the target is still matched: Mario makes his company public, a second copy links to it
    verdi_dst = hidden_companies[0]
    version = (await client.get(f'{target.base}/companies/{verdi_dst}', headers=acme.member.auth)).json()['version']
    await client.patch(f'{target.base}/companies/{verdi_dst}', json={'visibility': 'public', 'version': version},
                       headers=acme.member.auth)
    again = (await client.post(f'{acme.base}/copy', headers=acme.owner.auth, json={
        'target_org_id': target.id, 'contact_ids': [by_email['id']], 'copy_anyway': True})).json()
    copied = (await client.get(f'{target.base}/contacts/{again["contacts"][str(by_email["id"])]}',
                               headers=acme.owner.auth)).json()
    assert copied['company']['id'] == verdi_dst


async def _fail_inserts_of(last_name: str, org_id: int) -> None:
    """Make the database itself refuse one insert (a trigger): a real failure in the middle of the copy."""
    from tortoise import connections

    from models.db import is_postgres
    client = connections.get('default')
    if is_postgres():
        await client.execute_script(f"""
            CREATE FUNCTION refuse_insert() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$
            LANGUAGE plpgsql;
            CREATE TRIGGER refuse BEFORE INSERT ON contacts FOR EACH ROW
            WHEN (NEW.last_name = '{last_name}' AND NEW.org_id = {org_id}) EXECUTE FUNCTION refuse_insert();""")
    else:
        await client.execute_script(f"""
            CREATE TRIGGER refuse BEFORE INSERT ON contacts
            WHEN NEW.last_name = '{last_name}' AND NEW.org_id = {org_id}
            BEGIN SELECT RAISE(ABORT, 'refused'); END;""")


async def _stop_failing() -> None:
    from tortoise import connections

    from models.db import is_postgres
    script = ('DROP TRIGGER refuse ON contacts; DROP FUNCTION refuse_insert();' if is_postgres()
              else 'DROP TRIGGER refuse;')
    await connections.get('default').execute_script(script)


async def test_a_failure_midway_leaves_the_target_as_it_was(client, acme, target, rubrica_env):
    from models.orgs.tables import Organization

    await client.put(f'{acme.base}/options/contact_types', json=['Client', 'NewType'], headers=acme.owner.auth)
    ids = [(await client.post(f'{acme.base}/contacts', headers=acme.owner.auth, json={
        'last_name': f'P{i}', 'company_name': f'C{i}', 'type': 'NewType',
        'description': f'@[Mario](user:{acme.member.id})', 'emails': [f'p{i}@example.com']})).json()['id']
           for i in range(3)]
    await client.post(f'{acme.base}/contacts/{ids[0]}/attachments', headers=acme.owner.auth,
                      files={'file': ('notes.txt', b'copied, then removed again', 'text/plain')})
    before = (await Contact.filter(org_id=target.id).count(), await Company.filter(org_id=target.id).count(),
              (await client.get(f'{target.base}/options', headers=acme.owner.auth)).json(),
              (await Organization.get(id=target.id)).storage_used, await _files_on_disk(rubrica_env))
    await _fail_inserts_of('P2', target.id)  # the last contact cannot be written
    try:
        response = await client.post(f'{acme.base}/copy', headers=acme.owner.auth,
                                     json={'target_org_id': target.id, 'contact_ids': ids})
    finally:
        await _stop_failing()
    assert response.status_code == 500
    after = (await Contact.filter(org_id=target.id).count(), await Company.filter(org_id=target.id).count(),
             (await client.get(f'{target.base}/options', headers=acme.owner.auth)).json(),
             (await Organization.get(id=target.id)).storage_used, await _files_on_disk(rubrica_env))
    assert after == before  # the copied file was removed again
    from models.records.tables import Mention, RecordKey
    assert not await RecordKey.filter(org_id=target.id).exists()
    assert await Mention.filter(contact__org_id=target.id).count() == 0


async def _files_on_disk(rubrica_env) -> int:
    root = rubrica_env / 'files'
    return sum(1 for p in root.rglob('*') if p.is_file() and '.tmp' not in p.parts) if root.exists() else 0


async def test_attachments_come_along_against_the_target_quota(client, acme, target, rubrica_env):
    from models.files.tables import Attachment
    from models.orgs.tables import Organization

    contact = (await client.post(f'{acme.base}/contacts', json={'last_name': 'Files'}, headers=acme.owner.auth)).json()
    content = b'quarterly report\n' * 1000
    uploaded = await client.post(f'{acme.base}/contacts/{contact["id"]}/attachments', headers=acme.owner.auth,
                                 files={'file': ('report.txt', content, 'text/plain')})
    assert uploaded.status_code == 201
    await Attachment.create(org_id=acme.id, contact_id=contact['id'], source='dropbox', filename='plan.pdf',
                            size=1234, content_type='application/pdf', storage_key='id:abc123',
                            web_link='https://www.dropbox.com/preview/plan.pdf', uploaded_by_id=acme.owner.id)

    result = (await client.post(f'{acme.base}/copy', headers=acme.owner.auth,
                                json={'target_org_id': target.id, 'contact_ids': [contact['id']]})).json()
    new_id = result['contacts'][str(contact['id'])]
    assert (result['companies_created'], result['attachments']) == (0, 2)
    listed = (await client.get(f'{target.base}/contacts/{new_id}/attachments', headers=acme.owner.auth)).json()
    assert sorted((a['filename'], a['source'], a['size']) for a in listed) == \
        [('plan.pdf', 'dropbox', 1234), ('report.txt', 'upload', len(content))]
    copied_upload = next(a for a in listed if a['source'] == 'upload')
    downloaded = await client.get(f'{target.base}/attachments/{copied_upload["id"]}/content', headers=acme.owner.auth)
    assert downloaded.content == content
    link = await Attachment.get(contact_id=new_id, source='dropbox')
    assert (link.storage_key, link.web_link) == ('id:abc123', 'https://www.dropbox.com/preview/plan.pdf')
    assert (await Organization.get(id=target.id)).storage_used == len(content)  # the link counts nothing
    assert (await Organization.get(id=acme.id)).storage_used == len(content)
    assert await _files_on_disk(rubrica_env) == 2


async def test_the_target_quota_refuses_the_copy_whole(client, acme, target, rubrica_env):
    from models.orgs.service import set_plan
    from models.orgs.tables import Organization

    ids = []
    for i in range(3):
        contact = (await client.post(f'{acme.base}/contacts', headers=acme.owner.auth, json={
            'last_name': f'Big {i}', 'company_name': f'Company {i}'})).json()
        await client.post(f'{acme.base}/contacts/{contact["id"]}/attachments', headers=acme.owner.auth,
                          files={'file': (f'part{i}.bin', b'x' * 400_000, 'application/octet-stream')})
        ids.append(contact['id'])
    await set_plan(org_id=target.id, plan='free', quota_mb=1)  # room for two of the three files
    before = (await Contact.filter(org_id=target.id).count(), await Company.filter(org_id=target.id).count(),
              (await Organization.get(id=target.id)).storage_used, await _files_on_disk(rubrica_env))

    refused = await client.post(f'{acme.base}/copy', headers=acme.owner.auth,
                                json={'target_org_id': target.id, 'contact_ids': ids})
    assert refused.status_code == 413
    assert 'nothing was copied' in refused.json()['detail']
    after = (await Contact.filter(org_id=target.id).count(), await Company.filter(org_id=target.id).count(),
             (await Organization.get(id=target.id)).storage_used, await _files_on_disk(rubrica_env))
    assert after == before


async def test_every_copy_and_what_hangs_on_it_goes_to_the_new_id_of_its_own_source(orm, acme, target):
    """Issue 20: the copy writes its records set by set, with ids reserved for them. Each source id must map to the
    record made from it, and its keys, mentions, company, history, attachments and search entry must hang on that
    record: 1,100 contacts (three inserts) with companies, selected in shuffled order, into a target whose ids are
    out of step with the source's (rows made and deleted there first)."""
    import random

    from models.files.tables import Attachment
    from models.history.tables import HistoryEntry
    from models.records import copy as copying
    from models.records.service import derive_columns, list_records
    from models.records.tables import CONTACT, COMPANY, Mention, RecordKey

    owner = acme.owner.membership
    firms = []
    for n in range(3):  # with their derived columns, as every write path leaves them (the copy keeps them)
        firm = Company(org_id=acme.id, name=f'Firm {n}')
        derive_columns(COMPANY, firm)
        await firm.save()
        firms.append(firm)
    people = [Contact(org_id=acme.id, last_name=f'Person{n:04d}', emails=[f'p{n}@example.com'],
                      company_id=firms[n % 3].id if n % 4 else None,
                      description=f'@[Mario](user:{acme.member.id}) knows' if n % 100 == 7 else '')
              for n in range(1100)]
    for person in people:
        derive_columns(CONTACT, person)
    await Contact.bulk_create(people)
    people = {c.id: c for c in await Contact.filter(org_id=acme.id)}
    with_file = sorted(people)[::250]
    await Attachment.bulk_create([Attachment(org_id=acme.id, contact_id=i, source='dropbox', filename=f'f{i}.pdf',
                                             storage_key=f'id:{i}', web_link=f'https://example.com/{i}')
                                  for i in with_file])
    for n in range(5):  # the target's counter ahead of its rows
        await (await Contact.create(org_id=target.id, last_name=f'Gone{n}')).delete()
    await Contact.create(org_id=target.id, last_name='Already here')

    ids = list(people)
    random.Random(20).shuffle(ids)
    report = await copying.copy_records(actor=owner, target_org_id=target.id, contact_ids=ids)
    assert sorted(report.contacts) == sorted(ids) and len(set(report.contacts.values())) == len(ids)
    assert report.companies_created == 3 and report.attachments == len(with_file)

    copies = {c.id: c for c in await Contact.filter(org_id=target.id).select_related('company')}
    firm_names = {f.id: f.name for f in firms}
    for source_id, new_id in report.contacts.items():
        source, copy = people[source_id], copies[new_id]
        assert (copy.last_name, copy.emails) == (source.last_name, source.emails), (source_id, new_id)
        assert (copy.company.name if copy.company else None) == firm_names.get(source.company_id)
    keys = await RecordKey.filter(org_id=target.id, kind='email').values_list('value', 'contact_id')
    assert dict(keys) == {people[s].emails[0]: n for s, n in report.contacts.items()}
    mentioned = sorted(report.contacts[s] for s, c in people.items() if c.description)
    assert sorted(await Mention.filter(user_id=acme.member.id, contact__org_id=target.id)
                  .values_list('contact_id', flat=True)) == mentioned
    copied_in = await HistoryEntry.filter(org_id=target.id, action='copied_in').values_list('contact_id', 'company_id')
    assert sorted(c for c, _ in copied_in if c) == sorted(report.contacts.values())
    assert len([f for _, f in copied_in if f]) == 3
    files = await Attachment.filter(org_id=target.id).values_list('contact_id', 'storage_key')
    assert sorted(files) == sorted((report.contacts[i], f'id:{i}') for i in with_file)
    in_target = target.owner.membership
    for source_id in ids[:5]:  # the search index found each copy under its own name
        found = await list_records(CONTACT, in_target, q=people[source_id].last_name)
        assert [r.id for r in found.items] == [report.contacts[source_id]]
    assert (await list_records(COMPANY, in_target, q='Firm 2')).items[0].name == 'Firm 2'


async def test_a_copy_is_found_and_matched_by_what_it_was_found_by_in_its_source(client, acme, target):
    """Issue 20: a copy takes its source's sort and search columns and lookup keys instead of working them out again
    (phone parsing was most of a big copy's time); in the target it sorts, is searched and matched as its source is.
    """
    from models.records.tables import RecordKey

    company = (await client.post(f'{acme.base}/companies', headers=acme.owner.auth, json={
        'name': 'Rossi S.r.l.', 'vat_number': VALID_IVA, 'phones': ['+33 1 23 45 67 89']})).json()
    contact = (await client.post(f'{acme.base}/contacts', headers=acme.owner.auth, json={
        'first_name': 'Élodie', 'last_name': "D'Àngelo", 'company_id': company['id'], 'emails': ['Elo@Example.com'],
        'pec': 'elo@pec.it', 'phones': ['02 1234 5678'], 'vat_number': 'RSSMRA85T10A562S'})).json()
    result = (await client.post(f'{acme.base}/copy', headers=acme.owner.auth, json={
        'target_org_id': target.id, 'contact_ids': [contact['id']], 'company_ids': [company['id']]})).json()
    pairs = [(Contact, 'contact_id', contact['id'], result['contacts'][str(contact['id'])]),
             (Company, 'company_id', company['id'], result['companies'][str(company['id'])])]
    for model, owner, source_id, copy_id in pairs:
        source, copy = await model.get(id=source_id), await model.get(id=copy_id)
        assert (copy.sort_name, copy.search_text) == (source.sort_name, source.search_text)
        source_keys = await RecordKey.filter(**{owner: source_id}).order_by('id').values_list('kind', 'value')
        assert await RecordKey.filter(**{owner: copy_id}, org_id=target.id).order_by('id') \
            .values_list('kind', 'value') == source_keys
    for query, kind, copy_id in (('1234 5678', 'contacts', pairs[0][3]), ('0212345678', 'contacts', pairs[0][3]),
                                 ('angelo elod', 'contacts', pairs[0][3]), ('elo@pec', 'contacts', pairs[0][3]),
                                 ('01 23 45 67', 'companies', pairs[1][3]), ('rossi', 'companies', pairs[1][3])):
        found = (await client.get(f'{target.base}/{kind}', params={'q': query}, headers=acme.owner.auth)).json()
        assert [r['id'] for r in found['items']] == [copy_id], query
    again = (await client.post(f'{acme.base}/copy', headers=acme.owner.auth, json={
        'target_org_id': target.id, 'contact_ids': [contact['id']], 'company_ids': [company['id']]})).json()
    assert (again['contacts'], again['companies'], len(again['skipped'])) == ({}, {}, 2)  # matched by the keys


async def test_a_source_changed_after_the_plan_read_it_stops_the_copy_whole(orm, acme, target):
    """Issue 20: the database copies each record from its source's row, planned (its options, the mentions of its
    description, whether it is already in the target) from what was read before. A source saved in between is not
    copied half old, half new: the copy stops, and the target is as it was."""
    import pytest

    from models.errors import Conflict
    from models.records import copy as copying
    from models.records.service import derive_columns
    from models.records.tables import CONTACT, RecordKey

    people = [Contact(org_id=acme.id, last_name=f'Person {n}', emails=[f'p{n}@example.com']) for n in range(3)]
    for person in people:
        derive_columns(CONTACT, person)
        await person.save()

    async def meanwhile(step: str, done: int, total: int) -> None:
        if step == 'prepared':  # read and planned, not written yet: someone saves one of them
            await Contact.filter(id=people[1].id).update(version=people[1].version + 1, description='new note')

    with pytest.raises(Conflict):
        await copying.copy_records(actor=acme.owner.membership, target_org_id=target.id,
                                   contact_ids=[p.id for p in people], progress=meanwhile)
    assert await Contact.filter(org_id=target.id).count() == 0
    assert not await RecordKey.filter(org_id=target.id).exists()
    report = await copying.copy_records(actor=acme.owner.membership, target_org_id=target.id,
                                        contact_ids=[p.id for p in people])  # copied again: as it is now
    assert (await Contact.get(id=report.contacts[people[1].id])).description == 'new note'
