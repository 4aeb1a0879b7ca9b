"""A page of a search by relevance, read tier by tier, so that a term found in most records costs a page, not
every match.

Relevance (search.ranked) orders the matches by tier: 0, a word of the name starts with every term; 1, a word of
any field does; 2, the rest (a term inside a word, or a contact found through its company); each tier by name, then
id. As one query the database must fetch, rank and sort every match before it can return the first 50: for a term
in every record ("com" of ".com") that is the whole organization, on each keystroke.

Here each tier is its own query in name order, asked only for the rows still missing, read one of two ways, chosen
by how many records the search index holds for the tier (counted by the index alone, no row read):
- few: through the search index, the hits sorted (what one query did, for a smaller set);
- many: the first WINDOW records in name order (read from the (org_id, sort_name) index alone), each checked, the
  page taken from those that match. At 10% density a page of 50 is in the first 500. A window that does not fill
  the page (the matches cluster later in the order: "ros" finds the Rossis, far down) is dropped and the tier read
  through the index after all, so a wrong guess costs one window, never a walk of the organization.
Either way the rows are the same: the same conditions, only the reading differs. A search with few matches
(SPARSE) is read as one query, as before.

How many records a tier holds: SQLite counts its search index's hits (FTS5) without reading a row. PostgreSQL's
trigram index cannot count without reading them (a count cost more than the tiers saved, "com" 168 → 220 ms), so
there it is the planner's estimate of the phrases (search.index_hits), good to a percent of the table, which is all
the choice needs. Two more differences on PostgreSQL: the word starts of tiers 0 and 1 are read through an index of
the words' first characters (0036_word_starts, search.starting), as pg_trgm splits words at punctuation and takes
every ".com" for a word starting "com"; and a window is the table read in name order and cut after so many rows
(`_walk`), which stops at the page's last row, so it may be larger: names clump (a hundred "barbieri marco" in a
row at 100,000 contacts), and a window a third of the tier's expected size costs, when it fails, a third of what
reading the tier through the index costs. A first tier found mostly by the first word of the name (by the
planner's estimates: "ro", Romano and Rossi) lies together in name order, where a window from the start misses it:
it is read through the index at once.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from .. import db
from . import keyset, search

SPARSE = 5000  # matches the database ranks and sorts whole in a few milliseconds
WINDOW = 2000  # records in name order a dense tier is looked for in, before the search index is used instead
LARGEST_WINDOW = 20_000  # PostgreSQL's windows, as large as a tier is expected to be, up to this


async def _walk(model, org_id: int, checked: QuerySet, place: Q, in_order: tuple[str, ...], size: int,
                wanted: int) -> list:
    """Up to `wanted` rows of `checked` in name order from the place, among the first `size` records of the
    organization there (the window). SQLite: the window's ids, read from the (org_id, sort_name) index alone.
    PostgreSQL would join such a list against the whole table, so there the window is the table itself read in
    name order from the place and cut at `size` rows, the rows checked as they come: it stops at the page's last
    row, so a large window costs only as far as the page reaches."""
    first = model.filter(Q(org_id=org_id) & place).order_by(*in_order).limit(size)
    if db.dialect() == 'sqlite':
        return await checked.filter(Q(id__in=Subquery(first.values('id')))).order_by(*in_order).limit(wanted)
    client, sql, values = db.parameterized(checked.order_by(*in_order).limit(wanted))
    _client, window_sql, window_values = db.parameterized(first)
    table = f' FROM "{model._meta.db_table}" '
    if not sql.startswith('SELECT ') or table not in sql or not window_sql.startswith('SELECT '):
        raise AssertionError(f'not a plain SELECT of {model._meta.db_table}: {sql[:200]}')
    # the window's parameters after the page's own
    window_sql = re.sub(r'\$(\d+)', lambda m: f'${int(m.group(1)) + len(values)}', window_sql)
    sql = sql.replace(table, f' FROM ({window_sql}) "{model._meta.db_table}" ', 1)
    return await client.executor_class(model=model, db=client).execute_select(sql, values + window_values)


async def _clustered(model, starts: list[str], dense_from: int, size: int, descending: bool) -> bool:
    """PostgreSQL: whether the first tier's records lie together in name order beyond a window from the start,
    which would miss them: the names whose first word starts with the term do ("ros", the Rossis, far down), too
    few have a later word starting so (Rosa) for a window to hold a page of them, and more than a window of names
    sort before them. Such a tier is read through the index at once, rather than after a window that fails."""
    if db.dialect() == 'sqlite' or len(starts) != 1:
        return False
    term = starts[0].strip()
    return await search.later_name_word_hits(model, term) < dense_from and \
        await search.names_before(model, term, descending) >= size


def tiers(query: str) -> list[Q]:
    """The condition of each tier, in relevance order (see search.ranked)."""
    in_name, in_words = search.tier_tests(query)
    return [in_name, ~in_name & in_words, ~in_name & ~in_words]


async def ranked_rows(model, query: str, *, org_id: int, plain: Callable[[], QuerySet], matching: QuerySet,
                      walking: Callable[[], QuerySet], population: Callable[[], Awaitable[int]],
                      hits: Callable[[list[str], int], Awaitable[int]], need: int,
                      descending: bool = False, after: tuple | None = None, window: int = WINDOW,
                      sparse: int = SPARSE) -> list | None:
    """Up to `need` matching rows in relevance order (reversed when `descending`), after the place `after` (a
    row's (rank, sort_name, id)) when given, each with its rank set as search.RANK. None when the search is better
    read as one query (few matches, or a term the index cannot count).

    `plain()`: the caller's visible records with the list's filters, no search; `matching`: those matching the
    search through the index; `walking()`: the same, checked row by row (search.matches(walk=True)).
    `population()`: about how many records the organization has, to judge how dense a tier is; `hits(phrases,
    cap)`: how many records the search index holds with those phrases, up to cap (search.HitCounter). `window` and
    `sparse`: WINDOW and SPARSE, for tests at a smaller scale."""
    everything, starts = search.phrases(query), search.word_starts(query)
    if not everything or starts is None or 2 * need > window:
        return None
    all_hits = await hits(everything, sparse + 1)
    if all_hits <= sparse:
        return None
    # dense: twice as many matches as a window of the organization needs to hold the page, if spread evenly
    dense_from = 2 * need * max(await population(), 1) // window
    cap = max(sparse, 2 * dense_from) + 1
    all_hits = await hits(everything, cap)
    start_hits = await hits(starts, cap)
    # tiers 0 and 1 share the word starts; the rest is the difference (exact unless the cap was reached)
    estimates = [start_hits, start_hits, all_hits - start_hits if start_hits < cap else 0]
    conditions = tiers(query)
    in_order = ('-sort_name', '-id') if descending else ('sort_name', 'id')
    rows: list = []
    for rank in [2, 1, 0] if descending else [0, 1, 2]:
        if after is not None and (rank > after[0] if descending else rank < after[0]):
            continue  # a tier before the place
        place = keyset.beyond(in_order, keyset.Cursor(tuple(after[1:]))) \
            if after is not None and rank == after[0] else Q()
        wanted = need - len(rows)
        found = None
        # PostgreSQL walks a window only as far as the page's last row, so it can be larger where names clump
        # (a hundred "barbieri marco"): a third of the tier's expected size, a third of the cost of reading the
        # tier through the index, which is what a window that fails adds
        size = window if db.dialect() == 'sqlite' else max(window, min(estimates[rank] // 3, LARGEST_WINDOW))
        if estimates[rank] >= dense_from and not (
                rank == 0 and await _clustered(model, starts, dense_from, size, descending)):
            found = await _walk(model, org_id, walking().filter(conditions[rank]), place, in_order, size, wanted)
            if len(found) < wanted:
                found = None  # the window did not hold the page: the tier's matches lie further on
        if found is None:
            source = matching if rank == 2 else search.starting(plain(), starts)
            queryset, order = search.ordered(source.filter(conditions[rank]), query, ('sort_name', 'id'), descending)
            if after is not None and rank == after[0]:
                queryset = queryset.filter(keyset.beyond(order, keyset.Cursor(tuple(after[1:]))))
            found = await queryset.limit(wanted)
        for row in found:
            setattr(row, search.RANK, str(rank))
        rows += found
        if len(rows) >= need:
            break
    return rows
