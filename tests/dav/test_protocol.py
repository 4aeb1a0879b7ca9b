"""The CardDAV protocol on the app (httpx on the ASGI app): discovery, HTTP Basic with app passwords, PROPFIND,
REPORTs, GET/PUT/DELETE with their preconditions, and who sees which address book."""
from __future__ import annotations

from datetime import timedelta

from tests.dav.conftest import CARD, DAV, PROPFIND_LIST, basic, multiget, responses, sync_collection, token_of


async def propfind(client, path: str, person, body: bytes = PROPFIND_LIST, depth: str = '1'):
    return await client.request('PROPFIND', path, content=body, headers={**basic(person), 'Depth': depth})


async def contact(client, acme, person, **fields) -> dict:
    created = await client.post(f'{acme.base}/contacts', json=fields, headers=person.auth)
    assert created.status_code == 201, created.text
    return created.json()


async def test_well_known_redirects_to_the_dav_root_and_the_root_names_the_principal_and_its_home(client, acme):
    redirected = await client.request('PROPFIND', '/.well-known/carddav', headers=basic(acme.member))
    assert redirected.status_code == 301 and redirected.headers['location'] == '/dav/'
    root = await propfind(client, '/dav/', acme.member, b'<propfind xmlns="DAV:"><prop><current-user-principal/>'
                                                        b'</prop></propfind>', depth='0')
    assert root.status_code == 207
    principal = responses(root.content)['/dav/'].findtext(f'.//{DAV}current-user-principal/{DAV}href')
    home = await propfind(client, principal, acme.member, b'<propfind xmlns="DAV:" xmlns:C="urn:ietf:params:xml:'
                                                          b'ns:carddav"><prop><C:addressbook-home-set/></prop>'
                                                          b'</propfind>', depth='0')
    assert responses(home.content)[principal].findtext(f'.//{CARD}addressbook-home-set/{DAV}href') == '/dav/books/'


async def test_the_home_lists_one_address_book_per_organization_and_none_for_a_guest_or_an_outsider(
        client, acme, target, elsewhere):
    listed = await propfind(client, '/dav/books/', acme.member, b'<propfind xmlns="DAV:"><allprop/></propfind>')
    books = {href: r.findtext(f'.//{DAV}displayname') for href, r in responses(listed.content).items()
             if r.find(f'.//{CARD}addressbook') is not None}
    assert books == {f'/dav/books/{acme.id}/': 'Acme', f'/dav/books/{target.id}/': 'Target'}
    for stranger in (acme.guest, elsewhere.owner):
        listed = await propfind(client, '/dav/books/', stranger)
        assert f'/dav/books/{acme.id}/' not in responses(listed.content)
    assert (await propfind(client, f'/dav/books/{acme.id}/', acme.guest)).status_code == 403
    assert (await propfind(client, f'/dav/books/{acme.id}/', elsewhere.owner)).status_code == 404


async def test_a_wrong_or_missing_app_password_is_a_401_challenge(client, acme):
    for headers in ({}, basic(acme.member, 'rbk_wrong'), basic(acme.member, acme.other.auth['Authorization'][7:])):
        refused = await client.request('PROPFIND', '/dav/', headers=headers)
        assert refused.status_code == 401
        assert refused.headers['www-authenticate'].startswith('Basic realm="Rubrica"')
    # a browser GET of /dav/ is not sent to the log-in page: CardDAV answers
    assert (await client.get('/dav/books/', headers=basic(acme.member))).status_code == 405


async def test_wrong_app_passwords_are_throttled_like_log_ins(client, acme):
    statuses = [(await client.request('PROPFIND', '/dav/', headers=basic(acme.member, f'rbk_wrong{n}'))).status_code
                for n in range(7)]
    assert statuses[:5] == [401] * 5 and statuses[-1] == 429
    # the right pair is refused too while the email is over its allowance
    assert (await propfind(client, '/dav/', acme.member, depth='0')).status_code == 429


async def test_propfind_depth_0_is_the_book_and_depth_1_lists_its_cards_with_etags(client, acme, book):
    rossi = await contact(client, acme, acme.owner, last_name='Rossi')
    own = await propfind(client, book, acme.member, b'<propfind xmlns="DAV:"><allprop/></propfind>', depth='0')
    found = responses(own.content)
    assert list(found) == [book]
    assert found[book].find(f'.//{DAV}resourcetype/{CARD}addressbook') is not None
    assert found[book].findtext(f'.//{DAV}sync-token').startswith('urn:rubrica:sync:')
    listed = responses((await propfind(client, book, acme.member)).content)
    card = f'{book}contact-{rossi["id"]}.vcf'
    assert set(listed) == {book, card}
    assert listed[card].findtext(f'.//{DAV}getetag').startswith('"')
    assert listed[card].findtext(f'.//{DAV}getcontenttype').startswith('text/vcard')


async def test_get_gives_a_vcard_3_by_default_and_4_when_asked(client, acme, book):
    company = (await client.post(f'{acme.base}/companies', json={'name': 'Acme Spa'}, headers=acme.owner.auth)).json()
    rossi = await contact(client, acme, acme.owner, first_name='Mario', last_name='Rossi', company_id=company['id'],
                          emails=['mario@example.com'], pec='mario@pec.it', phones=['+39 06 1234 5678'],
                          description=f'Friend of {acme.member.mention}')
    got = await client.get(f'{book}contact-{rossi["id"]}.vcf', headers=basic(acme.member))
    assert got.status_code == 200 and got.headers['etag'].startswith('"')
    text = got.text
    assert 'VERSION:3.0' in text and 'N:Rossi;Mario;;;' in text and 'ORG:Acme Spa' in text
    assert 'EMAIL;TYPE=INTERNET,PEC:mario@pec.it' in text and 'TEL;TYPE=VOICE:+390612345678' in text
    assert f'NOTE:Friend of @{acme.member.name}' in text and f'/contacts/{rossi["id"]}' in text
    four = await client.get(f'{book}contact-{rossi["id"]}.vcf',
                            headers={**basic(acme.member), 'Accept': 'text/vcard; version=4.0'})
    assert 'VERSION:4.0' in four.text and 'TEL;VALUE=uri;TYPE=voice:tel:+390612345678' in four.text
    company_card = await client.get(f'{book}company-{company["id"]}.vcf', headers=basic(acme.member))
    assert 'X-ABShowAs:COMPANY' in company_card.text
    four = await client.get(f'{book}company-{company["id"]}.vcf',
                            headers={**basic(acme.member), 'Accept': 'text/vcard;version=4.0'})
    assert 'KIND:org' in four.text


async def test_multiget_gives_the_cards_asked_for_and_404_for_hidden_or_missing_ones(client, acme, book):
    public = await contact(client, acme, acme.owner, last_name='Public')
    hidden = await contact(client, acme, acme.owner, last_name='Hidden', visibility='private')
    answer = await client.request('REPORT', book, headers={**basic(acme.member), 'Depth': '1'},
                                  content=multiget(f'{book}contact-{public["id"]}.vcf',
                                                   f'{book}contact-{hidden["id"]}.vcf', f'{book}contact-999999.vcf'))
    assert answer.status_code == 207
    found = responses(answer.content)
    assert 'N:Public;' in found[f'{book}contact-{public["id"]}.vcf'].findtext(f'.//{CARD}address-data')
    for gone in (f'{book}contact-{hidden["id"]}.vcf', f'{book}contact-999999.vcf'):
        assert found[gone].findtext(f'{DAV}status') == 'HTTP/1.1 404 Not Found'
    # the hidden card is not in a listing either, nor can it be read
    assert f'{book}contact-{hidden["id"]}.vcf' not in responses((await propfind(client, book, acme.member)).content)
    assert (await client.get(f'{book}contact-{hidden["id"]}.vcf', headers=basic(acme.member))).status_code == 404


async def test_addressbook_query_filters_on_properties(client, acme, book):
    await contact(client, acme, acme.owner, last_name='Rossi', emails=['rossi@example.com'])
    await contact(client, acme, acme.owner, last_name='Bianchi')
    body = (b'<?xml version="1.0"?><C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
            b'<D:prop><D:getetag/><C:address-data/></D:prop><C:filter><C:prop-filter name="EMAIL">'
            b'<C:text-match match-type="contains">ROSSI@</C:text-match></C:prop-filter></C:filter>'
            b'</C:addressbook-query>')
    answer = await client.request('REPORT', book, headers={**basic(acme.member), 'Depth': '1'}, content=body)
    cards = [r.findtext(f'.//{CARD}address-data') for r in responses(answer.content).values()]
    assert len(cards) == 1 and 'N:Rossi;' in cards[0]


async def test_sync_collection_tells_what_changed_and_what_went_since_a_token(client, acme, book):
    kept = await contact(client, acme, acme.owner, last_name='Kept')
    changed = await contact(client, acme, acme.owner, last_name='Changed')
    deleted = await contact(client, acme, acme.owner, last_name='Deleted')
    hidden = await contact(client, acme, acme.member, last_name='Mine', visibility='private')
    never = await contact(client, acme, acme.owner, last_name='Never', visibility='private')
    first = await client.request('REPORT', book, headers=basic(acme.member), content=sync_collection())
    assert first.status_code == 207
    names = {href.rsplit('/', 1)[1] for href in responses(first.content)}
    assert names == {f'contact-{r["id"]}.vcf' for r in (kept, changed, deleted, hidden)}
    token = token_of(first.content)
    # nothing changed: nothing said
    again = await client.request('REPORT', book, headers=basic(acme.member), content=sync_collection(token))
    assert responses(again.content) == {}
    # a change, a deletion, one made invisible to the member (their own, made private by... themselves is still
    # theirs), a hidden record changed and deleted: only what the member could see is named
    await client.patch(f'{acme.base}/contacts/{changed["id"]}', json={'first_name': 'Now', 'version': 1},
                       headers=acme.owner.auth)
    await client.delete(f'{acme.base}/contacts/{deleted["id"]}', headers=acme.owner.auth)
    await client.patch(f'{acme.base}/contacts/{never["id"]}', json={'first_name': 'Still', 'version': 1},
                       headers=acme.owner.auth)
    await client.delete(f'{acme.base}/contacts/{never["id"]}', headers=acme.owner.auth)
    await client.patch(f'{acme.base}/contacts/{kept["id"]}', json={'visibility': 'private', 'version': 1},
                       headers=acme.owner.auth)
    after = responses((await client.request('REPORT', book, headers=basic(acme.member),
                                            content=sync_collection(token))).content)
    statuses = {href.rsplit('/', 1)[1]: r.findtext(f'{DAV}status') for href, r in after.items()}
    assert statuses == {f'contact-{changed["id"]}.vcf': None,
                        f'contact-{deleted["id"]}.vcf': 'HTTP/1.1 404 Not Found',
                        f'contact-{kept["id"]}.vcf': 'HTTP/1.1 404 Not Found'}
    bad = await client.request('REPORT', book, headers=basic(acme.member), content=sync_collection('urn:x'))
    assert bad.status_code == 403 and b'valid-sync-token' in bad.content


async def test_a_mention_added_shows_a_private_record_and_removed_takes_it_away(client, acme, book):
    secret = await contact(client, acme, acme.owner, last_name='Secret', visibility='private')
    first = await client.request('REPORT', book, headers=basic(acme.member), content=sync_collection())
    token = token_of(first.content)
    await client.patch(f'{acme.base}/contacts/{secret["id"]}', json={'description': acme.member.mention,
                                                                     'version': 1}, headers=acme.owner.auth)
    shown = await client.request('REPORT', book, headers=basic(acme.member), content=sync_collection(token))
    assert [h.rsplit('/', 1)[1] for h in responses(shown.content)] == [f'contact-{secret["id"]}.vcf']
    token = token_of(shown.content)
    await client.patch(f'{acme.base}/contacts/{secret["id"]}', json={'description': '', 'version': 2},
                       headers=acme.owner.auth)
    gone = responses((await client.request('REPORT', book, headers=basic(acme.member),
                                           content=sync_collection(token))).content)
    assert [r.findtext(f'{DAV}status') for r in gone.values()] == ['HTTP/1.1 404 Not Found']
    # Tina, never mentioned, is never told of it
    other = responses((await client.request('REPORT', book, headers=basic(acme.other),
                                            content=sync_collection(token))).content)
    assert other == {}


VCARD = ('BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-1\r\nFN:Anna Verdi\r\nN:Verdi;Anna;;;\r\n'
         'EMAIL;TYPE=INTERNET:anna@example.com\r\nTEL;TYPE=CELL:06 1234 5678\r\nBDAY:1980-01-02\r\n'
         'X-PHONE-THING;X-A=b:kept as it came\r\nEND:VCARD\r\n')


async def test_put_creates_a_contact_keeps_unknown_properties_and_if_match_guards_changes(client, acme, book):
    href = f'{book}phone-1.vcf'
    created = await client.put(href, content=VCARD, headers={**basic(acme.member), 'If-None-Match': '*'})
    assert created.status_code == 201, created.text
    etag = created.headers['etag']
    listed = (await client.get(f'{acme.base}/contacts', params={'q': 'Verdi'}, headers=acme.member.auth)).json()
    assert listed['total'] == 1
    record = listed['items'][0]
    assert record['phones'] == ['+390612345678'] and record['created_by'] == acme.member.id
    assert record['visibility'] == 'public'
    got = await client.get(href, headers=basic(acme.member))
    assert got.headers['etag'] == etag
    assert 'UID:phone-1' in got.text and 'BDAY:1980-01-02' in got.text
    assert 'X-PHONE-THING;X-A=b:kept as it came' in got.text
    # again with If-None-Match: it exists
    again = await client.put(href, content=VCARD, headers={**basic(acme.member), 'If-None-Match': '*'})
    assert again.status_code == 412
    changed = VCARD.replace('N:Verdi;Anna;;;', 'N:Verdi;Annalisa;;;')
    updated = await client.put(href, content=changed, headers={**basic(acme.member), 'If-Match': etag})
    assert updated.status_code == 204 and updated.headers['etag'] != etag
    stale = await client.put(href, content=VCARD, headers={**basic(acme.member), 'If-Match': etag})
    assert stale.status_code == 412
    record = (await client.get(f'{acme.base}/contacts/{record["id"]}', headers=acme.member.auth)).json()
    assert record['first_name'] == 'Annalisa'
    # a bad value: refused with a reason, nothing saved
    bad = await client.put(f'{book}phone-2.vcf', content=VCARD.replace('anna@example.com', 'not an email'),
                           headers=basic(acme.member))
    assert bad.status_code == 422 and 'mail' in bad.text.lower()
    assert (await client.get(f'{book}phone-2.vcf', headers=basic(acme.member))).status_code == 404
    # DELETE with a stale ETag: refused; with the current one: gone
    assert (await client.delete(href, headers={**basic(acme.member), 'If-Match': etag})).status_code == 412
    current = (await client.get(href, headers=basic(acme.member))).headers['etag']
    assert (await client.delete(href, headers={**basic(acme.member), 'If-Match': current})).status_code == 204
    assert (await client.get(href, headers=basic(acme.member))).status_code == 404


async def test_a_guest_cannot_write_and_a_hidden_card_cannot_be_deleted(client, acme, book):
    hidden = await contact(client, acme, acme.owner, last_name='Hidden', visibility='private')
    assert (await client.put(f'{book}x.vcf', content=VCARD, headers=basic(acme.guest))).status_code == 403
    assert (await client.delete(f'{book}contact-{hidden["id"]}.vcf', headers=basic(acme.member))).status_code == 404
    assert (await client.get(f'{acme.base}/contacts/{hidden["id"]}', headers=acme.owner.auth)).status_code == 200


async def test_a_new_organization_card_creates_a_company_and_a_card_s_org_links_the_contact(client, acme, book):
    company = ('BEGIN:VCARD\r\nVERSION:4.0\r\nUID:org-1\r\nKIND:org\r\nFN:Verdi Srl\r\nORG:Verdi Srl\r\n'
               'END:VCARD\r\n')
    assert (await client.put(f'{book}org-1.vcf', content=company, headers=basic(acme.member))).status_code == 201
    companies = (await client.get(f'{acme.base}/companies', headers=acme.member.auth)).json()['items']
    assert [c['name'] for c in companies] == ['Verdi Srl']
    person = VCARD.replace('END:VCARD', 'ORG:Verdi Srl\r\nEND:VCARD')
    assert (await client.put(f'{book}phone-1.vcf', content=person, headers=basic(acme.member))).status_code == 201
    listed = (await client.get(f'{acme.base}/contacts', headers=acme.member.auth)).json()['items']
    assert listed[0]['company'] == {'id': companies[0]['id'], 'name': 'Verdi Srl'}


async def test_a_record_merged_away_is_removed_from_the_phone_and_the_kept_card_keeps_its_own_uid(client, acme, book):
    from models.duplicates.merging import merge
    from models.records.tables import CONTACT

    first = await client.put(f'{book}keep.vcf', content=VCARD, headers=basic(acme.member))
    other = await client.put(f'{book}other.vcf', content=VCARD.replace('UID:phone-1', 'UID:phone-2'),
                             headers=basic(acme.member))
    assert first.status_code == other.status_code == 201
    synced = await client.request('REPORT', book, headers=basic(acme.member), content=sync_collection())
    token = token_of(synced.content)
    ids = [c['id'] for c in (await client.get(f'{acme.base}/contacts', headers=acme.member.auth)).json()['items']]
    await merge(CONTACT, acme.member.membership, min(ids), max(ids))
    after = responses((await client.request('REPORT', book, headers=basic(acme.member),
                                            content=sync_collection(token))).content)
    assert {h.rsplit('/', 1)[1]: r.findtext(f'{DAV}status') for h, r in after.items()} == {
        'keep.vcf': None, 'other.vcf': 'HTTP/1.1 404 Not Found'}
    assert 'UID:phone-1' in (await client.get(f'{book}keep.vcf', headers=basic(acme.member))).text


async def test_a_company_renamed_changes_its_contacts_cards(client, acme, book):
    company = (await client.post(f'{acme.base}/companies', json={'name': 'Old Name'}, headers=acme.owner.auth)).json()
    rossi = await contact(client, acme, acme.owner, last_name='Rossi', company_id=company['id'])
    href = f'{book}contact-{rossi["id"]}.vcf'
    before = await client.get(href, headers=basic(acme.member))
    synced = await client.request('REPORT', book, headers=basic(acme.member), content=sync_collection())
    token = token_of(synced.content)
    await client.patch(f'{acme.base}/companies/{company["id"]}', json={'name': 'New Name', 'version': 1},
                       headers=acme.owner.auth)
    after = await client.get(href, headers=basic(acme.member))
    assert 'ORG:New Name' in after.text and after.headers['etag'] != before.headers['etag']
    changed = responses((await client.request('REPORT', book, headers=basic(acme.member),
                                              content=sync_collection(token))).content)
    assert {h.rsplit('/', 1)[1] for h in changed} == {f'contact-{rossi["id"]}.vcf', f'company-{company["id"]}.vcf'}


async def test_a_card_put_back_unchanged_keeps_the_mentions_pec_and_role_it_shows(client, acme, book):
    secret = await contact(client, acme, acme.owner, last_name='Secret', visibility='private', pec='s@pec.it',
                           role='Sales Manager', description=f'call {acme.member.mention} first')
    href = f'{book}contact-{secret["id"]}.vcf'
    got = await client.get(href, headers=basic(acme.member))
    assert got.status_code == 200 and 'TITLE:Sales Manager' in got.text
    text = got.text.replace('N:Secret;;;;', 'N:Secret;Sandra;;;')
    put = await client.put(href, content=text, headers={**basic(acme.member), 'If-Match': got.headers['etag']})
    assert put.status_code == 204, put.text
    saved = (await client.get(f'{acme.base}/contacts/{secret["id"]}', headers=acme.owner.auth)).json()
    assert saved['first_name'] == 'Sandra' and saved['pec'] == 's@pec.it' and saved['role'] == 'Sales Manager'
    assert saved['description'] == f'call {acme.member.mention} first' and saved['mentions'] == [acme.member.id]
    assert saved['visibility'] == 'private'
    # a vCard that is none: a readable refusal, nothing saved
    bad = await client.put(href, content='hello', headers=basic(acme.member))
    assert bad.status_code == 422 and 'vCard' in bad.text


async def test_the_daily_trim_keeps_a_token_good_for_kept_days_then_the_client_syncs_again(client, acme, book):
    """The log of who could see what (dav_log) and the rows of deleted records are deleted once no token that is
    still honoured needs them; an older token gets valid-sync-token, and a full sync works as before."""
    from models.carddav import trimming
    from models.carddav.tables import DavChange, DavLog
    from models.records.service import now

    gone = await contact(client, acme, acme.owner, last_name='Gone')
    kept = await contact(client, acme, acme.owner, last_name='Kept')
    old_token = token_of((await client.request('REPORT', book, headers=basic(acme.member),
                                                content=sync_collection())).content)
    await client.delete(f'{acme.base}/contacts/{gone["id"]}', headers=acme.owner.auth)
    purged = await client.request('DELETE', f'{acme.base}/trash/contact/{gone["id"]}', headers=acme.owner.auth)
    assert purged.status_code == 204
    today = now()
    assert await trimming.trim(today) == 0  # today's checkpoint: nothing is old enough yet
    recent = responses((await client.request('REPORT', book, headers=basic(acme.member),
                                             content=sync_collection(old_token))).content)
    assert [r.findtext(f'{DAV}status') for r in recent.values()] == ['HTTP/1.1 404 Not Found']
    new_token = token_of((await client.request('REPORT', book, headers=basic(acme.member),
                                                content=sync_collection(old_token))).content)
    assert await DavLog.filter(record_id=gone['id']).exists()

    # KEPT later: today's checkpoint is the horizon
    assert await trimming.trim(today + trimming.KEPT + timedelta(hours=1)) > 0
    assert not await DavLog.filter(record_id=gone['id']).exists()
    assert not await DavChange.filter(kind='contact', record_id=gone['id']).exists()
    assert await DavChange.filter(kind='contact', record_id=kept['id']).exists()  # a live record keeps its row
    stale = await client.request('REPORT', book, headers=basic(acme.member), content=sync_collection(old_token))
    assert stale.status_code == 403 and b'valid-sync-token' in stale.content
    # a token from after the horizon still works, and tells what changed since
    await client.delete(f'{acme.base}/contacts/{kept["id"]}', headers=acme.owner.auth)
    since = responses((await client.request('REPORT', book, headers=basic(acme.member),
                                            content=sync_collection(new_token))).content)
    assert {h.rsplit('/', 1)[1]: r.findtext(f'{DAV}status') for h, r in since.items()} == {
        f'contact-{kept["id"]}.vcf': 'HTTP/1.1 404 Not Found'}
    # and a client sent back to the start gets the book as it is
    full = await client.request('REPORT', book, headers=basic(acme.member), content=sync_collection())
    assert full.status_code == 207 and responses(full.content) == {}


async def test_mentions_written_together_renumber_their_cards_as_one_change(orm, acme):
    """0032: the mentions one statement writes (a copy's, an import's) renumber the cards they touch, a company's
    contacts with it; on PostgreSQL with one number for the statement (a row trigger gave each mention its own,
    reading all of dav_changes each time). Removed, each logs that its user could see the record before."""
    from tortoise.transactions import in_transaction

    from models.carddav.tables import DavChange, DavLog
    from models.db import BulkInsert
    from models.records.tables import Company, Contact, Mention
    from tests.helpers import on_postgres

    firm = await Company.create(org_id=acme.id, name='Firm')
    staff = await Contact.create(org_id=acme.id, last_name='Staff', company_id=firm.id)
    alone = await Contact.create(org_id=acme.id, last_name='Alone')
    untouched = await Contact.create(org_id=acme.id, last_name='Untouched')

    async def seqs() -> dict[tuple[str, int], int]:
        return {(k, r): s for k, r, s in await DavChange.filter(org_id=acme.id).values_list('kind', 'record_id', 'seq')}

    before = await seqs()
    async with in_transaction() as connection:  # as a copy writes them: COPY on PostgreSQL
        rows = BulkInsert(Mention, connection, with_ids=False)
        await rows.run([rows.blank(user_id=acme.member.id, contact_id=alone.id),
                        rows.blank(user_id=acme.other.id, company_id=firm.id)])
    after = await seqs()
    touched = [('contact', alone.id), ('company', firm.id), ('contact', staff.id)]
    assert all(after[card] > before[card] for card in touched)
    assert after[('contact', untouched.id)] == before[('contact', untouched.id)]
    if on_postgres():
        assert len({after[card] for card in touched}) == 1

    await Mention.filter(user_id__in=[acme.member.id, acme.other.id]).delete()
    logged = await DavLog.filter(record_id__in=[alone.id, firm.id], public=False).values_list('kind', 'record_id',
                                                                                             'user_id')
    assert sorted(logged) == sorted([('contact', alone.id, acme.member.id), ('company', firm.id, acme.other.id)])
    gone = await seqs()
    assert all(gone[card] > after[card] for card in touched)
