"""Per-organization counts of public contacts and companies outside the trash (record_counts), kept by triggers, so
that every path that writes a record (a save, a bulk change, an import, a merge, a copy, the trash, a deletion, an
organization's cascade) moves them in its own transaction without knowing of them; and the indexes of mentions by
record (a contact's deletion cascades into its mentions: without them each one read the whole table on PostgreSQL).

A record counts while `visibility = 'public' AND deleted_at IS NULL`. An increment inserts the organization's row
when it has none; a decrement only updates it (when an organization is deleted its row may already be gone).

SQLite: row triggers, each a single-row update (cheap in SQLite). PostgreSQL: statement triggers with transition
tables, one grouped update per statement and organization: a row trigger would update the same row once per
inserted record, and 100,000 versions of one row in one transaction make each next update slower.

One row per organization and kind is enough on PostgreSQL: every statement writing contacts or companies already
takes the CardDAV sequence's row lock first (0024_carddav) and holds it to commit, so writers are serialized before
they reach this row, and always take the two in the same order (no deadlock).
"""
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

KINDS = (('contact', 'contacts'), ('company', 'companies'))


def _counted(row: str) -> str:
    return f"{row}.visibility = 'public' AND {row}.deleted_at IS NULL"


def sqlite_forward() -> list[str]:
    statements = []
    for kind, table in KINDS:
        add = (f"INSERT INTO record_counts (org_id, kind, public) SELECT NEW.org_id, '{kind}', 1 "
               f'WHERE {_counted("NEW")} ON CONFLICT (org_id, kind) DO UPDATE SET public = record_counts.public + 1;')
        take = (f"UPDATE record_counts SET public = public - 1 WHERE org_id = OLD.org_id AND kind = '{kind}' "
                f'AND {_counted("OLD")};')
        moved = f'({_counted("OLD")}) IS NOT ({_counted("NEW")}) OR OLD.org_id IS NOT NEW.org_id'
        statements += [
            f'CREATE TRIGGER record_counts_{table}_insert AFTER INSERT ON {table} BEGIN {add} END',
            f'CREATE TRIGGER record_counts_{table}_delete AFTER DELETE ON {table} BEGIN {take} END',
            f'CREATE TRIGGER record_counts_{table}_update AFTER UPDATE OF org_id, visibility, deleted_at ON {table} '
            f'WHEN {moved} BEGIN {take} {add} END',
        ]
    return statements


POSTGRES_FORWARD = [
    f"""CREATE OR REPLACE FUNCTION record_counts_changed() RETURNS trigger AS $$
    DECLARE k text := TG_ARGV[0];
    BEGIN
        IF TG_OP = 'DELETE' THEN
            UPDATE record_counts c SET public = c.public - gone.n
                FROM (SELECT org_id, count(*) AS n FROM old_rows o WHERE {_counted('o')} GROUP BY org_id) gone
                WHERE c.org_id = gone.org_id AND c.kind = k;
        ELSIF TG_OP = 'INSERT' THEN
            INSERT INTO record_counts (org_id, kind, public)
                SELECT org_id, k, count(*) FROM new_rows n WHERE {_counted('n')} GROUP BY org_id
                ON CONFLICT (org_id, kind) DO UPDATE SET public = record_counts.public + EXCLUDED.public;
        ELSE
            INSERT INTO record_counts (org_id, kind, public)
                SELECT org_id, k, sum(delta) FROM (
                    SELECT org_id, 1 AS delta FROM new_rows n WHERE {_counted('n')}
                    UNION ALL SELECT org_id, -1 FROM old_rows o WHERE {_counted('o')}) moved
                GROUP BY org_id HAVING sum(delta) <> 0
                ON CONFLICT (org_id, kind) DO UPDATE SET public = record_counts.public + EXCLUDED.public;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    *(statement for kind, table in KINDS for statement in (
        f'CREATE TRIGGER record_counts_{table}_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows '
        f"FOR EACH STATEMENT EXECUTE FUNCTION record_counts_changed('{kind}')",
        f'CREATE TRIGGER record_counts_{table}_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows '
        f"FOR EACH STATEMENT EXECUTE FUNCTION record_counts_changed('{kind}')",
        f'CREATE TRIGGER record_counts_{table}_update AFTER UPDATE ON {table} '
        f'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
        f"FOR EACH STATEMENT EXECUTE FUNCTION record_counts_changed('{kind}')",
    )),
]


def sqlite_backward() -> list[str]:
    return [f'DROP TRIGGER IF EXISTS record_counts_{table}_{event}' for _kind, table in KINDS
            for event in ('insert', 'update', 'delete')]


POSTGRES_BACKWARD = [
    *(f'DROP TRIGGER IF EXISTS record_counts_{table}_{event} ON {table}' for _kind, table in KINDS
      for event in ('insert', 'update', 'delete')),
    'DROP FUNCTION IF EXISTS record_counts_changed()',
]


async def forward(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == 'postgres'
    for kind, table in KINDS:  # the records saved before, counted once
        await client.execute_script(f"INSERT INTO record_counts (org_id, kind, public) SELECT org_id, '{kind}', "
                                    f'COUNT(*) FROM {table} r WHERE {_counted("r")} GROUP BY org_id')
    for statement in POSTGRES_FORWARD if postgres else sqlite_forward():
        await client.execute_script(statement)


async def backward(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == 'postgres'
    for statement in POSTGRES_BACKWARD if postgres else sqlite_backward():
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0025_jobs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RecordCount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True,
                                               to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=8)),
                ('public', fields.IntField(default=0)),
            ],
            options={'table': 'record_counts', 'app': 'models', 'unique_together': (('org', 'kind'),), 'pk_attr': 'id',
                     'table_description': "How many public contacts (or companies) outside the trash an "
                                          "organization has, kept by the database's"},
            bases=['Model'],
        ),
        ops.AddIndex(model_name='Mention', index=Index(fields=['contact_id'])),
        ops.AddIndex(model_name='Mention', index=Index(fields=['company_id'])),
        ops.AddIndex(model_name='Company', index=Index(fields=['org_id', 'sector'])),  # a list sorted by sector
        ops.RunPython(forward, backward),
    ]
