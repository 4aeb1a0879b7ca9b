"""The database's plan of each query of the duplicates scan on an organization of 20,000 contacts and 5,000 companies:
none reads a whole table of records, keys or kept counts (the scan reads the ready groups and their holders through
indexes, not every key and name of the organization). The queries are those the scan really sends."""
from __future__ import annotations

from tortoise import connections

from models.duplicates.detection import scan
from models.records.tables import COMPANY, CONTACT
from tests.models.records.test_plans import RECORD_TABLES, Recorder, full_scans
from tests.models.records.test_plans import generate as generate_records

TABLES = (*RECORD_TABLES, 'record_keys', 'duplicate_keys')


async def generate(team) -> None:
    """test_plans' organization (one record in ten private, one in fifty in the trash, mentions of the member and
    the owner), with names unique but for one record in fifty (companies in threes; contacts in large groups, shared
    values that make no pairs), and an email each: one contact in fifty shares its with two others, and one phone is
    the switchboard of 30 contacts."""
    await generate_records(team)
    client = connections.get('default')
    org = team.id
    await client.execute_script(f"UPDATE contacts SET sort_name = sort_name || ' ' || id "
                                f'WHERE org_id = {org} AND id % 50 <> 7')
    await client.execute_script(f"UPDATE companies SET sort_name = 'shared ' || (id / 150) "
                                f'WHERE org_id = {org} AND id % 50 = 7')
    await client.execute_script(
        "INSERT INTO record_keys (org_id, kind, value, contact_id) SELECT org_id, 'email', CASE WHEN id % 50 = 25 "
        "THEN 'shared' || (id / 150) || '@example.com' ELSE 'p' || id || '@example.com' END, id FROM contacts "
        f"WHERE org_id = {org}")
    await client.execute_script(
        "INSERT INTO record_keys (org_id, kind, value, contact_id) SELECT org_id, 'phone', '+390200000000', id "
        f'FROM contacts WHERE org_id = {org} AND id % 667 = 0')
    await client.execute_script(
        "INSERT INTO record_keys (org_id, kind, value, company_id) SELECT org_id, 'email', 'c' || id || "
        f"'@example.com', id FROM companies WHERE org_id = {org}")
    await client.execute_script('ANALYZE')


async def test_the_scan_reads_no_whole_table(db, make_org):
    team = await make_org('Big', members=['Mario Member'])
    await generate(team)
    actor = team.member.membership
    problems = []
    for kind in (CONTACT, COMPANY):
        with Recorder() as recorder:
            page = await scan(actor, kind.name)
        assert page.total and page.items, kind.name
        assert recorder.queries
        for sql, values in recorder.queries:
            scans = await full_scans(sql, values, searching=False, tables=TABLES)
            if scans:
                problems.append(f'{kind.name}s: {scans} in {sql[:400]}')
    assert not problems, '\n'.join(problems)
    contacts = await scan(actor, 'contact')
    assert contacts.common_values >= 1, 'the switchboard, and names shared by more than PAIRS_PER_VALUE_MAX'
