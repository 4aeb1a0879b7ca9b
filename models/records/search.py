"""Search over names, emails, PEC, phones and VAT numbers: one function for every list, always behind the gate.

Each record keeps a folded `search_text` (written when it is saved); a query matches when each of its
words is found in it, anywhere (so "ros" finds "Rossi", and also "Barossi", ranked after). Phone numbers are
kept as digits in their international and national forms, so "02 1234 5678", "+39 02 1234 5678",
"390212345678" and any run of 3 or more of those digits all find the same number.

The database does the finding through an index over `search_text`, built by migration 0006_search:
- SQLite: an FTS5 table with the trigram tokenizer per kind (`contacts_fts`, `companies_fts`), an external
  content table kept in sync by triggers; a term of 3 or more characters is a trigram phrase match.
- PostgreSQL: a GIN trigram index (pg_trgm) on `search_text`, which serves `LIKE '%term%'`.
  And a GIN index of each word's first 3 characters (0036_word_starts), for the word starts of a search by
  relevance (`starting`, relevance.py): pg_trgm splits words at punctuation, so " com" finds every ".com".
A term of 2 characters must start a word of the name; the index finds the words starting with it (every word of
the search text follows a space, and " ma" is a trigram). A single character must start the name itself.

`apply` narrows a queryset that is already gated (access.visible / kiosk_visible); `ranked` orders by
relevance: the name starting with the words first, then a word of any field starting with them, then the rest,
each tier by name. `service.find` is the global search over both kinds.
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from contextlib import asynccontextmanager

import phonenumbers
from tortoise import connections
from tortoise.expressions import Case, Q, RawSQL, When

from ..text import digits, fold

_PHONE_LIKE = re.compile(r'^[\d\s+\-().\/]+$')
MIN_PHONE_DIGITS = 3
MIN_TRIGRAM = 3  # the shortest term the trigram indexes can find
MAX_QUERY = 200  # characters of a query that are looked at
MAX_TERMS = 8
FTS_TABLES = {'contacts': 'contacts_fts', 'companies': 'companies_fts'}
RANK = 'search_rank'
ORDER_ALIAS = 'search_order_'  # before a column's name: an expression equal to it, see `ordered`
WORD_STARTS = 'rubrica_word_starts'  # PostgreSQL: the first 3 characters of each word of a text (0036_word_starts)
WORD_STARTS_ALIAS = 'search_word_starts_'


def _phone_forms(e164: str) -> list[str]:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return [digits(e164)]
    national = digits(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    return list(dict.fromkeys([digits(e164), national]))


def document(record) -> str:
    """The folded text a record is found by: its name words first, then emails, PEC, VAT and phones, each after a
    space (the first one too)."""
    names = [getattr(record, name, '') for name in ('first_name', 'last_name', 'name')]
    words = [fold(n) for n in names if n]
    words += [fold(e) for e in record.emails]
    if record.pec:
        words.append(fold(record.pec))
    if record.vat_number:
        words.append(record.vat_number.lower())
    for phone in record.phones:
        words += _phone_forms(phone)
    return ''.join(f' {word}' for word in words)  # a space before every word: " ma" finds the words starting "ma"


def _printable(text: str) -> str:
    return ''.join(c for c in text if unicodedata.category(c)[0] != 'C')


def terms(query: str) -> list[str]:
    """A phone-looking query is one run of digits; anything else is its folded words (at most MAX_TERMS)."""
    query = _printable((query or '')[:MAX_QUERY]).strip()
    if _PHONE_LIKE.match(query) and len(digits(query)) >= MIN_PHONE_DIGITS:
        return [digits(query)]
    return list(dict.fromkeys(fold(query).split()))[:MAX_TERMS]


def _table(queryset) -> str:
    return queryset.model._meta.db_table


def _dialect(model_or_queryset) -> str:
    model = getattr(model_or_queryset, 'model', model_or_queryset)
    return connections.get(model._meta.default_connection or 'default').capabilities.dialect


def _fts_phrase(term: str) -> str:
    """A term as an FTS5 phrase inside an SQL string literal: both kinds of quote doubled, nothing else special."""
    return '"' + term.replace('"', '""').replace("'", "''") + '"'


def _name_start(term: str) -> Q:
    """The (folded) name starts with the term: a range on the (org_id, sort_name) index, and LIKE to be exact
    whatever the column's collation."""
    upper = term[:-1] + chr(min(ord(term[-1]) + 1, sys.maxunicode))
    return Q(sort_name__gte=term, sort_name__lt=upper, sort_name__startswith=term)


def _name_word_start(term: str) -> Q:
    """The (folded) name has a word starting with the term."""
    return Q(sort_name__startswith=term) | Q(sort_name__contains=f' {term}')


def _any_word_start(term: str) -> Q:
    return Q(search_text__startswith=term) | Q(search_text__contains=f' {term}')


def finds_anywhere(query: str) -> bool:
    """Whether the query has a term the index finds anywhere in a record's text (not only at a word's start)."""
    return any(len(t) >= MIN_TRIGRAM for t in terms(query))


def matches(model, query: str, *, walk: bool = False, first_hits: int | None = None) -> Q | None:
    """The condition a record of this table meets when it matches every term of the query, through the search
    index; None for a query without terms (everything matches).

    A term of 3 characters or more is found anywhere in the record's search text. A term of 2 starts a word of
    the name ("ma" finds Marco Rossi and Anna Mancini): the index finds the words starting with it (the search
    text has a space before every word, and " ma" is a trigram), the name check keeps the name's words. A single
    character has no trigram: it starts a word of the name, and when the query has nothing longer the name
    itself starts with it, so that the (org_id, sort_name) index finds the rows.

    `walk`: the same rows, checked one by one as they are read (LIKE on the text) instead of looked up in the
    search index: cheaper when most rows match and only the first few in name order are wanted (relevance.py).
    `first_hits`: on SQLite, only among the search index's first hits (in id order); see service._search_total.
    """
    found = terms(query)
    if not found:
        return None
    condition = Q(*(_name_word_start(t) for t in found if len(t) < MIN_TRIGRAM))
    indexed = _indexed(found)
    if not indexed:
        return condition & _name_start(found[0])
    if walk:
        return condition & Q(*(Q(search_text__contains=t) for t in indexed))
    # SQLite: the FTS5 table; PostgreSQL: LIKE '%term%', served by the GIN trigram index
    return condition & holding(model, indexed, first_hits=first_hits)


def _indexed(found: list[str]) -> list[str]:
    """The phrases the index looks up for these terms: a term of 3 characters or more as it is, one of 2 as the
    start of a word."""
    return [t if len(t) >= MIN_TRIGRAM else f' {t}' for t in found if len(t) >= MIN_TRIGRAM - 1]


def phrases(query: str) -> list[str]:
    """The phrases the search index looks up for a query (none when every term is a single character)."""
    return _indexed(terms(query))


def word_starts(query: str) -> list[str] | None:
    """The phrases of the records where a word starts with every term (each term after a space), or None when a
    term is too short for the index (a single character)."""
    found = terms(query)
    if not found or any(len(t) < MIN_TRIGRAM - 1 for t in found):
        return None
    return [f' {t}' for t in found]


def holding(model, phrases: list[str], *, first_hits: int | None = None) -> Q:
    """The records whose search text holds every phrase, through the search index (on SQLite only among its
    `first_hits` first hits, when given)."""
    table = model._meta.db_table
    if table in FTS_TABLES and _dialect(model) == 'sqlite':
        match = ' '.join(_fts_phrase(p) for p in phrases)
        fts = FTS_TABLES[table]
        first = '' if first_hits is None else f' LIMIT {int(first_hits)}'
        return Q(id__in=RawSQL(f"(SELECT rowid FROM {fts} WHERE {fts} MATCH '{match}'{first})"))
    return Q(*(Q(search_text__contains=p) for p in phrases))


def _literal(text: str) -> str:
    """Text as a PostgreSQL string literal, an escape string (E'...'): its backslashes mean the same whatever the
    server's standard_conforming_strings."""
    return "E'" + text.replace('\\', '\\\\').replace("'", "''") + "'"


def starting(queryset, phrases: list[str]):
    """The records of a queryset where a word starts with each phrase (a term after a space), through an index that
    finds a word's start: SQLite's search index (FTS5 keeps the space); on PostgreSQL the index of the words' first
    3 characters (0036_word_starts), as the trigram index takes ".com" for a word " com" and hands over every
    record. A superset for terms longer than 3 characters: the caller's conditions check the whole phrase."""
    prefixes = sorted({p.strip()[:MIN_TRIGRAM] for p in phrases if len(p.strip()) >= MIN_TRIGRAM})
    if _dialect(queryset) != 'postgres' or not prefixes:
        return queryset.filter(holding(queryset.model, phrases))
    array = ', '.join(_literal(p) for p in prefixes)
    # a condition on the indexed expression itself (a subquery of ids would be joined row by row, not drive)
    return queryset.annotate(**{WORD_STARTS_ALIAS: RawSQL(
        f'{WORD_STARTS}("{_table(queryset)}"."search_text") @> ARRAY[{array}]::text[]')}).filter(
        **{WORD_STARTS_ALIAS: True})


def _like(before: str, text: str, after: str = '%') -> str:
    """A LIKE pattern as a literal: the text as it is (its wildcards and backslashes escaped) between the two."""
    return _literal(before + re.sub(r'([\\%_])', r'\\\1', text) + after)


async def _planned_rows(model, condition: str) -> int:
    """PostgreSQL: how many rows of the table the planner expects to meet the condition (no row read)."""
    client = connections.get(model._meta.default_connection or 'default')
    rows = await client.execute_query_dict(
        f'EXPLAIN (FORMAT JSON) SELECT 1 FROM {model._meta.db_table} WHERE {condition}')
    plan = rows[0]['QUERY PLAN']
    return int((json.loads(plan) if isinstance(plan, str) else plan)[0]['Plan']['Plan Rows'])


async def later_name_word_hits(model, term: str) -> int:
    """PostgreSQL: about how many records have a word of the name that starts with the term after the first, by
    the planner's estimate (the names whose first word does lie together in name order)."""
    return await _planned_rows(model, f"sort_name LIKE {_like('% ', term)}")


async def names_before(model, term: str, descending: bool = False) -> int:
    """PostgreSQL: about how many records' names sort before those starting with the term (after them,
    `descending`), by the planner's estimate."""
    upper = term[:-1] + chr(min(ord(term[-1]) + 1, sys.maxunicode))
    return await _planned_rows(model, f'sort_name >= {_literal(upper)}' if descending
                                      else f'sort_name < {_literal(term)}')


async def index_hits(model, phrases: list[str], cap: int) -> int:
    """How many records of the table (all organizations, the trash too) hold every phrase, up to `cap`. SQLite:
    counted by the search index alone, no row read. PostgreSQL's trigram index cannot count without reading the
    rows: there it is the planner's estimate (from its statistics of the column, no row read), good to a percent
    or so of the table, which is all the choice of a reading needs (relevance.py)."""
    client = connections.get(model._meta.default_connection or 'default')
    if client.capabilities.dialect == 'postgres':
        like = ' AND '.join(f"search_text LIKE {_like('%', p)}" for p in phrases)
        return min(await _planned_rows(model, like), cap)
    match = ' '.join(_fts_phrase(p) for p in phrases)
    fts = FTS_TABLES[model._meta.db_table]
    rows = await client.execute_query_dict(
        f"SELECT count(*) AS n FROM (SELECT rowid FROM {fts} WHERE {fts} MATCH '{match}' LIMIT {int(cap)})")
    return rows[0]['n']


class HitCounter:
    """`index_hits` for one request: each set of phrases counted once, up to the largest cap asked so far (or
    `at_least`), since a page read by tiers and its total ask the index about the same phrases."""

    def __init__(self, model, at_least: int = 0) -> None:
        self.model, self.at_least = model, at_least
        self.counted: dict[tuple[str, ...], tuple[int, int]] = {}  # phrases -> (hits, the cap they were counted to)

    async def __call__(self, phrases: list[str], cap: int) -> int:
        hits, counted_to = self.counted.get(tuple(phrases), (0, 0))
        if hits == counted_to < cap:  # never counted, or stopped at a lower cap
            counted_to = max(cap, self.at_least)
            hits = await index_hits(self.model, phrases, counted_to)
            self.counted[tuple(phrases)] = (hits, counted_to)
        return min(hits, cap)


def apply(queryset, query: str):
    """Narrow a (gated) queryset to the records matching every term of the query (see `matches`)."""
    condition = matches(queryset.model, query)
    return queryset if condition is None else queryset.filter(condition)


@asynccontextmanager
async def indexed_in_bulk(connection, table: str, first_id: int, last_id: int):
    """Inside a transaction, rows inserted in the block with ids first_id..last_id are indexed at its end with one
    statement instead of one trigger run per row (a 100,000-row import saves seconds). SQLite only: the insert
    triggers skip rows while `search_index_deferred` has one (migration 0009); PostgreSQL's index needs nothing."""
    if connection.capabilities.dialect != 'sqlite' or table not in FTS_TABLES:
        yield
        return
    # execute_query, not execute_script: sqlite3's executescript commits the open transaction first
    await connection.execute_query('INSERT INTO search_index_deferred DEFAULT VALUES')
    yield
    await connection.execute_query(f'INSERT INTO {FTS_TABLES[table]}(rowid, search_text) SELECT id, search_text '
                                   f'FROM {table} WHERE id BETWEEN ? AND ?', [first_id, last_id])
    await connection.execute_query('DELETE FROM search_index_deferred')


def tier_tests(query: str) -> tuple[Q, Q] | None:
    """What places a match in the first two relevance tiers: a word of the name starts with every term (rank 0),
    a word of any field does (rank 1); the rest is rank 2. None for a query without terms."""
    found = terms(query)
    if not found:
        return None
    return Q(*(_name_word_start(t) for t in found)), Q(*(_any_word_start(t) for t in found))


def ranked(queryset, query: str, descending: bool = False):
    """Best hits first: the name has a word starting with every term (rank 0), else some word of any field does
    (rank 1), else a term is found inside a word (rank 2); each rank by name. Without terms: by name.
    Returns the queryset in that order and the order itself (columns, '-' before a descending one)."""
    order = ('sort_name', 'id')
    tests = tier_tests(query)
    if tests is not None:
        in_name, in_words = tests
        # ranks as text: PostgreSQL types an untyped CASE result as text, and '0' < '1' < '2' either way
        queryset = queryset.annotate(**{RANK: Case(When(in_name, then='0'), When(in_words, then='1'), default='2')})
        order = (RANK, *order)
    order = tuple(f'-{column}' if descending else column for column in order)
    return queryset.order_by(*order), order


_NOT_AN_INDEX = {'updated_at': " + interval '0 second'"}  # the same value, but an expression no index provides
_TEXT_NOT_AN_INDEX = " || ''"


def ordered(queryset, query: str, columns: tuple[str, ...], descending: bool = False, *,
            first: tuple[str, ...] = ()):
    """Order a search's results by the given columns (name, last update, ...), after the `first` columns, which
    are always ascending (a list puts its blanks last whichever the direction).

    On PostgreSQL, while a term is searched through the trigram index (2 characters or more), the order is taken on
    expressions equal to the columns: otherwise the planner walks the (org_id, sort_name) index in order, filtering
    row by row, on the assumption that matches are spread evenly, and a term whose first match sorts late ("ros":
    Rossi) reads most of the table. On the expressions it takes the matches from the trigram index and sorts those.
    Returns the queryset in that order and the order itself (columns, '-' before a descending one).
    """
    if any(len(t) >= MIN_TRIGRAM - 1 for t in terms(query)) and _dialect(queryset) == 'postgres':
        table = _table(queryset)
        db_columns = set(queryset.model._meta.fields_db_projection.values())
        renamed = []
        for column in columns:
            if column in db_columns and column != 'id':
                alias = f'{ORDER_ALIAS}{column}'  # keyset.py reads the column back from it
                suffix = _NOT_AN_INDEX.get(column, _TEXT_NOT_AN_INDEX)
                queryset = queryset.annotate(**{alias: RawSQL(f'"{table}"."{column}"{suffix}')})
                column = alias
            renamed.append(column)
        columns = tuple(renamed)
    order = (*first, *(f'-{column}' if descending else column for column in columns))
    return queryset.order_by(*order), order
