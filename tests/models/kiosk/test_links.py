"""Kiosk links: only owners manage them, the token is shown once and stored hashed, a link shows the public
records of its organization only (in lists, search and cards), and a revoked link opens nothing."""
from __future__ import annotations

import pytest

from models import access
from models.kiosk import service as kiosk
from models.accounts.service import digest
from models.errors import Forbidden, NotFound, ValidationFailed
from models.kiosk.tables import KioskLink
from models.records.service import create_record
from models.records.tables import COMPANY, CONTACT
from tests.helpers import VALID_IVA


@pytest.fixture
async def directory(acme, make_org) -> dict:
    """Acme's records, public and private, a kiosk link for Acme, and a contact in Other, another organization of
    Acme's owner."""
    org, as_member = acme.owner.membership, acme.member.membership
    secret_company = await create_record(COMPANY, org, {'name': 'Secret Srl', 'visibility': 'private'})
    open_company = await create_record(COMPANY, org, {'name': 'Open Spa', 'type': 'Client',
                                                      'phones': ['+39 02 1234 5678']})
    records = {
        'public': await create_record(CONTACT, as_member, {
            'first_name': 'Paola', 'last_name': 'Pubblica', 'emails': ['paola@open.example'],
            'phones': ['+39 347 123 4567'], 'company_id': open_company.id}),
        'public at a private company': await create_record(CONTACT, org, {
            'last_name': 'Quieta', 'company_id': secret_company.id}),
        'private of the owner': await create_record(CONTACT, org, {
            'last_name': 'Privata', 'emails': ['privata@hidden.example'], 'phones': ['+39 333 765 4321'],
            'visibility': 'private', 'company_id': open_company.id}),
        'private mentioning the owner': await create_record(CONTACT, as_member, {
            'last_name': 'Menzionata', 'visibility': 'private', 'description': acme.owner.mention}),
        'open company': open_company,
        'secret company': secret_company,
    }
    other = (await make_org('Other', owner=acme.owner)).owner.membership
    await create_record(CONTACT, other, {'last_name': 'Altrove'})
    link, raw = await kiosk.create_kiosk_link(actor=org, name='Reception', shown_fields=list(kiosk.KIOSK_FIELDS))
    return {'other': other, 'link': link, 'raw': raw, 'records': records}


async def _names(link, kind_name, q=''):
    results = await kiosk.search_directory(link, kind_name, q=q)
    assert results.total == len(results.entries)
    return sorted(e.name for e in results.entries)


async def test_a_link_shows_the_public_records_of_its_organization_only(acme, directory):
    link = await kiosk.link_for_token(directory['raw'])
    assert link.org_id == acme.id
    assert await _names(link, 'contact') == ['Paola Pubblica', 'Quieta']
    assert await _names(link, 'company') == ['Open Spa']


@pytest.mark.parametrize('q', ['privata', 'PRIVATA', 'privata@hidden.example', '333 765 4321', 'menzionata',
                               'altrove'])
async def test_search_never_finds_a_private_record_or_another_organizations(directory, q):
    link = await kiosk.link_for_token(directory['raw'])
    assert await _names(link, 'contact', q) == []


async def test_search_finds_public_records_by_name_email_and_phone(directory):
    link = await kiosk.link_for_token(directory['raw'])
    for q in ('pubblica', 'paola@open', '347 123 4567', '+393471234567'):
        assert await _names(link, 'contact', q) == ['Paola Pubblica'], q
    assert await _names(link, 'company', 'secret') == []
    assert await _names(link, 'company', 'open') == ['Open Spa']


async def test_cards_show_public_records_and_public_companies_only(directory):
    link, records = directory['link'], directory['records']
    card = await kiosk.directory_card(link, 'contact', records['public'].id)
    assert (card.entry.name, card.entry.company_name, card.entry.emails, card.entry.phones) == (
        'Paola Pubblica', 'Open Spa', ('paola@open.example',), ('+393471234567',))
    quiet = await kiosk.directory_card(link, 'contact', records['public at a private company'].id)
    assert (quiet.entry.company_id, quiet.entry.company_name) == (None, '')  # its company is private
    company = await kiosk.directory_card(link, 'company', records['open company'].id)
    assert [c.name for c in company.contacts] == ['Paola Pubblica'] and company.contacts_total == 1
    for kind_name, key in (('contact', 'private of the owner'), ('contact', 'private mentioning the owner'),
                           ('company', 'secret company')):
        with pytest.raises(NotFound):
            await kiosk.directory_card(link, kind_name, records[key].id)
    # an entry carries directory fields only: no description, no visibility, no attachment
    assert not {'description', 'visibility', 'attachments'} & set(vars(card.entry))


async def test_the_token_is_shown_once_and_stored_hashed(acme, directory):
    raw, link = directory['raw'], directory['link']
    assert raw.startswith(kiosk.TOKEN_PREFIX) and len(raw) >= 40
    stored = await KioskLink.get(id=link.id)
    assert stored.token_hash == digest(raw)
    assert raw not in [str(value) for value in vars(stored).values()]
    assert stored.hint == raw[:len(kiosk.TOKEN_PREFIX) + 4]
    assert [link.id for link in await kiosk.list_kiosk_links(acme.owner.membership)] == [link.id]
    assert stored.last_used_at is None
    await kiosk.link_for_token(raw)
    assert (await KioskLink.get(id=link.id)).last_used_at is not None  # the owner sees when it was last opened


@pytest.mark.parametrize('raw', ['', 'kiosk_unknown', 'rbk_' + 'x' * 43, None, 42, 'kiosk_' + 'x' * 200])
async def test_an_unknown_token_opens_nothing(directory, raw):
    with pytest.raises(NotFound):
        await kiosk.link_for_token(raw)


async def test_a_revoked_link_opens_nothing_even_on_a_screen_already_open(acme, directory):
    link = await kiosk.link_for_token(directory['raw'])
    await kiosk.revoke_kiosk_link(actor=acme.owner.membership, link_id=link.id)
    with pytest.raises(NotFound):
        await kiosk.link_for_token(directory['raw'])
    with pytest.raises(NotFound):
        await kiosk.search_directory(link, 'contact')
    with pytest.raises(NotFound):
        await kiosk.directory_card(link, 'contact', directory['records']['public'].id)
    assert await access.kiosk_visible(CONTACT, link).count() == 0  # the gate itself re-checks the link
    with pytest.raises(NotFound):
        await kiosk.revoke_kiosk_link(actor=acme.owner.membership, link_id=link.id)


async def test_only_owners_manage_links_of_their_own_organization(acme, directory):
    with pytest.raises(Forbidden):
        await kiosk.create_kiosk_link(actor=acme.member.membership, name='Mine')
    with pytest.raises(Forbidden):
        await kiosk.list_kiosk_links(acme.member.membership)
    with pytest.raises(Forbidden):
        await kiosk.revoke_kiosk_link(actor=acme.member.membership, link_id=directory['link'].id)
    with pytest.raises(NotFound):  # the owner of another organization cannot reach this one's links
        await kiosk.revoke_kiosk_link(actor=directory['other'], link_id=directory['link'].id)
    assert await kiosk.list_kiosk_links(directory['other']) == []
    assert await kiosk.link_for_token(directory['raw'])


@pytest.mark.parametrize('given, stored', [
    ('https://intranet.example.com', ['https://intranet.example.com']),
    ('HTTPS://Intranet.Example.com/', ['https://intranet.example.com']),
    ('http://localhost:8080\nhttps://a.example, https://a.example', ['http://localhost:8080', 'https://a.example']),
    (['http://10.0.0.5:3000', 'https://[::1]:8443'], ['http://10.0.0.5:3000', 'https://[::1]:8443']),
    ('', []),
    (None, []),
])
async def test_framing_origins_are_normalized(acme, directory, given, stored):
    link, _ = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Wall', frame_origins=given)
    assert (await KioskLink.get(id=link.id)).frame_origins == stored


@pytest.mark.parametrize('given, field', [
    ('intranet.example.com', 'frame_origins[0]'),
    ('https://intranet.example.com/page', 'frame_origins[0]'),
    ('https://ok.example ftp://files.example', 'frame_origins[1]'),
    ('https://*.example.com', 'frame_origins[0]'),
    ("https://a.example 'self'", 'frame_origins[1]'),
    ('https://a.example;script-src', 'frame_origins[0]'),
    ('https://a.example:99999', 'frame_origins[0]'),
    ('https://user@a.example', 'frame_origins[0]'),
    ('https://[1.2.3.4]', 'frame_origins[0]'),
    ('https://intranet.exämple.com', 'frame_origins[0]'),
    (' '.join(f'https://h{i}.example' for i in range(11)), 'frame_origins'),
    ({'origin': 'https://a.example'}, 'frame_origins'),
])
async def test_bad_framing_origins_are_refused_by_name(acme, directory, given, field):
    with pytest.raises(ValidationFailed) as refused:
        await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Wall', frame_origins=given)
    assert field in refused.value.errors
    assert await KioskLink.filter(org_id=acme.id).count() == 1  # nothing saved


@pytest.mark.parametrize('idle, ok', [(60, True), ('30', True), (5, True), (3600, True), (4, False),
                                      (3601, False), ('soon', False), (True, False), (None, False), (12.5, False)])
async def test_idle_time_is_checked(acme, directory, idle, ok):
    if ok:
        link, _ = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Wall', idle=idle)
        assert link.idle_seconds == int(idle)
    else:
        with pytest.raises(ValidationFailed) as refused:
            await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Wall', idle=idle)
        assert 'idle_seconds' in refused.value.errors


async def test_every_failing_field_is_named_at_once(acme, directory):
    with pytest.raises(ValidationFailed) as refused:
        await kiosk.create_kiosk_link(actor=acme.owner.membership, name='  ', idle=0, frame_origins='nope')
    assert set(refused.value.errors) == {'name', 'idle_seconds', 'frame_origins[0]'}


async def _contact_with_everything(acme):
    company = await create_record(COMPANY, acme.owner.membership, {'name': 'Officine Spa', 'sector': 'Energy'})
    return await create_record(CONTACT, acme.owner.membership, {
        'first_name': 'Marco', 'last_name': 'Bruni', 'type': 'Lead', 'role': 'Technician', 'company_id': company.id,
        'emails': ['marco@officine.example', 'marco.bruni@gmail.com'], 'phones': ['02 1234 5678', '347 765 4321'],
        'pec': 'bruni@pec.example.it', 'addresses': [{'city': 'Bergamo'}], 'vat_number': VALID_IVA})


async def test_a_new_link_shows_the_name_company_role_and_work_email_and_phone_only(acme):
    """Issue 14: a kiosk showed everything (a personal Gmail, a mobile, the "Lead" type) on a public screen."""
    contact = await _contact_with_everything(acme)
    link, _ = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Hall')
    assert link.shown_fields == ['company', 'role', 'sector', 'work_email', 'work_phone']
    card = (await kiosk.directory_card(link, 'contact', contact.id)).entry
    assert (card.name, card.company_name, card.role, card.emails, card.phones) == (
        'Marco Bruni', 'Officine Spa', 'Technician', ('marco@officine.example',), ('+390212345678',))
    assert (card.type, card.pec, card.addresses) == ('', '', ())
    (entry,) = (await kiosk.search_directory(link, 'contact')).entries
    assert entry == card
    for hidden in ('gmail', 'marco.bruni', '347 765 4321', 'bruni@pec', 'lead', VALID_IVA):
        assert await _names(link, 'contact', hidden) == [], f'{hidden} is not shown, so it finds nothing'
    for shown in ('bruni', 'marco', 'officine.example', '02 1234 5678', 'technic', 'officine'):
        assert await _names(link, 'contact', shown) == ['Marco Bruni'], shown


async def test_the_fields_are_chosen_at_creation_and_changed_later_even_on_an_open_screen(acme):
    contact = await _contact_with_everything(acme)
    link, raw = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Hall',
                                              shown_fields=['phones', 'type'])
    screen = await kiosk.link_for_token(raw)
    entry = (await kiosk.directory_card(screen, 'contact', contact.id)).entry
    assert (entry.phones, entry.type, entry.emails, entry.company_name, entry.role) == (
        ('+390212345678', '+393477654321'), 'Lead', (), '', '')
    assert await _names(screen, 'contact', '347 765 4321') == ['Marco Bruni']
    assert await _names(screen, 'contact', 'officine') == [], 'the company is hidden: not findable either'
    company = await kiosk.directory_card(screen, 'company', contact.company_id)
    assert company.contacts == [] and company.entry.sector == '', "a company's people show with 'company' only"

    changed = await kiosk.set_kiosk_fields(actor=acme.owner.membership, link_id=link.id,
                                           shown_fields=['emails', 'pec', 'addresses'])
    assert changed.shown_fields == ['emails', 'pec', 'addresses']
    entry = (await kiosk.directory_card(screen, 'contact', contact.id)).entry  # the screen opened before
    assert (entry.emails, entry.pec, [a['city'] for a in entry.addresses], entry.phones, entry.type) == (
        ('marco@officine.example', 'marco.bruni@gmail.com'), 'bruni@pec.example.it', ['Bergamo'], (), '')
    assert await _names(screen, 'contact', 'gmail') == ['Marco Bruni']
    assert await _names(screen, 'contact', '347 765 4321') == []


async def test_kiosk_fields_are_checked_and_owners_only(acme, directory):
    with pytest.raises(ValidationFailed) as e:
        await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Hall', shown_fields=['description'])
    assert 'shown_fields' in e.value.errors
    with pytest.raises(ValidationFailed):
        await kiosk.set_kiosk_fields(actor=acme.owner.membership, link_id=directory['link'].id,
                                     shown_fields='emails')
    with pytest.raises(Forbidden):
        await kiosk.set_kiosk_fields(actor=acme.member.membership, link_id=directory['link'].id, shown_fields=[])
    with pytest.raises(NotFound):
        await kiosk.set_kiosk_fields(actor=acme.owner.membership, link_id=999_999, shown_fields=[])
    # with the company shown, a contact is found by its company's name only when that company is public
    assert await _names(directory['link'], 'contact', 'open') == ['Paola Pubblica']
    assert await _names(directory['link'], 'contact', 'secret') == []
    assert await _names(directory['link'], 'contact', 'quieta') == ['Quieta']
    nothing, _ = await kiosk.create_kiosk_link(actor=acme.owner.membership, name='Names', shown_fields=[])
    card = await kiosk.directory_card(nothing, 'contact', directory['records']['public'].id)
    assert (card.entry.name, card.entry.emails, card.entry.phones, card.entry.company_name) == (
        'Paola Pubblica', (), (), '')
