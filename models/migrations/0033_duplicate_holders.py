"""The ids of the records holding each value, kept beside its count in duplicate_keys (`ids`), so the duplicates
scan reads a ready group's holders with the group, from one row, instead of looking each one up through the keys'
index and their rows (at 100,000 contacts, about 4,000 lookups: most of the scan's time).

`ids` is the holders' ids as text, each followed by a comma and the first preceded by one (",12,40,"), in no
particular order, an id as many times as the record holds the value (a count is of rows, not records). It is kept
while the value has at most IDS_MAX holders and is NULL above (a switchboard number, an info@ address, a very common
name: a value written with every import would otherwise grow with each row, and the scan reads such rare values'
holders through the indexes instead). Same triggers as 0027_duplicate_keys, every path writing a record or its keys
keeps it in its own transaction:

- SQLite (row triggers): a holder added appends its id, one taken away removes one occurrence of it; a value falling
  back to IDS_MAX holders reads its holders again from the keys or records (through their index, IDS_MAX rows).
- PostgreSQL (statement triggers over transition tables): an insert appends the statement's ids to each value's; a
  deletion or an update reads each changed value's holders again (through the same indexes), which is exact for any
  mix of rows a statement moves (a key re-pointed from one record to another leaves the count as it was and changes
  the ids). The values a statement leaves with no holder are deleted at once, not rewritten first, and the functions
  run with a work_mem that holds an import's values (at the default, grouping an undo's 200,000 keys spilled to
  disk).

And per record table a partial index of the records that are not open (private, or in the trash: access.NOT_OPEN,
the same condition word for word), their ids alone: the scan reads which holders it must ask the gate about from
it, without a row of the table (PostgreSQL read ~5,000 pages for the ids of 10,000 private contacts). It is
written only for those records.
"""
import importlib

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

NOT_OPEN = "(visibility <> 'public' OR deleted_at IS NOT NULL)"  # access.NOT_OPEN as it was made
RECORD_TABLES = ('contacts', 'companies')
IDS_MAX = 50  # models/duplicates/detection.py reads the holders of a value with more through the indexes

base = importlib.import_module('models.migrations.0027_duplicate_keys')
COLUMNS, SOURCES, Source = base.COLUMNS, base.SOURCES, base.Source


def holder(source: Source, r: str) -> str:
    """The id of the record a row of the source (`r`) holds the value for."""
    return f'coalesce({r}.contact_id, {r}.company_id)' if source.table == 'record_keys' else f'{r}.id'


def holders_of(source: Source, d: str, postgres: bool) -> str:
    """The ids text of the value of the duplicate_keys row `d`, read again from the source through its index."""
    p = source.part('s')
    each = f'{holder(source, "s")}::text' if postgres else holder(source, 's')
    joined = f"string_agg({each}, ',')" if postgres else f"group_concat({each}, ',')"
    if source.table == 'record_keys':
        where = f"s.org_id = {d}.org_id AND s.kind = {d}.kind AND s.value = {d}.value AND {p['record']} = {d}.record"
    else:
        where = f's.org_id = {d}.org_id AND s.sort_name = {d}.value'
    return f"(SELECT ',' || {joined} || ',' FROM {source.table} s WHERE {where} AND {p['holds']})"


def sqlite_forward() -> list[str]:
    statements = []
    for source in SOURCES:
        new, old = source.part('NEW'), source.part('OLD')
        again = holders_of(source, 'duplicate_keys', postgres=False)
        add = (f"INSERT INTO duplicate_keys ({COLUMNS}, holders, ids) SELECT NEW.org_id, {new['record']}, "
               f"{new['kind']}, {new['value']}, 1, ',' || {holder(source, 'NEW')} || ',' WHERE {new['holds']} "
               f'ON CONFLICT ({COLUMNS}) DO UPDATE SET holders = duplicate_keys.holders + 1, '
               f'ids = CASE WHEN duplicate_keys.holders + 1 > {IDS_MAX} THEN NULL '
               f'WHEN duplicate_keys.ids IS NULL THEN {again} '
               f'ELSE duplicate_keys.ids || substr(excluded.ids, 2) END;')
        where = (f"org_id = OLD.org_id AND record = {old['record']} AND kind = {old['kind']} "
                 f"AND value = {old['value']}")
        needle = f"(',' || {holder(source, 'OLD')} || ',')"
        at = f'instr(ids, {needle})'
        take = (f'UPDATE duplicate_keys SET holders = holders - 1, '
                f'ids = CASE WHEN holders - 1 > {IDS_MAX} OR holders - 1 <= 0 THEN NULL '
                f'WHEN ids IS NULL OR {at} = 0 THEN {again} '
                f'ELSE substr(ids, 1, {at}) || substr(ids, {at} + length({needle})) END '
                f"WHERE {where} AND {old['holds']}; "
                f'DELETE FROM duplicate_keys WHERE {where} AND holders <= 0;')
        changed = ' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in source.columns)
        statements += [
            f'DROP TRIGGER IF EXISTS duplicate_keys_{source.table}_{event}' for event in ('insert', 'update', 'delete')
        ]
        statements += [
            f'CREATE TRIGGER duplicate_keys_{source.table}_insert AFTER INSERT ON {source.table} BEGIN {add} END',
            f'CREATE TRIGGER duplicate_keys_{source.table}_delete AFTER DELETE ON {source.table} BEGIN {take} END',
            f'CREATE TRIGGER duplicate_keys_{source.table}_update AFTER UPDATE OF {", ".join(source.columns)} '
            f'ON {source.table} WHEN {changed} BEGIN {take} {add} END',
        ]
    return statements


def _same(alias: str, other: str) -> str:
    return ' AND '.join(f'{alias}.{c} = {other}.{c}' for c in COLUMNS.split(', '))


def _postgres_function(source: Source) -> str:
    """0027's function, with the ids: appended on an insert, read again for each value a deletion or an update
    changed."""
    again = holders_of(source, 'd', postgres=True)

    def rows(table: str, r: str, delta: int) -> str:
        return source.select(table, r, f', {holder(source, r)} AS holder, {delta} AS delta')

    added, taken = rows('new_rows', 'n', 1), rows('old_rows', 'o', -1)
    inserted = (f"SELECT {COLUMNS}, count(*) AS n, ',' || string_agg(holder::text, ',') || ',' AS ids "
                f'FROM ({added}) k GROUP BY {COLUMNS}')
    # each (value, holder) moved by the statement, and its net change (a row updated in place nets to nothing)
    moved = (f'SELECT {COLUMNS}, holder, sum(delta) AS n FROM ({{parts}}) k GROUP BY {COLUMNS}, holder '
             f'HAVING sum(delta) <> 0')
    # each value moved, with the net change of its count (possibly 0: a key re-pointed to another record)
    values = f'SELECT {COLUMNS}, sum(n) AS n FROM ({moved}) m GROUP BY {COLUMNS}'
    deleted, updated = values.format(parts=taken), values.format(parts=f'{added} UNION ALL {taken}')

    def takes(changes: str) -> str:
        """The values the statement brings to no holder deleted at once (not rewritten first: an import's undo
        would write 200,000 rows for nothing), then the others' counts lowered and ids read again, one row version
        per value. In an update the values whose count grew were added before: their ids are read again here too
        (a row whose ids are not kept and stay so is left alone)."""
        count = 'd.holders + least(g.n, 0)'
        returned = ', '.join(f'd.{c}' for c in COLUMNS.split(', '))
        return (f'WITH g AS MATERIALIZED ({changes}),\n'
                f"                gone AS (DELETE FROM duplicate_keys d USING g WHERE {_same('d', 'g')} "
                f'AND g.n < 0 AND d.holders + g.n <= 0 RETURNING {returned}),\n'
                f'                rest AS MATERIALIZED (SELECT * FROM g WHERE NOT EXISTS '
                f"(SELECT FROM gone WHERE {_same('gone', 'g')}))\n"
                f'            UPDATE duplicate_keys d SET holders = {count}, ids = CASE WHEN {count} > {IDS_MAX} '
                f"THEN NULL ELSE {again} END FROM rest g WHERE {_same('d', 'g')} "
                f'AND (g.n < 0 OR d.holders <= {IDS_MAX} OR d.ids IS NOT NULL);')

    # the work_mem that holds an import's 200,000 values in memory (the default spills the grouping to disk)
    return f"""CREATE OR REPLACE FUNCTION duplicate_keys_{source.table}() RETURNS trigger SET work_mem = '64MB' AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO duplicate_keys ({COLUMNS}, holders, ids)
                SELECT {COLUMNS}, n, CASE WHEN n > {IDS_MAX} THEN NULL ELSE ids END FROM ({inserted}) g
                ORDER BY {COLUMNS}
                ON CONFLICT ({COLUMNS}) DO UPDATE SET holders = duplicate_keys.holders + EXCLUDED.holders,
                ids = CASE WHEN duplicate_keys.holders + EXCLUDED.holders > {IDS_MAX} THEN NULL
                    ELSE duplicate_keys.ids || substr(EXCLUDED.ids, 2) END;
        ELSIF TG_OP = 'DELETE' THEN
            {takes(deleted)}
        ELSE
            INSERT INTO duplicate_keys ({COLUMNS}, holders) SELECT {COLUMNS}, n FROM ({updated}) g WHERE n > 0
                ORDER BY {COLUMNS}
                ON CONFLICT ({COLUMNS}) DO UPDATE SET holders = duplicate_keys.holders + EXCLUDED.holders;
            {takes(updated)}
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql"""


async def forward(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == 'postgres'
    for source in SOURCES:  # the holders of the values saved before
        kinds = "kind <> 'name'" if source.table == 'record_keys' else \
            f"kind = 'name' AND record = '{'contact' if source.table == 'contacts' else 'company'}'"
        await client.execute_script(f'UPDATE duplicate_keys SET ids = {holders_of(source, "duplicate_keys", postgres)} '
                                    f'WHERE {kinds} AND holders <= {IDS_MAX}')
    for statement in [_postgres_function(s) for s in SOURCES] if postgres else sqlite_forward():
        await client.execute_script(statement)
    for table in RECORD_TABLES:
        await client.execute_script(f'CREATE INDEX {table}_not_open ON {table} (org_id, id) WHERE {NOT_OPEN}')


async def backward(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == 'postgres':
        statements = [base._postgres_function(s) for s in SOURCES]  # the triggers call the functions by name
    else:
        statements = [*base.backward_statements(False)[:-1], *base.sqlite_forward()]  # the index stays
    for statement in [*statements, *(f'DROP INDEX IF EXISTS {table}_not_open' for table in RECORD_TABLES)]:
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0032_dav_mentions_statement')]

    initial = False

    operations = [
        ops.AddField(
            model_name='DuplicateKey',
            name='ids',
            field=fields.TextField(null=True),
        ),
        ops.RunPython(forward, backward),
    ]
