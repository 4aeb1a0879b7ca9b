"""Searches by relevance read tier by tier (models/records/relevance.py) give exactly the rows and the order of the
one ranked query, on every page, by offset and by cursor, both ways: on an organization of 20,000 contacts where
terms found in most records take the tiered reading (and a window that does not hold the page falls back)."""
from __future__ import annotations

import pytest

from models.records import relevance, search
from models.records import service as records
from models.records.tables import COMPANY, CONTACT
from tests.helpers import on_postgres
from tests.models.records.test_plans import generate

# every record ("exa", "com": inside a word of the email, tier 2), nearly every name ("ann", "anna": tier 0), a
# term inside names ("nna"), word starts of a few ("p12": one query), last names ("ros", "gal": a tenth, clustered
# in name order), a company word found in every company (contacts through their company), two terms
DENSE = ('exa', 'com', 'ann', 'nna', 'anna exa', 'impianti', 'imp')
SPARSE = ('p12', 'ros', 'gal', 'zoe', 'zeta')


async def one_query(kind, actor, q, descending, count):
    """The order of the one ranked query (search.ranked through the list's own reading), the first `count` ids."""
    matching = await records._matching(kind, actor, q, {})
    queryset, _order = records._sorted(kind, actor, matching.queryset, 'relevance', descending, q)
    return [row.id for row in await queryset.limit(count)]


@pytest.fixture
async def big(db, make_org):
    team = await make_org('Big', members=['Mario Member'])
    await generate(team)
    return team


async def test_tiered_pages_are_the_ranked_query_pages_by_offset_and_by_cursor(big):
    actor = big.member.membership
    tiered = set()
    for kind in (CONTACT, COMPANY):
        for q in DENSE + SPARSE:
            matching = await records._matching(kind, actor, q, {})
            taken = await records._ranked_by_tiers(matching, False, 50, None)
            if taken is not None:
                tiered.add((kind.name, q))
            for descending in (False, True):
                expected = await one_query(kind, actor, q, descending, 160)
                by_offset = []
                for offset in (0, 40, 80, 120):
                    page = await records.list_records(kind, actor, q=q, sort='relevance', descending=descending,
                                                      limit=40, offset=offset)
                    by_offset += [row.id for row in page.items]
                assert by_offset == expected, (kind.name, q, descending)
                pages, cursor = [], None
                for _ in range(4):
                    page = await records.list_records(kind, actor, q=q, sort='relevance', descending=descending,
                                                      limit=40, cursor=cursor)
                    pages.append([row.id for row in page.items])
                    cursor = page.next_cursor
                    if cursor is None:
                        break
                assert sum(pages, []) == expected, (kind.name, q, descending, 'by cursor')
                last = await records.list_rows(kind, actor, q=q, sort='relevance', descending=descending, limit=40,
                                               last=True)
                assert [row.id for row in last.items] == (await one_query(kind, actor, q, descending, 30_000))[-40:], \
                    (kind.name, q, descending, 'last page')
                if len(pages) >= 3 and page.previous_cursor:  # and back again, page by page
                    back = await records.list_records(kind, actor, q=q, sort='relevance', descending=descending,
                                                      limit=40, cursor=page.previous_cursor)
                    assert [row.id for row in back.items] == pages[-2], (kind.name, q, descending, 'backwards')
    # the terms found in most contacts were read by tiers, so the comparisons above compare two readings (5,000
    # companies are too few for it, and companies' words are not in contacts' own text)
    assert tiered == {('contact', q) for q in ('exa', 'com', 'ann', 'nna', 'anna exa')}


async def test_a_window_that_misses_the_page_falls_back_to_the_index(big):
    # at a smaller scale: "gal" (Gallo) is one contact in ten, dense enough for a page of 10 in a window of 400 names, but every
    # Gallo sorts after "anna bianchi", "anna colombo", ... "anna ferrari" (each a tenth): the window holds none
    actor = big.member.membership
    for q, window_holds_it in (('gal', False), ('anna gal', False), ('exa', True)):
        matching = await records._matching(CONTACT, actor, q, {})
        walked = []
        original = matching.walking
        matching.walking = lambda: walked.append(1) or original()
        rows = await records._ranked_by_tiers(matching, False, 10, None, window=400, sparse=100)
        assert rows is not None and walked, q  # a window was tried
        assert [row.id for row in rows] == await one_query(CONTACT, actor, q, False, 10), q
        assert window_holds_it == (rows[-1].sort_name < 'anna ferrari'), q


async def test_a_search_with_few_matches_stays_one_query(big):
    matching = await records._matching(CONTACT, big.member.membership, 'zoe', {})
    assert await records._ranked_by_tiers(matching, False, 50, None) is None


async def test_a_tiered_page_and_its_total_ask_the_search_index_once_per_phrase(big):
    """The page read by tiers and the total both need the index's hits for the same phrases: counted once (on
    PostgreSQL, the planner's estimate asked once per phrase)."""
    from collections import Counter

    from tortoise import connections

    actor = big.member.membership
    client, sent = connections.get('default'), []
    original = client.execute_query_dict

    async def recording(sql, values=None):
        sent.append(sql)
        return await original(sql, values)
    client.execute_query_dict = recording
    try:
        page = await records.list_records(CONTACT, actor, q='com', sort='relevance', limit=50)
    finally:
        client.execute_query_dict = original
    if on_postgres():
        counted = Counter(sql.split('LIKE ')[1] for sql in sent
                          if sql.startswith('EXPLAIN (FORMAT JSON) SELECT 1 FROM contacts WHERE'))
        assert counted == {"E'%com%'": 1, "E'% com%'": 1}, counted
    else:
        counted = Counter(sql.split('MATCH')[1].split(')')[0] for sql in sent
                          if sql.startswith('SELECT count(*) AS n FROM (SELECT rowid FROM contacts_fts'))
        assert counted == {" '\"com\"' LIMIT 12502": 1, " '\" com\"' LIMIT 12502": 1}, counted
    assert [row.id for row in page.items] == await one_query(CONTACT, actor, 'com', False, 50)
    assert (page.total, page.total_exact) == (10_000, False)


async def test_hostile_terms_read_by_tiers_are_only_text(big):
    """Terms go into the estimates' and the word starts' SQL as literals (search._literal): quotes, backslashes and
    LIKE's wildcards are text there too, read tier by tier (every search taken as dense) as by the one query."""
    from models.records.service import create_record

    actor = big.member.membership
    for last_name, emails in (("O'Brien", ["o'brien@example.com"]), ('Back\\Slash', ['x_y%z@example.com']),
                              ('Obrien', ['obrien@example.com'])):
        for n in range(3):
            await create_record(CONTACT, big.owner.membership, {'first_name': f'Anna{n}', 'last_name': last_name,
                                                                'emails': emails})
    for q in ("o'brien", "o'b", "brien o'", 'back\\slash', 'k\\s', 'x_y%z', '%', "' OR '1'='1", '\\'):
        matching = await records._matching(CONTACT, actor, q, {})
        rows = await records._ranked_by_tiers(matching, False, 10, None, window=20, sparse=0)
        expected = await one_query(CONTACT, actor, q, False, 10)
        assert rows is None or [row.id for row in rows] == expected, q
        if q in ("o'brien", 'back\\slash', 'x_y%z'):
            assert rows is not None and len(rows) == 3, q
