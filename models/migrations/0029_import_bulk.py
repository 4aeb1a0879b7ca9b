"""What a 100,000-row import and its undo need to run at bulk speed (issue 20).

- Contacts indexed by company alone: deleting a company sets its contacts' company to none (ON DELETE SET NULL),
  which the database looks up once per deleted company; the (org_id, company_id) index does not serve that lookup,
  so on PostgreSQL each one read the whole contacts table (an import's undo deleting 2,000 companies: 2,000 reads).
- PostgreSQL: CardDAV's change numbers for contacts and companies (0024_carddav) are given by statement triggers
  over transition tables instead of row triggers: the records one statement writes take one number together (they
  commit together), and dav_changes / dav_log are written with one statement each. A row trigger updated the one
  counter row once per record, and 100,000 versions of one row in one transaction (an undo's deletion) made each next
  update slower, for minutes. The log is the same: who could see each record before (its creator; everyone when it
  was public), a company's contacts renumbered with it. SQLite keeps its row triggers (each a cheap in-place update).
"""
from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

KINDS = (('contact', 'contacts'), ('company', 'companies'))
EVENTS = (('insert', 'NEW TABLE AS new_rows'), ('update', 'OLD TABLE AS old_rows NEW TABLE AS new_rows'),
          ('delete', 'OLD TABLE AS old_rows'))

POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION dav_records_changed() RETURNS trigger AS $$
    DECLARE s bigint; k text := TG_ARGV[0];
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
        ELSIF NOT EXISTS (SELECT 1 FROM new_rows) THEN
            RETURN NULL;
        END IF;
        s := dav_next_seq();
        IF TG_OP = 'DELETE' THEN
            INSERT INTO dav_changes (kind, record_id, org_id, seq) SELECT k, id, org_id, s FROM old_rows
                ON CONFLICT (kind, record_id) DO UPDATE SET seq = EXCLUDED.seq, org_id = EXCLUDED.org_id;
        ELSE
            INSERT INTO dav_changes (kind, record_id, org_id, seq) SELECT k, id, org_id, s FROM new_rows
                ON CONFLICT (kind, record_id) DO UPDATE SET seq = EXCLUDED.seq, org_id = EXCLUDED.org_id;
        END IF;
        IF TG_OP <> 'INSERT' THEN
            INSERT INTO dav_log (seq, kind, record_id, user_id, public)
                SELECT s, k, id, created_by_id, visibility = 'public' FROM old_rows;
        END IF;
        IF TG_OP = 'UPDATE' AND k = 'company' THEN
            UPDATE dav_changes SET seq = s WHERE kind = 'contact' AND record_id IN
                (SELECT c.id FROM contacts c JOIN new_rows n ON c.org_id = n.org_id AND c.company_id = n.id);
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    *(f'DROP TRIGGER IF EXISTS dav_{table}_changed ON {table}' for _kind, table in KINDS),
    *(f'CREATE TRIGGER dav_{table}_{event} AFTER {event.upper()} ON {table} REFERENCING {tables} '
      f"FOR EACH STATEMENT EXECUTE FUNCTION dav_records_changed('{kind}')"
      for kind, table in KINDS for event, tables in EVENTS),
]

POSTGRES_BACKWARD = [
    *(f'DROP TRIGGER IF EXISTS dav_{table}_{event} ON {table}' for _kind, table in KINDS for event, _ in EVENTS),
    'DROP FUNCTION IF EXISTS dav_records_changed()',
    *(f'CREATE TRIGGER dav_{table}_changed AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW '
      f"EXECUTE FUNCTION dav_record_changed('{kind}')" for kind, table in KINDS),
]


async def forward(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == 'postgres':
        for statement in POSTGRES_FORWARD:
            await client.execute_script(statement)


async def backward(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == 'postgres':
        for statement in POSTGRES_BACKWARD:
            await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0027_duplicate_keys')]

    initial = False

    operations = [
        ops.AddIndex(model_name='Contact', index=Index(fields=['company_id'])),
        ops.RunPython(forward, backward),
    ]
