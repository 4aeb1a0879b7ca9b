"""Copy into another organization through the API: fields, companies, mentions, duplicates, refusals, atomicity."""
from __future__ import annotations

import pytest

from models.records import copy as copying
from models.records.tables import Company, Contact
from tests.helpers import add_member, make_org, make_user, token_for

VALID_IVA = '00743110157'


@pytest.fixture
async def two_orgs(client):
    olga, mario, guido = (await make_user(name='Olga'), await make_user(name='Mario'), await make_user(name='Guido'))
    source = await make_org(olga, 'Source')
    target = await make_org(olga, 'Target')
    await add_member(source, mario, 'member')
    await add_member(target, mario, 'member')
    await add_member(source, guido, 'member')  # Guido is not in the target
    return {'olga': olga, 'mario': mario, 'guido': guido, 'source': source.org_id, 'target': target.org_id,
            'as_olga': await token_for(olga), 'as_mario': await token_for(mario),
            'src': f'/api/v1/orgs/{source.org_id}', 'dst': f'/api/v1/orgs/{target.org_id}'}


async def test_contacts_and_their_company_are_copied_with_every_field(client, two_orgs):
    t = two_orgs
    await client.put(f'{t["src"]}/options/contact_types', json=['Client', 'Distributor'], headers=t['as_olga'])
    company = (await client.post(f'{t["src"]}/companies', headers=t['as_olga'], json={
        'name': 'Rossi Srl', 'sector': 'ICT', 'vat_number': VALID_IVA, 'emails': ['info@rossi.it']})).json()
    body = {'first_name': 'André', 'last_name': 'Müller', 'type': 'Distributor', 'role': 'Sales Manager',
            'company_id': company['id'], 'emails': ['andre@example.com'], 'pec': 'andre@pec.it',
            'phones': ['02 1234 5678'], 'addresses': [{'street': 'Via Roma 1', 'city': 'Milano', 'country': 'IT'}],
            'vat_number': 'RSSMRA85T10A562S', 'visibility': 'private',
            'description': f'@[Mario](user:{t["mario"].id}) and @[Guido](user:{t["guido"].id}) met them'}
    first = (await client.post(f'{t["src"]}/contacts', json=body, headers=t['as_olga'])).json()
    second = (await client.post(f'{t["src"]}/contacts', headers=t['as_olga'], json={
        'last_name': 'Bianchi', 'company_id': company['id']})).json()

    response = await client.post(f'{t["src"]}/copy', headers=t['as_olga'], json={
        'target_org_id': t['target'], 'contact_ids': [first['id'], second['id']]})
    assert response.status_code == 200, response.text
    result = response.json()
    assert set(result['contacts']) == {str(first['id']), str(second['id'])} and result['skipped'] == []

    copied = (await client.get(f'{t["dst"]}/contacts/{result["contacts"][str(first["id"])]}',
                               headers=t['as_olga'])).json()
    for name in ('first_name', 'last_name', 'type', 'role', 'emails', 'pec', 'phones', 'addresses', 'vat_number',
                 'visibility'):
        assert copied[name] == first[name], name
    assert copied['description'] == f'@[Mario](user:{t["mario"].id}) and @Guido met them'
    assert copied['mentions'] == [t['mario'].id] and copied['created_by'] == t['olga'].id
    assert copied['company']['name'] == 'Rossi Srl'
    other = (await client.get(f'{t["dst"]}/contacts/{result["contacts"][str(second["id"])]}',
                              headers=t['as_olga'])).json()
    assert other['company']['id'] == copied['company']['id']  # the company was copied once
    assert await Company.filter(org_id=t['target']).count() == 1
    target_options = (await client.get(f'{t["dst"]}/options', headers=t['as_olga'])).json()
    assert 'Distributor' in target_options['contact_types']
    original = (await client.get(f'{t["src"]}/contacts/{first["id"]}', headers=t['as_olga'])).json()
    assert original == first  # the original is untouched


async def test_an_unselected_company_is_matched_in_the_target(client, two_orgs):
    t = two_orgs
    src_company = (await client.post(f'{t["src"]}/companies', json={'name': 'Verdi SpA', 'vat_number': VALID_IVA},
                                     headers=t['as_olga'])).json()
    dst_company = (await client.post(f'{t["dst"]}/companies', json={'name': 'Verdi S.p.A.', 'vat_number': VALID_IVA},
                                     headers=t['as_olga'])).json()
    named_src = (await client.post(f'{t["src"]}/companies', json={'name': 'Gialli'}, headers=t['as_olga'])).json()
    named_dst = (await client.post(f'{t["dst"]}/companies', json={'name': 'GIALLI'}, headers=t['as_olga'])).json()
    a = (await client.post(f'{t["src"]}/contacts', json={'last_name': 'A', 'company_id': src_company['id']},
                           headers=t['as_olga'])).json()
    b = (await client.post(f'{t["src"]}/contacts', json={'last_name': 'B', 'company_id': named_src['id']},
                           headers=t['as_olga'])).json()
    result = (await client.post(f'{t["src"]}/copy', headers=t['as_olga'],
                                json={'target_org_id': t['target'], 'contact_ids': [a['id'], b['id']]})).json()
    copy_a = (await client.get(f'{t["dst"]}/contacts/{result["contacts"][str(a["id"])]}', headers=t['as_olga'])).json()
    copy_b = (await client.get(f'{t["dst"]}/contacts/{result["contacts"][str(b["id"])]}', headers=t['as_olga'])).json()
    assert copy_a['company']['id'] == dst_company['id']
    assert copy_b['company']['id'] == named_dst['id']
    assert await Company.filter(org_id=t['target']).count() == 2


async def test_existing_records_are_skipped_unless_asked(client, two_orgs):
    t = two_orgs
    src = (await client.post(f'{t["src"]}/contacts', json={'last_name': 'Dup', 'emails': ['dup@example.com']},
                             headers=t['as_olga'])).json()
    await client.post(f'{t["dst"]}/contacts', json={'last_name': 'Already', 'emails': ['DUP@example.com']},
                      headers=t['as_olga'])
    result = (await client.post(f'{t["src"]}/copy', headers=t['as_olga'],
                                json={'target_org_id': t['target'], 'contact_ids': [src['id'], 999999]})).json()
    assert result['contacts'] == {}
    reasons = {(s['id'], s['kind']): s['reason'] for s in result['skipped']}
    assert 'same email dup@example.com' in reasons[(src['id'], 'contact')]
    assert reasons[(999999, 'contact')] == 'not found'
    anyway = (await client.post(f'{t["src"]}/copy', headers=t['as_olga'], json={
        'target_org_id': t['target'], 'contact_ids': [src['id']], 'copy_anyway': True})).json()
    assert list(anyway['contacts']) == [str(src['id'])]


async def test_who_may_copy_where(client, two_orgs):
    t = two_orgs
    contact = (await client.post(f'{t["src"]}/contacts', json={'last_name': 'X'}, headers=t['as_olga'])).json()
    body = {'target_org_id': t['target'], 'contact_ids': [contact['id']]}
    assert (await client.post(f'{t["src"]}/copy', json=body, headers=t['as_mario'])).status_code == 403  # a member
    gus = await make_user(name='Gus')
    source_owner = await make_org(t['olga'], 'Third')  # noqa: F841 - Olga owns a third org where Gus is a guest
    from models.orgs.tables import Membership
    olga_source = await Membership.get(org_id=t['source'], user_id=t['olga'].id).select_related('org')
    await add_member(olga_source, gus, 'guest')
    assert (await client.post(f'{t["src"]}/copy', json=body, headers=await token_for(gus))).status_code == 403
    # an owner aiming at an organization where they are a guest, or not a member
    foreign = await make_org(gus, 'Gus Org')
    await add_member(foreign, t['olga'], 'guest')
    for target_id in (foreign.org_id, 987654):
        refused = await client.post(f'{t["src"]}/copy', headers=t['as_olga'],
                                    json={'target_org_id': target_id, 'contact_ids': [contact['id']]})
        assert refused.status_code == 404
    same = await client.post(f'{t["src"]}/copy', headers=t['as_olga'],
                             json={'target_org_id': t['source'], 'contact_ids': [contact['id']]})
    assert same.status_code == 422
    assert await Contact.filter(org_id__in=[t['target'], foreign.org_id]).count() == 0


async def test_only_records_the_owner_can_see_are_copied(client, two_orgs):
    t = two_orgs
    secret = (await client.post(f'{t["src"]}/contacts', json={'last_name': 'Secret', 'visibility': 'private'},
                                headers=t['as_mario'])).json()
    result = (await client.post(f'{t["src"]}/copy', headers=t['as_olga'],
                                json={'target_org_id': t['target'], 'contact_ids': [secret['id']]})).json()
    assert result == {'contacts': {}, 'companies': {}, 'skipped': [{'id': secret['id'], 'kind': 'contact',
                                                                    'reason': 'not found'}]}


async def test_records_of_the_target_the_copier_cannot_see_are_not_matched(client, two_orgs):
    """Mario's private records in the target do not exist for Olga: copying a contact with the same email or VAT
    number says nothing about them ("already in the target" would tell her they exist) and links to none of them."""
    t = two_orgs
    other_iva = '00488410010'
    for body in ({'last_name': 'Hidden', 'emails': ['same@example.com'], 'visibility': 'private'},
                 {'last_name': 'Hidden', 'vat_number': 'RSSMRA85T10A562S', 'visibility': 'private'}):
        assert (await client.post(f'{t["dst"]}/contacts', json=body, headers=t['as_mario'])).status_code == 201
    hidden_companies = []
    for body in ({'name': 'Verdi SpA', 'vat_number': VALID_IVA, 'visibility': 'private'},
                 {'name': 'Gialli', 'visibility': 'private'},
                 {'name': 'Blu Srl', 'vat_number': other_iva, 'visibility': 'private'}):
        created = await client.post(f'{t["dst"]}/companies', json=body, headers=t['as_mario'])
        assert created.status_code == 201, created.text
        hidden_companies.append(created.json()['id'])
    verdi = (await client.post(f'{t["src"]}/companies', json={'name': 'Verdi SpA', 'vat_number': VALID_IVA},
                               headers=t['as_olga'])).json()
    gialli = (await client.post(f'{t["src"]}/companies', json={'name': 'Gialli'}, headers=t['as_olga'])).json()
    blu = (await client.post(f'{t["src"]}/companies', json={'name': 'Blu Srl', 'vat_number': other_iva},
                             headers=t['as_olga'])).json()
    by_email = (await client.post(f'{t["src"]}/contacts', headers=t['as_olga'], json={
        'last_name': 'Same', 'emails': ['SAME@example.com'], 'company_id': verdi['id']})).json()
    by_vat = (await client.post(f'{t["src"]}/contacts', headers=t['as_olga'], json={
        'last_name': 'Vat', 'vat_number': 'RSSMRA85T10A562S', 'company_id': gialli['id']})).json()

    response = await client.post(f'{t["src"]}/copy', headers=t['as_olga'], json={
        'target_org_id': t['target'], 'contact_ids': [by_email['id'], by_vat['id']], 'company_ids': [blu['id']]})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result['skipped'] == [] and 'already' not in response.text
    assert set(result['contacts']) == {str(by_email['id']), str(by_vat['id'])}
    assert set(result['companies']) == {str(blu['id'])}
    for source_id in (by_email['id'], by_vat['id']):
        copied = (await client.get(f'{t["dst"]}/contacts/{result["contacts"][str(source_id)]}',
                                   headers=t['as_olga'])).json()
        assert copied['company'] is not None and copied['company']['id'] not in hidden_companies
    assert result['companies'][str(blu['id'])] not in hidden_companies
    mine = await Company.filter(org_id=t['target'], created_by_id=t['olga'].id).values_list('name', flat=True)
    assert sorted(mine) == ['Blu Srl', 'Gialli', 'Verdi SpA']

    # what Olga can see in the target is still matched: Mario makes his company public, a second copy links to it
    verdi_dst = hidden_companies[0]
    version = (await client.get(f'{t["dst"]}/companies/{verdi_dst}', headers=t['as_mario'])).json()['version']
    await client.patch(f'{t["dst"]}/companies/{verdi_dst}', json={'visibility': 'public', 'version': version},
                       headers=t['as_mario'])
    again = (await client.post(f'{t["src"]}/copy', headers=t['as_olga'], json={
        'target_org_id': t['target'], 'contact_ids': [by_email['id']], 'copy_anyway': True})).json()
    copied = (await client.get(f'{t["dst"]}/contacts/{again["contacts"][str(by_email["id"])]}',
                               headers=t['as_olga'])).json()
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


async def test_a_failure_midway_leaves_the_target_as_it_was(client, two_orgs, rubrica_env):
    from models.orgs.tables import Organization

    t = two_orgs
    await client.put(f'{t["src"]}/options/contact_types', json=['Client', 'NewType'], headers=t['as_olga'])
    ids = [(await client.post(f'{t["src"]}/contacts', headers=t['as_olga'], json={
        'last_name': f'P{i}', 'company_name': f'C{i}', 'type': 'NewType',
        'description': f'@[Mario](user:{t["mario"].id})', 'emails': [f'p{i}@example.com']})).json()['id']
           for i in range(3)]
    await client.post(f'{t["src"]}/contacts/{ids[0]}/attachments', headers=t['as_olga'],
                      files={'file': ('notes.txt', b'copied, then removed again', 'text/plain')})
    before = (await Contact.filter(org_id=t['target']).count(), await Company.filter(org_id=t['target']).count(),
              (await client.get(f'{t["dst"]}/options', headers=t['as_olga'])).json(),
              (await Organization.get(id=t['target'])).storage_used, await _files_on_disk(rubrica_env))
    await _fail_inserts_of('P2', t['target'])  # the last contact cannot be written
    try:
        response = await client.post(f'{t["src"]}/copy', headers=t['as_olga'],
                                     json={'target_org_id': t['target'], 'contact_ids': ids})
    finally:
        await _stop_failing()
    assert response.status_code == 500
    after = (await Contact.filter(org_id=t['target']).count(), await Company.filter(org_id=t['target']).count(),
             (await client.get(f'{t["dst"]}/options', headers=t['as_olga'])).json(),
             (await Organization.get(id=t['target'])).storage_used, await _files_on_disk(rubrica_env))
    assert after == before  # the copied file was removed again
    from models.records.tables import Mention, RecordKey
    assert not await RecordKey.filter(org_id=t['target']).exists()
    assert await Mention.filter(contact__org_id=t['target']).count() == 0


async def _files_on_disk(rubrica_env) -> int:
    root = rubrica_env / 'files'
    return sum(1 for p in root.rglob('*') if p.is_file() and '.tmp' not in p.parts) if root.exists() else 0


async def test_attachments_come_along_against_the_target_quota(client, two_orgs, rubrica_env):
    from models.files.tables import Attachment
    from models.orgs.tables import Organization

    t = two_orgs
    contact = (await client.post(f'{t["src"]}/contacts', json={'last_name': 'Files'}, headers=t['as_olga'])).json()
    content = b'quarterly report\n' * 1000
    uploaded = await client.post(f'{t["src"]}/contacts/{contact["id"]}/attachments', headers=t['as_olga'],
                                 files={'file': ('report.txt', content, 'text/plain')})
    assert uploaded.status_code == 201
    await Attachment.create(org_id=t['source'], contact_id=contact['id'], source='dropbox', filename='plan.pdf',
                            size=1234, content_type='application/pdf', storage_key='id:abc123',
                            web_link='https://www.dropbox.com/preview/plan.pdf', uploaded_by_id=t['olga'].id)

    result = (await client.post(f'{t["src"]}/copy', headers=t['as_olga'],
                                json={'target_org_id': t['target'], 'contact_ids': [contact['id']]})).json()
    new_id = result['contacts'][str(contact['id'])]
    listed = (await client.get(f'{t["dst"]}/contacts/{new_id}/attachments', headers=t['as_olga'])).json()
    assert sorted((a['filename'], a['source'], a['size']) for a in listed) == \
        [('plan.pdf', 'dropbox', 1234), ('report.txt', 'upload', len(content))]
    copied_upload = next(a for a in listed if a['source'] == 'upload')
    downloaded = await client.get(f'{t["dst"]}/attachments/{copied_upload["id"]}/content', headers=t['as_olga'])
    assert downloaded.content == content
    link = await Attachment.get(contact_id=new_id, source='dropbox')
    assert (link.storage_key, link.web_link) == ('id:abc123', 'https://www.dropbox.com/preview/plan.pdf')
    assert (await Organization.get(id=t['target'])).storage_used == len(content)  # the link counts nothing
    assert (await Organization.get(id=t['source'])).storage_used == len(content)
    assert await _files_on_disk(rubrica_env) == 2


async def test_the_target_quota_refuses_the_copy_whole(client, two_orgs, rubrica_env):
    from models.orgs.service import set_plan
    from models.orgs.tables import Organization

    t = two_orgs
    ids = []
    for i in range(3):
        contact = (await client.post(f'{t["src"]}/contacts', headers=t['as_olga'], json={
            'last_name': f'Big {i}', 'company_name': f'Company {i}'})).json()
        await client.post(f'{t["src"]}/contacts/{contact["id"]}/attachments', headers=t['as_olga'],
                          files={'file': (f'part{i}.bin', b'x' * 400_000, 'application/octet-stream')})
        ids.append(contact['id'])
    await set_plan(org_id=t['target'], plan='free', quota_mb=1)  # room for two of the three files
    before = (await Contact.filter(org_id=t['target']).count(), await Company.filter(org_id=t['target']).count(),
              (await Organization.get(id=t['target'])).storage_used, await _files_on_disk(rubrica_env))

    refused = await client.post(f'{t["src"]}/copy', headers=t['as_olga'],
                                json={'target_org_id': t['target'], 'contact_ids': ids})
    assert refused.status_code == 413
    assert 'nothing was copied' in refused.json()['detail']
    after = (await Contact.filter(org_id=t['target']).count(), await Company.filter(org_id=t['target']).count(),
             (await Organization.get(id=t['target'])).storage_used, await _files_on_disk(rubrica_env))
    assert after == before
