"""The database's plan of every list, count and search query on an organization of 20,000 contacts: none reads a
whole table of records where an index should serve it (SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN (FORMAT
JSON)). The queries are those the app really sends: they are recorded while models/ functions run, then explained.
"""
from __future__ import annotations

import json
import re

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from models.history import trash
from models.records import dashboard
from models.records import service as records
from models.records.tables import COMPANY, CONTACT
from tests.helpers import on_postgres

CONTACTS, COMPANIES = 20_000, 5_000
RECORD_TABLES = ('contacts', 'companies', 'mentions', 'record_counts')  # record_type_counts: a few rows here, scanned
READ_AT_MOST = 0.6  # of a table's rows: a count may read its bound, 10,000 (half the contacts), and no more
LAST_NAMES = ('Rossi', 'Bianchi', 'Ferrari', 'Russo', 'Colombo', 'Esposito', 'Romano', 'Gallo', 'Conti', 'Greco')
SECTORS = ('Energy', 'Food', 'Health', 'Retail', 'Software', 'Transport', 'Wine')
TYPES = ('Client', 'Supplier', 'Partner', 'Prospect')


def rare(name: str, otherwise: str) -> str:
    """One record in a hundred has this name: what a selective search finds."""
    return f"CASE WHEN i % 100 = 7 THEN '{name}' ELSE {otherwise} END"


def _pick(values: tuple[str, ...], n: str) -> str:
    return 'CASE ' + ' '.join(f"WHEN {n} % {len(values)} = {i} THEN '{v}'" for i, v in enumerate(values)) + ' END'


async def generate(team) -> None:
    """COMPANIES companies and CONTACTS contacts in the team's organization, in a few set-based statements: one in
    ten private (some mentioning the member), one in fifty in the trash, four in five at a company."""
    client = connections.get('default')
    jsonb, moment = ('::jsonb', '::timestamptz') if on_postgres() else ('', '')
    # a minute apart, each record: a list by last update has an order to follow
    updated = ("'2026-01-01 00:00:00+00:00'::timestamptz + i * interval '1 minute'" if on_postgres() else
               "strftime('%Y-%m-%d %H:%M:%S', 1767225600 + i * 60, 'unixepoch') || '+00:00'")
    org, owner, member = team.id, team.owner.id, team.member.id
    series = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) '
    common = ("'', '[]'{jsonb}, '', '[]'{jsonb}, '[]'{jsonb}, '', "
              "CASE WHEN i % 10 = 0 THEN 'private' ELSE 'public' END, 1, "
              "CASE WHEN i % 3 = 0 THEN {owner} ELSE {member} END, {owner}, "
              "'2026-01-01 00:00:00+00:00', {updated}, "
              "CASE WHEN i % 50 = 0 THEN '2026-02-01 00:00:00+00:00'{moment} END").format(
                  jsonb=jsonb, updated=updated, owner=owner, member=member, moment=moment)
    columns = ('org_id, type, description, emails, pec, phones, addresses, vat_number, visibility, version, '
               'created_by_id, updated_by_id, created_at, updated_at, deleted_at')
    last, first = _pick(LAST_NAMES, 'i'), rare('Zoe', "'Anna'")
    await client.execute_script(
        series.format(count=COMPANIES) + f'INSERT INTO companies ({columns}, name, sort_name, search_text, sector) '
        f"SELECT {org}, {_pick(TYPES, 'i')}, {common}, {rare('Zeta', last)} || ' Impianti ' || i, "
        f"lower({rare('Zeta', last)}) || ' impianti ' || i, ' ' || lower({rare('Zeta', last)}) || ' impianti ' || i, "
        f"{_pick(SECTORS, 'i / 7')} FROM n")
    first_company = (await COMPANY.model.filter(org_id=org).order_by('id').first()).id
    await client.execute_script(
        series.format(count=CONTACTS) + f'INSERT INTO contacts ({columns}, first_name, last_name, sort_name, '
        f"search_text, role, company_id) SELECT {org}, {_pick(TYPES, 'i')}, {common}, {first}, {last}, "
        f"lower({first}) || ' ' || lower({last}), "
        f"' ' || lower({first}) || ' ' || lower({last}) || ' p' || i || '@example.com', "
        f"'', CASE WHEN i % 5 = 0 THEN NULL ELSE {first_company} + i % {COMPANIES} END FROM n")
    for kind, table in (('contact', 'contacts'), ('company', 'companies')):  # the owner in one record in four
        await client.execute_script(f'INSERT INTO mentions (user_id, {kind}_id) SELECT CASE WHEN id % 4 = 0 THEN '
                                    f"{owner} ELSE {member} END, id FROM {table} WHERE org_id = {org} "
                                    f"AND (id % 4 = 0 OR visibility = 'private' AND id % 3 = 0)")
    await client.execute_script('ANALYZE')


class Recorder:
    """The SELECTs the app sends while the block runs, with their parameters."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, list]] = []

    def __enter__(self) -> Recorder:
        self.client = connections.get('default')
        self.originals = {name: getattr(self.client, name) for name in ('execute_query', 'execute_query_dict')}
        for name, original in self.originals.items():
            setattr(self.client, name, self.recording(original))
        return self

    def recording(self, original):
        async def run(sql, values=None):
            if sql.lstrip().upper().startswith('SELECT'):
                self.queries.append((sql, list(values or [])))
            return await original(sql, values)
        return run

    def __exit__(self, *exc) -> None:
        for name, original in self.originals.items():
            setattr(self.client, name, original)


async def full_scans(sql: str, values: list, *, searching: bool, ordered: bool = False,
                     tables: tuple[str, ...] = RECORD_TABLES) -> list[str]:
    """The record tables this query reads whole, by its plan.

    SQLite: a SCAN of a record table (not a SEARCH through an index), or, for a whole list (`ordered`), a sort of
    all its rows (USE TEMP B-TREE FOR ORDER BY: no index gives the order). PostgreSQL prefers reading a table this small to most
    indexes, so the plan is asked with sequential scans disabled and run (EXPLAIN ANALYZE): a Seq Scan of a record
    table then means that no index can serve the query; and, but for searches, a scan that still reads more than
    READ_AT_MOST of a table's rows is a full scan through an index (for a search PostgreSQL costs its trigram index
    above reading one organization of this size, so that part is left to SQLite and to the benches at 100,000).
    `tables`: the tables that must not be read whole."""
    if not on_postgres():
        rows = await connections.get('default').execute_query_dict(f'EXPLAIN QUERY PLAN {sql}', values)
        pattern = re.compile(rf"^SCAN ({'|'.join(tables)})( |$)")
        return [row['detail'] for row in rows if pattern.match(row['detail'])
                or ordered and row['detail'] == 'USE TEMP B-TREE FOR ORDER BY']
    async with in_transaction() as connection:
        await connection.execute_script('SET LOCAL enable_seqscan = off')
        plan = (await connection.execute_query_dict(f'EXPLAIN (ANALYZE, FORMAT JSON) {sql}', values))[0]['QUERY PLAN']
        sizes = {row['relname']: row['reltuples'] for row in await connection.execute_query_dict(
            'SELECT relname, reltuples FROM pg_class WHERE relname = ANY($1)', [list(tables)])}
    found: list[str] = []

    def walk(node: dict) -> None:
        table = node.get('Relation Name')
        if table in tables:
            read = (node.get('Actual Rows', 0) + node.get('Rows Removed by Filter', 0)) * node.get('Actual Loops', 1)
            if node['Node Type'] == 'Seq Scan' or not searching and read > READ_AT_MOST * sizes[table]:
                found.append(f"{node['Node Type']} on {table} read {read:.0f} of {sizes[table]:.0f} rows")
        for child in node.get('Plans', []):
            walk(child)
    walk((plan if isinstance(plan, list) else json.loads(plan))[0]['Plan'])
    return found


async def by_cursor(kind, actor, deep: int, **options) -> None:
    """The page after the row at `deep`, by the cursor of the page that ends there (keyset pagination)."""
    page = await records.list_records(kind, actor, offset=deep - 1, limit=1, **options)
    assert page.next_cursor
    await records.list_records(kind, actor, cursor=page.next_cursor, **options)


def cases(team) -> list[tuple[str, object]]:
    """Each list, count and search a member's pages and the API make: (label, a call of models/)."""
    actor = team.member.membership
    out = []
    for kind in (CONTACT, COMPANY):
        name = kind.name
        own_sort = 'company' if kind is CONTACT else 'sector'
        for sort in ('name', 'updated', 'type'):
            out.append((f'{name}s by {sort}', lambda k=kind, s=sort: records.list_records(k, actor, sort=s)))
        out.append((f'{name}s by {own_sort}', lambda k=kind, s=own_sort: records.list_page(k, actor, sort=s)))
        deep = 4950 if kind is CONTACT else 950  # page 100 of contacts, page 20 of companies: a quarter in, or less
        out.append((f'{name}s deep page by last update', lambda k=kind, deep=deep: records.list_records(
            k, actor, sort='updated', descending=True, offset=deep)))
        out.append((f'{name}s deep page by cursor by last update', lambda k=kind, deep=deep: by_cursor(
            k, actor, deep, sort='updated', descending=True)))
        term = 'zoe' if kind is CONTACT else 'zet'  # 1 record in 100
        out.append((f'{name}s matching {term!r} by cursor', lambda k=kind, q=term: by_cursor(k, actor, 20, q=q)))
        out.append((f'{name}s last page by last update', lambda k=kind: records.list_rows(
            k, actor, sort='updated', descending=True, last=True)))  # the lists' Last: the end, read backwards
        out.append((f'{name}s total', lambda k=kind: records.count_records(k, actor)))
        out.append((f'{name}s by type on the dashboard', lambda k=kind: dashboard.counts_by_type(k, actor)))
        out.append((f'{name}s of type Client', lambda k=kind: records.list_records(k, actor, type='Client')))
        # selective searches (about 1 record in 100, or fewer): 3 letters or more, 2 (word starts), 1 (name starts)
        for q in ('zoe', 'zet', 'zo', 'ze', 'z', 'p1234@example.com', 'zoe rossi', 'p1234'):
            out.append((f'{name}s matching {q!r}', lambda k=kind, q=q: records.list_records(k, actor, q=q)))
            out.append((f'{name}s matching {q!r} by name', lambda k=kind, q=q: records.list_records(
                k, actor, q=q, sort='name')))
    # terms in most contacts, read by relevance tier by tier (relevance.py): the window walked in name order, the
    # sparse tiers through an index of word starts ("com": every ".com", no word starting so). Not labelled as
    # searches: no query may read more than READ_AT_MOST of the contacts, as ranking every match would (the
    # companies a contact is found through are a search of their own, and "com" is in every company's e-mail)
    for q in ('com', 'ann'):
        out.append((f'contacts finding {q!r} by relevance{TIERS}', lambda q=q: records.list_records(
            CONTACT, actor, q=q, sort='relevance')))
    out.append(('contacts of a company', lambda: records.list_records(CONTACT, actor, company_id=team.first_company)))
    out.append(('global search', lambda: records.find(actor, 'zoe')))
    return out


# Sorting contacts by their company's name reads every visible contact: the name is in another table (and shown only
# where the caller may see that company), so no index of contacts holds that order.
READS_EVERY_ROW = {'contacts by company'}
TIERS = ', tiers'  # the label's end of the searches read by relevance tier by tier
SORTED_LISTS = ('by name', 'by updated', 'by type', 'by sector', 'by last update')  # whole lists, in an order


async def test_no_list_count_or_search_reads_a_whole_table(db, make_org):
    team = await make_org('Big', members=['Mario Member'])
    await generate(team)
    team.first_company = (await COMPANY.model.filter(org_id=team.id).order_by('id').first()).id
    assert await CONTACT.model.filter(org_id=team.id).count() == CONTACTS
    # the check itself sees a full scan: a condition no index holds
    assert await full_scans("SELECT COUNT(*) FROM contacts WHERE description = ''", [], searching=False)
    assert await full_scans('SELECT id FROM companies WHERE org_id = 1 ORDER BY description LIMIT 5', [],
                            searching=False, ordered=True)
    assert await records.count_records(CONTACT, team.member.membership) == records.counts.Total(
        await records.access.visible(CONTACT, team.member.membership).count())
    problems = []
    for label, call in cases(team):
        with Recorder() as recorder:
            await call()
        assert recorder.queries, label
        for sql, values in recorder.queries:
            scans = await full_scans(sql, values, searching='matching' in label or 'search' in label,
                                     ordered=label.endswith(SORTED_LISTS) and 'matching' not in label,
                                     tables=('contacts',) if label.endswith(TIERS) else RECORD_TABLES)
            if scans and label not in READS_EVERY_ROW:
                problems.append(f'{label}: {scans} in {sql[:300]}')
    assert not problems, '\n'.join(problems)


async def test_a_total_reads_the_callers_own_records_from_the_index_alone(db, make_org):
    """Every unfiltered total adds the caller's own records that are not public to the kept count (access.
    visible_not_public): that count must not read each of those records' rows to check that they are outside the
    trash (at 1,000,000 contacts a member has thousands), the index holds deleted_at (0034_own_records_index)."""
    team = await make_org('Big', members=['Mario Member'])
    await generate(team)
    actor = team.member.membership
    for kind in (CONTACT, COMPANY):
        with Recorder() as recorder:
            total = await records.count_records(kind, actor)
        assert total == records.counts.Total(await records.access.visible(kind, actor).count())
        own = [(sql, values) for sql, values in recorder.queries if '"created_by_id"=' in sql and 'mentions' not in sql]
        assert len(own) == 1, recorder.queries
        sql, values = own[0]
        if on_postgres():
            # PostgreSQL may serve it from (org_id, visibility, created_by_id, deleted_at) or, at this size, from the
            # partial index of records that are not open (0033) with the rest rechecked: its planner's choice
            continue
        rows = await connections.get('default').execute_query_dict(f'EXPLAIN QUERY PLAN {sql}', values)
        table = kind.model._meta.db_table
        reads = [row['detail'] for row in rows if row['detail'].startswith(f'SEARCH {table} ')]
        assert len(reads) == 1 and 'USING COVERING INDEX' in reads[0], rows


async def test_the_trash_reads_the_index_of_trashed_records_only(db, make_org):
    """The trash page's count and page read the (org_id, deleted_at) index from the first trashed record on, not
    the organization's every entry to skip those that are not trashed (its count did, at 100,000 contacts)."""
    team = await make_org('Big', members=['Mario Member'])
    actor = team.member.membership
    kept, trashed = [await records.create_record(CONTACT, actor, {'last_name': name}) for name in ('Kept', 'Gone')]
    await records.delete_record(CONTACT, actor, trashed.id)
    with Recorder() as recorder:
        page = await trash.list_trash(actor, 'contact')
    assert [r.id for r in page.items] == [trashed.id] and page.total == 1
    if on_postgres():
        return  # its planner reads a table this small whole whatever the condition
    reads = [(sql, values) for sql, values in recorder.queries if 'FROM "contacts"' in sql]
    assert len(reads) == 2, recorder.queries  # the count and the page
    for sql, values in reads:
        rows = await connections.get('default').execute_query_dict(f'EXPLAIN QUERY PLAN {sql}', values)
        assert any('deleted_at>?' in row['detail'] for row in rows), (sql, rows)
