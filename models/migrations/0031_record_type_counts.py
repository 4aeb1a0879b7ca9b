"""Per-organization counts of public contacts and companies outside the trash by type (record_type_counts), kept by
triggers like record_counts (0026_record_counters), so the dashboard's counts by type no longer GROUP BY every
record the viewer may see: every path that writes a record (a save, a change of type, a bulk change, an import and
its undo, a merge, a copy, the trash, a deletion, an organization's cascade) moves them in its own transaction.

A record counts under its type while `visibility = 'public' AND deleted_at IS NULL`. An increment inserts the
(organization, kind, type) row when there is none; a decrement only updates it. A type no public record has any
more keeps its row at 0 (the dashboard leaves it out).

SQLite: row triggers, each a single-row update. PostgreSQL: statement triggers over transition tables, one grouped
update per statement, organization and type (see 0026 on why not row triggers). PostgreSQL fires a table's triggers
in the order of their names, so these (record_type_counts_…) run after the CardDAV ones (dav_…, 0029_import_bulk),
which take the sequence's row lock first: writers are serialized before they reach these rows.
"""
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

KINDS = (('contact', 'contacts'), ('company', 'companies'))


def _counted(row: str) -> str:
    return f"{row}.visibility = 'public' AND {row}.deleted_at IS NULL"


def sqlite_forward() -> list[str]:
    statements = []
    for kind, table in KINDS:
        add = (f"INSERT INTO record_type_counts (org_id, kind, type, public) SELECT NEW.org_id, '{kind}', "
               f'NEW.type, 1 WHERE {_counted("NEW")} ON CONFLICT (org_id, kind, type) '
               f'DO UPDATE SET public = record_type_counts.public + 1;')
        take = (f'UPDATE record_type_counts SET public = public - 1 WHERE org_id = OLD.org_id '
                f"AND kind = '{kind}' AND type = OLD.type AND {_counted('OLD')};")
        moved = (f'({_counted("OLD")}) IS NOT ({_counted("NEW")}) OR OLD.org_id IS NOT NEW.org_id '
                 f'OR OLD.type IS NOT NEW.type')
        statements += [
            f'CREATE TRIGGER record_type_counts_{table}_insert AFTER INSERT ON {table} BEGIN {add} END',
            f'CREATE TRIGGER record_type_counts_{table}_delete AFTER DELETE ON {table} BEGIN {take} END',
            f'CREATE TRIGGER record_type_counts_{table}_update AFTER UPDATE OF org_id, visibility, deleted_at, type '
            f'ON {table} WHEN {moved} BEGIN {take} {add} END',
        ]
    return statements


POSTGRES_FORWARD = [
    f"""CREATE OR REPLACE FUNCTION record_type_counts_changed() RETURNS trigger AS $$
    DECLARE k text := TG_ARGV[0];
    BEGIN
        IF TG_OP = 'DELETE' THEN
            UPDATE record_type_counts c SET public = c.public - gone.n
                FROM (SELECT org_id, type, count(*) AS n FROM old_rows o WHERE {_counted('o')}
                      GROUP BY org_id, type) gone
                WHERE c.org_id = gone.org_id AND c.kind = k AND c.type = gone.type;
        ELSIF TG_OP = 'INSERT' THEN
            INSERT INTO record_type_counts (org_id, kind, type, public)
                SELECT org_id, k, type, count(*) FROM new_rows n WHERE {_counted('n')} GROUP BY org_id, type
                ON CONFLICT (org_id, kind, type) DO UPDATE SET public = record_type_counts.public + EXCLUDED.public;
        ELSE
            INSERT INTO record_type_counts (org_id, kind, type, public)
                SELECT org_id, k, type, sum(delta) FROM (
                    SELECT org_id, type, 1 AS delta FROM new_rows n WHERE {_counted('n')}
                    UNION ALL SELECT org_id, type, -1 FROM old_rows o WHERE {_counted('o')}) moved
                GROUP BY org_id, type HAVING sum(delta) <> 0
                ON CONFLICT (org_id, kind, type) DO UPDATE SET public = record_type_counts.public + EXCLUDED.public;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    *(statement for kind, table in KINDS for statement in (
        f'CREATE TRIGGER record_type_counts_{table}_insert AFTER INSERT ON {table} '
        f'REFERENCING NEW TABLE AS new_rows '
        f"FOR EACH STATEMENT EXECUTE FUNCTION record_type_counts_changed('{kind}')",
        f'CREATE TRIGGER record_type_counts_{table}_delete AFTER DELETE ON {table} '
        f'REFERENCING OLD TABLE AS old_rows '
        f"FOR EACH STATEMENT EXECUTE FUNCTION record_type_counts_changed('{kind}')",
        f'CREATE TRIGGER record_type_counts_{table}_update AFTER UPDATE ON {table} '
        f'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
        f"FOR EACH STATEMENT EXECUTE FUNCTION record_type_counts_changed('{kind}')",
    )),
]


def sqlite_backward() -> list[str]:
    return [f'DROP TRIGGER IF EXISTS record_type_counts_{table}_{event}' for _kind, table in KINDS
            for event in ('insert', 'update', 'delete')]


POSTGRES_BACKWARD = [
    *(f'DROP TRIGGER IF EXISTS record_type_counts_{table}_{event} ON {table}' for _kind, table in KINDS
      for event in ('insert', 'update', 'delete')),
    'DROP FUNCTION IF EXISTS record_type_counts_changed()',
]


async def forward(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == 'postgres'
    for kind, table in KINDS:  # the records saved before, counted once
        await client.execute_script(
            f"INSERT INTO record_type_counts (org_id, kind, type, public) SELECT org_id, '{kind}', type, COUNT(*) "
            f'FROM {table} r WHERE {_counted("r")} GROUP BY org_id, type')
    for statement in POSTGRES_FORWARD if postgres else sqlite_forward():
        await client.execute_script(statement)


async def backward(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == 'postgres'
    for statement in POSTGRES_BACKWARD if postgres else sqlite_backward():
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0029_import_bulk')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RecordTypeCount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True,
                                               to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=8)),
                ('type', fields.CharField(max_length=100)),
                ('public', fields.IntField(default=0)),
            ],
            options={'table': 'record_type_counts', 'app': 'models',
                     'unique_together': (('org', 'kind', 'type'),), 'pk_attr': 'id',
                     'table_description': 'How many public contacts (or companies) of each type outside the trash '
                                          'an organization has, kept by the'},
            bases=['Model'],
        ),
        ops.RunPython(forward, backward),
    ]
