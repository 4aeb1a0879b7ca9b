"""PostgreSQL: CardDAV's change numbers for mentions (0024_carddav) given by statement triggers over transition tables,
as 0029_import_bulk did for contacts and companies (issue 20: a copy's or an import's mentions written together).

The row trigger took a number per mention and found the cards to renumber with one UPDATE whose ORs (the contact, the
company, the company's contacts) no index serves: each mention read all of dav_changes, about a millisecond at 100,000
records, so the 600 mentions of a 10,000-contact copy cost 0.6 s. Now the mentions one statement writes take one number
together (they commit together) and the cards they touch are renumbered with one UPDATE by index. The same cards as
before: a mention's contact, its company, and that company's contacts; a removed mention logs, as before, that its user
could see the record before (dav_log, one row per removed mention's record). SQLite keeps its row triggers (each a few
index lookups there).
"""
from tortoise import migrations
from tortoise.migrations import operations as ops

TOUCHED = """SELECT 'contact' AS kind, r.contact_id AS record_id FROM {rows} r WHERE r.contact_id IS NOT NULL
                UNION SELECT 'company', r.company_id FROM {rows} r WHERE r.company_id IS NOT NULL
                UNION SELECT 'contact', c.id FROM contacts c JOIN {rows} r ON c.company_id = r.company_id"""

POSTGRES_FORWARD = [
    f"""CREATE OR REPLACE FUNCTION dav_mentions_changed() RETURNS trigger AS $$
    DECLARE s bigint;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
            s := dav_next_seq();
            UPDATE dav_changes d SET seq = s FROM ({TOUCHED.format(rows='old_rows')}) t
                WHERE d.kind = t.kind AND d.record_id = t.record_id;
            INSERT INTO dav_log (seq, kind, record_id, user_id, public)
                SELECT s, d.kind, d.record_id, o.user_id, false FROM old_rows o
                    JOIN dav_changes d ON d.kind = 'contact' AND d.record_id = o.contact_id
                UNION ALL SELECT s, d.kind, d.record_id, o.user_id, false FROM old_rows o
                    JOIN dav_changes d ON d.kind = 'company' AND d.record_id = o.company_id;
        ELSE
            IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
            s := dav_next_seq();
            UPDATE dav_changes d SET seq = s FROM ({TOUCHED.format(rows='new_rows')}) t
                WHERE d.kind = t.kind AND d.record_id = t.record_id;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    'DROP TRIGGER IF EXISTS dav_mentions_changed ON mentions',
    'CREATE TRIGGER dav_mentions_insert AFTER INSERT ON mentions REFERENCING NEW TABLE AS new_rows '
    'FOR EACH STATEMENT EXECUTE FUNCTION dav_mentions_changed()',
    'CREATE TRIGGER dav_mentions_delete AFTER DELETE ON mentions REFERENCING OLD TABLE AS old_rows '
    'FOR EACH STATEMENT EXECUTE FUNCTION dav_mentions_changed()',
]

POSTGRES_BACKWARD = [
    'DROP TRIGGER IF EXISTS dav_mentions_insert ON mentions',
    'DROP TRIGGER IF EXISTS dav_mentions_delete ON mentions',
    'DROP FUNCTION IF EXISTS dav_mentions_changed()',
    'CREATE TRIGGER dav_mentions_changed AFTER INSERT OR DELETE ON mentions FOR EACH ROW '
    'EXECUTE FUNCTION dav_mention_changed()',
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
    dependencies = [('models', '0031_record_type_counts')]

    initial = False

    operations = [
        ops.RunPython(forward, backward),
    ]
