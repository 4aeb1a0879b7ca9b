"""How many records of each kind hold each value (duplicate_keys), kept by triggers, so that the duplicates scan reads
the values held more than once (the ready groups) through an index instead of counting every key and name of the
organization on each scan; every path that writes a record or its keys (a save, a bulk change, an import and its
undo, a merge and its undo, a copy, the trash, a deletion, an organization's cascade, CardDAV) moves the counts in
its own transaction without knowing of them.

The values are those the scan compares: each RecordKey row (email, PEC, phone, VAT number) under its record's kind,
and each record's folded name (`sort_name`, when not empty) under the kind 'name'. Every row counts, in the trash or
not, private or not: the scan keeps, of each group, the records the caller may see. A count that falls to zero
takes its row away, so the table holds only the values some record has.

SQLite: row triggers. PostgreSQL: statement triggers with transition tables, a grouped change per statement (as in
0026_record_counters): what a statement adds is inserted or added in one upsert (in a fixed order, so two writers
take the rows' locks in the same order), what it takes away is subtracted and the rows left at zero deleted.
"""
from dataclasses import dataclass

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

COLUMNS = 'org_id, record, kind, value'
# the ready groups, what the scan reads (index alone): small, and written only when a value passes the threshold
READY_INDEX = f'CREATE INDEX duplicate_keys_ready ON duplicate_keys ({COLUMNS}) WHERE holders > 1'


@dataclass(frozen=True)
class Source:
    """A table whose rows hold the values counted: how one of its rows (`{r}`: NEW, OLD or an alias) names its
    record kind, value kind and value, when it holds one, and the columns whose change moves it."""
    table: str
    record: str
    kind: str
    value: str
    holds: str
    columns: tuple[str, ...]

    def part(self, r: str) -> dict[str, str]:
        return {name: getattr(self, name).format(r=r) for name in ('record', 'kind', 'value', 'holds')}

    def select(self, table: str, r: str, extra: str = '') -> str:
        """Its rows' values as (org_id, record, kind, value[, extra]) rows."""
        p = self.part(r)
        return (f"SELECT {r}.org_id AS org_id, {p['record']} AS record, {p['kind']} AS kind, {p['value']} AS value"
                f"{extra} FROM {table} {r} WHERE {p['holds']}")


SOURCES = (
    Source('record_keys', record="CASE WHEN {r}.contact_id IS NOT NULL THEN 'contact' ELSE 'company' END",
           kind='{r}.kind', value='{r}.value', holds='({r}.contact_id IS NOT NULL OR {r}.company_id IS NOT NULL)',
           columns=('org_id', 'kind', 'value', 'contact_id', 'company_id')),
    *(Source(table, record=f"'{kind}'", kind="'name'", value='{r}.sort_name', holds="{r}.sort_name <> ''",
             columns=('org_id', 'sort_name')) for kind, table in (('contact', 'contacts'), ('company', 'companies'))),
)


def _same(alias: str, other: str) -> str:
    return ' AND '.join(f'{alias}.{c} = {other}.{c}' for c in COLUMNS.split(', '))


def sqlite_forward() -> list[str]:
    statements = []
    for source in SOURCES:
        new, old = source.part('NEW'), source.part('OLD')
        add = (f"INSERT INTO duplicate_keys ({COLUMNS}, holders) SELECT NEW.org_id, {new['record']}, {new['kind']}, "
               f"{new['value']}, 1 WHERE {new['holds']} ON CONFLICT ({COLUMNS}) "
               f'DO UPDATE SET holders = duplicate_keys.holders + 1;')
        where = (f"org_id = OLD.org_id AND record = {old['record']} AND kind = {old['kind']} "
                 f"AND value = {old['value']}")
        take = (f"UPDATE duplicate_keys SET holders = holders - 1 WHERE {where} AND {old['holds']}; "
                f'DELETE FROM duplicate_keys WHERE {where} AND holders <= 0;')
        changed = ' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in source.columns)
        statements += [
            f'CREATE TRIGGER duplicate_keys_{source.table}_insert AFTER INSERT ON {source.table} BEGIN {add} END',
            f'CREATE TRIGGER duplicate_keys_{source.table}_delete AFTER DELETE ON {source.table} BEGIN {take} END',
            f'CREATE TRIGGER duplicate_keys_{source.table}_update AFTER UPDATE OF {", ".join(source.columns)} '
            f'ON {source.table} WHEN {changed} BEGIN {take} {add} END',
        ]
    return statements


def _postgres_function(source: Source) -> str:
    def net(*parts: str) -> str:
        return (f"SELECT {COLUMNS}, sum(delta) AS n FROM ({' UNION ALL '.join(parts)}) k "
                f'GROUP BY {COLUMNS} HAVING sum(delta) <> 0')

    def apply(changes: str, *, adds: bool = True, takes: bool = True) -> str:
        statements = []
        if adds:
            statements.append(
                f'INSERT INTO duplicate_keys ({COLUMNS}, holders) SELECT {COLUMNS}, n FROM ({changes}) g WHERE n > 0 '
                f'ORDER BY {COLUMNS} ON CONFLICT ({COLUMNS}) DO UPDATE SET holders = duplicate_keys.holders + '
                f'EXCLUDED.holders;')
        if takes:
            statements += [f'UPDATE duplicate_keys d SET holders = d.holders + g.n FROM ({changes}) g '
                           f"WHERE {_same('d', 'g')} AND g.n < 0;",
                           f'DELETE FROM duplicate_keys d USING ({changes}) g '
                           f"WHERE {_same('d', 'g')} AND g.n < 0 AND d.holders <= 0;"]
        return '\n            '.join(statements)

    added, taken = source.select('new_rows', 'n', ', 1 AS delta'), source.select('old_rows', 'o', ', -1 AS delta')
    return f"""CREATE OR REPLACE FUNCTION duplicate_keys_{source.table}() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {apply(net(added), takes=False)}
        ELSIF TG_OP = 'DELETE' THEN
            {apply(net(taken), adds=False)}
        ELSE
            {apply(net(added, taken))}
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql"""


def postgres_forward() -> list[str]:
    statements = []
    for source in SOURCES:
        function, table = f'duplicate_keys_{source.table}()', source.table
        statements += [
            _postgres_function(source),
            f'CREATE TRIGGER duplicate_keys_{table}_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows '
            f'FOR EACH STATEMENT EXECUTE FUNCTION {function}',
            f'CREATE TRIGGER duplicate_keys_{table}_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows '
            f'FOR EACH STATEMENT EXECUTE FUNCTION {function}',
            f'CREATE TRIGGER duplicate_keys_{table}_update AFTER UPDATE ON {table} '
            f'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}',
        ]
    return statements


def backward_statements(postgres: bool) -> list[str]:
    statements = [f'DROP TRIGGER IF EXISTS duplicate_keys_{s.table}_{event}' + (f' ON {s.table}' if postgres else '')
                  for s in SOURCES for event in ('insert', 'update', 'delete')]
    if postgres:
        statements += [f'DROP FUNCTION IF EXISTS duplicate_keys_{s.table}()' for s in SOURCES]
    return [*statements, 'DROP INDEX IF EXISTS duplicate_keys_ready']


async def forward(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == 'postgres'
    held = ' UNION ALL '.join(source.select(source.table, 'r') for source in SOURCES)
    # the values saved before, counted once
    await client.execute_script(f'INSERT INTO duplicate_keys ({COLUMNS}, holders) SELECT {COLUMNS}, COUNT(*) '
                                f'FROM ({held}) k GROUP BY {COLUMNS}')
    await client.execute_script(READY_INDEX)
    await client.execute_script('ANALYZE duplicate_keys')  # its size known to the planner at once, not at autovacuum
    for statement in postgres_forward() if postgres else sqlite_forward():
        await client.execute_script(statement)


async def backward(apps, schema_editor) -> None:
    client = schema_editor.client
    for statement in backward_statements(client.capabilities.dialect == 'postgres'):
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0026_record_counters')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DuplicateKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True,
                                               to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('record', fields.CharField(max_length=8)),
                ('kind', fields.CharField(max_length=8)),
                ('value', fields.CharField(max_length=255)),
                ('holders', fields.IntField()),
            ],
            options={'table': 'duplicate_keys', 'app': 'models',
                     'unique_together': (('org', 'record', 'kind', 'value'),),
                     'pk_attr': 'id',
                     'table_description': 'How many records of one kind in an organization hold one value: an '
                                          'email, PEC, phone or VAT number (their'},
            bases=['Model'],
        ),
        ops.RunPython(forward, backward),
    ]
