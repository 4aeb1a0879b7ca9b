"""Search (models/search.py through records.list_records and search.find): every field kind, accents and case,
word starts, every way of typing a phone, ranking, and the gate: never a record the caller may not see."""
from __future__ import annotations

import pytest
from tortoise import connections

from models import access
from models.records import search
from models.records import service as records
from models.errors import Forbidden
from models.records.service import create_record, delete_record, list_records, update_record
from models.orgs.tables import Membership
from models.records.tables import COMPANY, CONTACT, Contact
from tests.helpers import VALID_IVA

OTHER_IVA = '01114601006'


@pytest.fixture
async def sample(acme) -> dict:
    """A company and two contacts of Acme's, with something in every field search reads."""
    org = acme.owner.membership
    company = await create_record(COMPANY, org, {'name': 'Müller Impianti Srl', 'vat_number': OTHER_IVA,
                                                 'emails': ['info@impianti.example'], 'phones': ['+39 06 5555 1234']})
    andre = await create_record(CONTACT, org, {
        'first_name': 'André', 'last_name': 'Müller', 'emails': ['am@fabbrica.example', 'second@altro.example'],
        'pec': 'andre@legalmail.example', 'phones': ['02 1234 5678', '+33 1 42 68 53 00'],
        'vat_number': f'IT{VALID_IVA}', 'company_id': company.id})
    zoe = await create_record(CONTACT, org, {'first_name': 'Zoë', 'last_name': 'Rossi',
                                             'emails': ['zoe@example.com']})
    return {'company': company, 'andre': andre, 'zoe': zoe}


async def names(actor, q: str, kind=CONTACT, sort: str = 'relevance') -> list[str]:
    page = await list_records(kind, actor, q=q, sort=sort, limit=200)
    found = [r.display_name for r in page.items]
    assert page.total == len(found), q
    return found


@pytest.mark.parametrize('q', [
    'andre', 'André', 'ANDRE', 'muller', 'Müller', 'MÜLLER', 'mul', 'and', 'andré müller', 'muller andre',  # names
    'am@fabbrica.example', 'fabbrica', 'second@altro', 'ALTRO.EXAMPLE',  # emails, any of them
    'andre@legalmail.example', 'legalmail',  # PEC
    VALID_IVA, f'IT{VALID_IVA}', 'it007431', VALID_IVA[:5],  # VAT number, whole or its start
    '02 1234 5678', '+39 02 1234 5678', '+39 02 12345678', '0212345678', '390212345678', '(02) 1234-5678',
    '1234 5678', '5678', '234', '+33 1 42 68 53 00', '0142685300',  # phones, however typed, and runs of digits
])
async def test_each_field_kind_finds_the_contact(acme, sample, q):
    assert await names(acme.member.membership, q) == ['André Müller'], q


@pytest.mark.parametrize('q', ['muller impianti', 'IMPIANTI', 'imp', 'info@impianti', OTHER_IVA, '06 5555 1234',
                               '+390655551234', '5555'])
async def test_each_field_kind_finds_the_company(acme, sample, q):
    assert await names(acme.member.membership, q, COMPANY) == ['Müller Impianti Srl'], q


@pytest.mark.parametrize('q', ['zoe', 'ZOË', 'zoë rossi', 'ros', 'ro', 'r', 'rossi z', 'zoe r', 'ro z', 'ro zo'])
async def test_accents_case_and_word_starts(acme, sample, q):
    assert await names(acme.member.membership, q) == ['Zoë Rossi'], q


@pytest.mark.parametrize('q', ['rossi x', 'oe', 'ss', 'x'])
async def test_short_terms_start_a_word_of_the_name(acme, sample, q):
    assert await names(acme.member.membership, q) == [], q


async def test_two_letters_find_first_names_and_last_names_alike(acme, sample):
    """"ma" finds Marco and Matteo (first names) as well as Mancini (a last name), and nobody else."""
    for first, last in (('Marco', 'Verdi'), ('Matteo', 'Bianchi'), ('Anna', 'Mancini'), ('Giulia', 'Amato')):
        await create_record(CONTACT, acme.owner.membership, {'first_name': first, 'last_name': last})
    assert sorted(await names(acme.member.membership, 'ma')) == ['Anna Mancini', 'Marco Verdi', 'Matteo Bianchi']
    assert await names(acme.member.membership, 'zo') == ['Zoë Rossi']
    assert await names(acme.member.membership, 'ma ve') == ['Marco Verdi']


async def test_contacts_are_found_by_their_visible_company(acme, sample):
    """Searching contacts for a company's name or VAT number finds the people of that company, ranked after those
    whose own fields match; a company the caller may not see finds nobody through it."""
    org, member = acme.owner.membership, acme.member.membership
    for q in ('impianti', 'Müller Impianti', OTHER_IVA):
        assert await names(member, q) == ['André Müller'], q
    hidden = await create_record(COMPANY, org, {'name': 'Riservata Srl', 'vat_number': VALID_IVA,
                                                'visibility': 'private'})
    await create_record(CONTACT, org, {'last_name': 'Dipendente', 'company_id': hidden.id})
    await create_record(CONTACT, org, {'last_name': 'Riservata'})  # matches on its own name
    assert await names(member, 'riservata') == ['Riservata']
    assert await names(org, 'riservata') == ['Riservata', 'Dipendente']  # the creator sees the company
    assert [r.display_name for r in (await records.find(org, 'riservata')).contacts.items] == \
        ['Riservata', 'Dipendente']


async def test_accented_emails_are_found_without_accents(acme, sample):
    await create_record(CONTACT, acme.owner.membership, {'last_name': 'Pérez', 'emails': ['jose.perez@café.example']})
    assert await names(acme.member.membership, 'jose.perez@cafe') == ['Pérez']
    assert await names(acme.member.membership, 'CAFÉ.EXAMPLE') == ['Pérez']


@pytest.mark.parametrize('q', ['zzz', 'andre rossi', 'ndr@', '9999', 'ss', 'é', '   ', '%', '_', "o'", '"'])
async def test_what_matches_nothing(acme, sample, q):
    found = await names(acme.member.membership, q)
    if search.terms(q):
        assert found == [], q
    else:  # nothing to look for: the whole list
        assert len(found) == 2


async def test_hostile_text_is_only_text(acme, sample):
    for q in ('"', "'", '" OR 1', "x' OR '1'='1", 'a*', 'NEAR(a b)', 'foo:bar', '^abc', '-abc', '\x00abc', '%%%',
              'a_b_c', '\\'):
        await names(acme.member.membership, q)  # no database error, whatever the query
    await create_record(CONTACT, acme.owner.membership, {'last_name': "O'Brien \"Bob\"",
                                                         'emails': ['x_y%z@example.com']})
    assert await names(acme.member.membership, "o'brien") == ['O\'Brien "Bob"']
    assert await names(acme.member.membership, '"bob"') == ['O\'Brien "Bob"']
    assert await names(acme.member.membership, 'x_y%z') == ['O\'Brien "Bob"']
    assert await names(acme.member.membership, '_y%') == ['O\'Brien "Bob"']


async def test_ranking_name_starts_first_then_word_starts_then_inside_words(acme, sample):
    org = acme.owner.membership
    await create_record(CONTACT, org, {'last_name': 'Barossi'})  # inside a word of the name
    await create_record(CONTACT, org, {'last_name': 'Verdi', 'emails': ['rosa@example.com']})  # word start, email
    await create_record(CONTACT, org, {'first_name': 'Anna', 'last_name': 'Rosati'})  # name start
    assert await names(acme.member.membership, 'ros') == ['Anna Rosati', 'Zoë Rossi', 'Verdi', 'Barossi']
    # the other sorts still work on a search
    assert await names(acme.member.membership, 'ros', sort='name') == ['Barossi', 'Anna Rosati', 'Zoë Rossi', 'Verdi']
    page = await list_records(CONTACT, acme.member.membership, q='ros', sort='relevance', limit=2, offset=2)
    assert ([r.display_name for r in page.items], page.total) == (['Verdi', 'Barossi'], 4)
    # without a query, relevance is by name
    assert await names(acme.member.membership, '', sort='relevance') == ['Barossi', 'André Müller', 'Anna Rosati',
                                                                         'Zoë Rossi', 'Verdi']


async def test_never_what_the_caller_may_not_see(acme, sample, make_org):
    org, member = acme.owner.membership, acme.member.membership
    await create_record(CONTACT, org, {'last_name': 'Segreto', 'emails': ['segreto@hidden.example'],
                                       'phones': ['+39 333 765 4321'], 'visibility': 'private'})
    await create_record(CONTACT, org, {'last_name': 'Segretissimo', 'visibility': 'private',
                                       'description': f'for {acme.member.mention}'})
    await create_record(COMPANY, org, {'name': 'Segreta Spa', 'visibility': 'private'})
    other = (await make_org('Elsewhere', owner=acme.owner)).owner.membership
    await create_record(CONTACT, other, {'last_name': 'Segreto Altrove', 'phones': ['+39 333 765 4321']})
    for q in ('segreto', 'hidden', '333 765 4321', '7654321', 'segr'):
        assert 'Segreto' not in await names(member, q), q
        assert 'Segreto Altrove' not in await names(member, q), q
        assert 'Segreto' in await names(org, q), q  # its creator finds it
    assert await names(member, 'segr') == ['Segretissimo']  # mentioned: seen
    assert await names(member, 'segreta', COMPANY) == []
    assert await names(org, 'segreta', COMPANY) == ['Segreta Spa']
    # the company picker offers what the lists show, through the same gate
    assert await records.company_choices(member, 'segreta', limit=8) == []
    assert [name for _, name in await records.company_choices(org, 'segreta', limit=8)] == ['Segreta Spa']
    assert await records.company_choices(acme.guest.membership, 'segreta', limit=8) == []
    assert await names(await access.membership(acme.owner, other.org_id), 'segreto') == ['Segreto Altrove']
    with pytest.raises(Forbidden):
        await list_records(CONTACT, acme.guest.membership, q='segreto')
    with pytest.raises(Forbidden):
        await records.find(acme.guest.membership, 'segreto')
    assert await access.visible(CONTACT, acme.guest.membership).filter(last_name='Segreto').count() == 0
    assert await search.apply(access.visible(CONTACT, acme.guest.membership), 'segreto').count() == 0


async def test_changes_and_deletions_are_found_at_once(acme, sample):
    member, zoe = acme.member.membership, sample['zoe']
    await update_record(CONTACT, acme.owner.membership, zoe.id, {'last_name': 'Bianchi', 'phones': ['347 000 1111']},
                        zoe.version)
    assert await names(member, 'rossi') == []
    assert await names(member, 'bianchi') == ['Zoë Bianchi']
    assert await names(member, '347 000 1111') == ['Zoë Bianchi']
    assert await names(member, 'zoe@example') == ['Zoë Bianchi']
    await delete_record(CONTACT, acme.owner.membership, zoe.id)
    assert await names(member, 'bianchi') == []
    assert await names(member, 'zoe') == []
    await records.delete_record(COMPANY, acme.owner.membership, sample['company'].id)
    assert await names(member, 'impianti', COMPANY) == []


async def test_filters_combine_with_the_search(acme, sample):
    member = acme.member.membership
    found = await list_records(CONTACT, member, q='andre', company_id=sample['company'].id)
    assert [r.display_name for r in found.items] == ['André Müller']
    assert (await list_records(CONTACT, member, q='zoe', company_id=sample['company'].id)).total == 0


async def test_find_returns_both_kinds_best_first(acme, sample):
    results = await records.find(acme.member.membership, 'müller', limit=5)
    assert [r.display_name for r in results.contacts.items] == ['André Müller']
    assert [r.display_name for r in results.companies.items] == ['Müller Impianti Srl']
    assert (results.contacts.total, results.companies.total) == (1, 1)
    empty = await records.find(acme.member.membership, '  ')
    assert (empty.contacts.total, empty.companies.total, empty.contacts.items) == (0, 0, [])


async def test_the_search_goes_through_the_index(acme, sample):
    """The query is served by the FTS5 table (SQLite) or the trigram index (PostgreSQL), and records saved before
    the index existed were indexed by the migration."""
    client = connections.get('default')
    if client.capabilities.dialect == 'sqlite':
        rows = await client.execute_query_dict("SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH '\"mul\"'")
        assert [r['rowid'] for r in rows] == [sample['andre'].id]
        # an external content table: 'rebuild' (run by the migration) indexes rows it has never seen
        await client.execute_script("INSERT INTO contacts_fts(contacts_fts) VALUES ('delete-all')")
        assert await names(acme.member.membership, 'andre') == []
        await client.execute_script("INSERT INTO contacts_fts(contacts_fts) VALUES ('rebuild')")
        assert await names(acme.member.membership, 'andre') == ['André Müller']
    else:
        rows = await client.execute_query_dict(
            "SELECT indexname FROM pg_indexes WHERE indexname IN ('contacts_search_trgm', 'companies_search_trgm')")
        assert len(rows) == 2
    assert await Contact.filter(id=sample['andre'].id).values_list('search_text', flat=True) == \
        [search.document(sample['andre'])]


async def _old_owner() -> Membership:
    """The owner of an organization in a database of an older schema, written in SQL: today's models of users and
    organizations have columns that the older tables do not."""
    client = connections.get('default')
    await client.execute_script(
        "INSERT INTO users (email, name, password_hash, created_at) VALUES ('old@example.com', 'Old Owner', 'x', "
        "CURRENT_TIMESTAMP); INSERT INTO organizations (name, country, plan, storage_quota, storage_used, created_at) "
        "VALUES ('Old Times', 'IT', 'free', 1, 0, CURRENT_TIMESTAMP); INSERT INTO memberships (org_id, user_id, role, "
        "created_at) VALUES (1, 1, 'owner', CURRENT_TIMESTAMP)")
    return await Membership.get(user_id=1).select_related('org')


async def _old_contact(owner: Membership, **values: str) -> int:
    """A contact of a database of an older schema, written in SQL with the columns the contacts table has had since
    0005 (today's model has more, e.g. the trash's); returns its id."""
    row = {'org_id': owner.org_id, 'created_by_id': owner.user_id, 'type': '', 'description': '', 'emails': '[]',
           'pec': '', 'phones': '[]', 'addresses': '[]', 'vat_number': '', 'visibility': 'public', 'version': 1,
           'role': '', 'first_name': '', 'last_name': '', 'sort_name': '', 'search_text': ''} | values
    return await connections.get('default').execute_insert(
        f"INSERT INTO contacts ({', '.join(row)}, created_at, updated_at) "
        f"VALUES ({', '.join('?' * len(row))}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", list(row.values()))


async def test_records_saved_before_the_migration_are_found_after_it(tmp_path):
    """Migration 0006 rewrites every search_text with today's document() and indexes the rows already there."""
    from tortoise.context import TortoiseContext
    from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

    from models.db import APP_LABEL, app_config, tortoise_config

    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(f'sqlite://{tmp_path / "old.sqlite3"}'))
        executor = MigrationExecutor(connections.get('default'), {APP_LABEL: app_config()})
        await executor.migrate([MigrationTarget(app_label=APP_LABEL, name='0005_attachments')])
        org = await _old_owner()
        old = await _old_contact(org, first_name='Zoë', last_name='Vecchi', sort_name='vecchi zoe',
                                 emails='["zoë@exämple.com"]', phones='["+390212345678"]',
                                 search_text='zoe vecchi zoë@exämple.com')  # as 0005-era code wrote it
        await MigrationExecutor(connections.get('default'), {APP_LABEL: app_config()}).migrate()
        assert [c.id for c in (await list_records(CONTACT, org, q='vecchi')).items] == [old]
        assert [c.id for c in (await list_records(CONTACT, org, q='zoe@example')).items] == [old]
        assert [c.id for c in (await list_records(CONTACT, org, q='02 1234 5678')).items] == [old]


async def test_records_saved_before_word_starts_were_indexed_are_found_by_two_letters(tmp_path):
    """Migration 0012 puts a space before the first word of every search text already saved."""
    from tortoise.context import TortoiseContext
    from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

    from models.db import APP_LABEL, app_config, tortoise_config

    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(f'sqlite://{tmp_path / "old.sqlite3"}'))
        executor = MigrationExecutor(connections.get('default'), {APP_LABEL: app_config()})
        await executor.migrate([MigrationTarget(app_label=APP_LABEL, name='0011_login_attempts')])
        org = await _old_owner()
        old = await _old_contact(org, first_name='Zoë', last_name='Vecchi', sort_name='vecchi zoe',
                                 search_text='zoe vecchi')  # as 0011-era code wrote it
        await MigrationExecutor(connections.get('default'), {APP_LABEL: app_config()}).migrate()
        assert [c.id for c in (await list_records(CONTACT, org, q='zo')).items] == [old]
        assert await Contact.filter(id=old).values_list('search_text', flat=True) == [' zoe vecchi']


async def test_every_sort_works_on_a_search(acme, sample):
    org, member = acme.owner.membership, acme.member.membership
    for last, kind in (('Rosati', 'Client'), ('Barossi', 'Lead'), ('Rossetti', 'Supplier')):
        await create_record(CONTACT, org, {'last_name': last, 'type': kind, 'company_id': sample['company'].id})
    expected = {
        ('name', False): ['Barossi', 'Rosati', 'Rossetti', 'Zoë Rossi'],
        ('name', True): ['Zoë Rossi', 'Rossetti', 'Rosati', 'Barossi'],
        ('updated', True): ['Rossetti', 'Barossi', 'Rosati', 'Zoë Rossi'],
        ('type', False): ['Zoë Rossi', 'Rosati', 'Barossi', 'Rossetti'],
        ('company', False): ['Barossi', 'Rosati', 'Rossetti', 'Zoë Rossi'],  # without a company: last
    }
    for (sort, descending), names_in_order in expected.items():
        page = await list_records(CONTACT, member, q='ross ' if sort != 'type' else 'ros', sort=sort,
                                  descending=descending)
        found = [r.display_name for r in page.items]
        wanted = [n for n in names_in_order if 'ross' in n.lower() or sort == 'type']
        assert found == wanted, (sort, descending)
