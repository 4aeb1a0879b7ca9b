"""CardDAV: the cards' names, UIDs and kept properties (dav_cards), and the change sequence a sync token counts in
(dav_counter, dav_changes, dav_log; see models/carddav/tables.py).

The sequence is written by triggers, so that every path that writes a record (a save, an import, a merge, a copy, a
deletion, the trash) moves it without knowing of CardDAV:
- a contact or company inserted, updated or deleted: its dav_changes row takes the next number; an update or a
  deletion also logs who could see the record before (its creator; everyone when it was public);
- a company updated: its contacts' cards change too (their ORG), so they take the same number;
- a mention added or removed: the record (and a company's contacts) take the next number; a removed mention logs
  that the mentioned user could see the record before.
The counter's row is locked until the writer commits (on PostgreSQL from the first statement that writes a record),
so numbers become visible in the order they were given.
Records saved before this migration get number 0.
"""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

KINDS = (('contact', 'contacts'), ('company', 'companies'))


def sqlite_forward() -> list[str]:
    bump = ('INSERT INTO dav_counter (id, value) VALUES (1, 1) '
            'ON CONFLICT (id) DO UPDATE SET value = dav_counter.value + 1;')
    seq = '(SELECT value FROM dav_counter WHERE id = 1)'
    statements = []
    for kind, table in KINDS:
        def changed(row: str) -> str:
            return (f"INSERT INTO dav_changes (kind, record_id, org_id, seq) VALUES ('{kind}', {row}.id, {row}.org_id, "
                    f'{seq}) ON CONFLICT (kind, record_id) DO UPDATE SET seq = excluded.seq, org_id = excluded.org_id;')
        log = (f"INSERT INTO dav_log (seq, kind, record_id, user_id, public) VALUES ({seq}, '{kind}', OLD.id, "
               f"OLD.created_by_id, OLD.visibility = 'public');")
        its_contacts = (f"UPDATE dav_changes SET seq = {seq} WHERE kind = 'contact' AND record_id IN "
                        f'(SELECT id FROM contacts WHERE org_id = NEW.org_id AND company_id = NEW.id);'
                        if kind == 'company' else '')
        statements += [
            f'CREATE TRIGGER dav_{table}_insert AFTER INSERT ON {table} BEGIN {bump} {changed("NEW")} END',
            f'CREATE TRIGGER dav_{table}_update AFTER UPDATE ON {table} BEGIN {bump} {changed("NEW")} {log} '
            f'{its_contacts} END',
            f'CREATE TRIGGER dav_{table}_delete AFTER DELETE ON {table} BEGIN {bump} {changed("OLD")} {log} END',
        ]
    for event, row in (('insert', 'NEW'), ('delete', 'OLD')):
        touch = (f"UPDATE dav_changes SET seq = {seq} WHERE (kind = 'contact' AND record_id = {row}.contact_id) "
                 f"OR (kind = 'company' AND record_id = {row}.company_id) OR (kind = 'contact' AND record_id IN "
                 f'(SELECT id FROM contacts WHERE company_id = {row}.company_id));')
        log = (f'INSERT INTO dav_log (seq, kind, record_id, user_id, public) SELECT {seq}, kind, record_id, '
               f"OLD.user_id, 0 FROM dav_changes WHERE (kind = 'contact' AND record_id = OLD.contact_id) "
               f"OR (kind = 'company' AND record_id = OLD.company_id);" if event == 'delete' else '')
        statements.append(f'CREATE TRIGGER dav_mentions_{event} AFTER {event.upper()} ON mentions BEGIN {bump} '
                          f'{touch} {log} END')
    return statements


POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION dav_next_seq() RETURNS bigint AS $$
    DECLARE s bigint;
    BEGIN
        INSERT INTO dav_counter (id, value) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET value = dav_counter.value + 1 RETURNING value INTO s;
        RETURN s;
    END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION dav_record_changed() RETURNS trigger AS $$
    DECLARE s bigint; k text := TG_ARGV[0]; rid int; oid int;
    BEGIN
        s := dav_next_seq();
        IF TG_OP = 'DELETE' THEN rid := OLD.id; oid := OLD.org_id; ELSE rid := NEW.id; oid := NEW.org_id; END IF;
        INSERT INTO dav_changes (kind, record_id, org_id, seq) VALUES (k, rid, oid, s)
            ON CONFLICT (kind, record_id) DO UPDATE SET seq = EXCLUDED.seq, org_id = EXCLUDED.org_id;
        IF TG_OP <> 'INSERT' THEN
            INSERT INTO dav_log (seq, kind, record_id, user_id, public)
                VALUES (s, k, OLD.id, OLD.created_by_id, OLD.visibility = 'public');
        END IF;
        IF TG_OP = 'UPDATE' AND k = 'company' THEN
            UPDATE dav_changes SET seq = s WHERE kind = 'contact' AND record_id IN
                (SELECT id FROM contacts WHERE org_id = NEW.org_id AND company_id = NEW.id);
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION dav_mention_changed() RETURNS trigger AS $$
    DECLARE s bigint; m mentions%ROWTYPE;
    BEGIN
        s := dav_next_seq();
        IF TG_OP = 'DELETE' THEN m := OLD; ELSE m := NEW; END IF;
        UPDATE dav_changes SET seq = s WHERE (kind = 'contact' AND record_id = m.contact_id)
            OR (kind = 'company' AND record_id = m.company_id)
            OR (kind = 'contact' AND record_id IN (SELECT id FROM contacts WHERE company_id = m.company_id));
        IF TG_OP = 'DELETE' THEN
            INSERT INTO dav_log (seq, kind, record_id, user_id, public)
                SELECT s, kind, record_id, OLD.user_id, false FROM dav_changes
                WHERE (kind = 'contact' AND record_id = OLD.contact_id) OR (kind = 'company' AND record_id = OLD.company_id);
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    # the counter's row lock is taken before a statement locks any record row: a writer holding a record's row and
    # waiting for the counter while the counter's holder waits for that row would be a deadlock
    """CREATE OR REPLACE FUNCTION dav_lock_counter() RETURNS trigger AS $$
    BEGIN
        PERFORM 1 FROM dav_counter WHERE id = 1 FOR UPDATE;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    *(f'CREATE TRIGGER dav_{table}_lock BEFORE INSERT OR UPDATE OR DELETE ON {table} FOR EACH STATEMENT '
      'EXECUTE FUNCTION dav_lock_counter()' for table in ('contacts', 'companies', 'mentions')),
    *(f"CREATE TRIGGER dav_{table}_changed AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW "
      f"EXECUTE FUNCTION dav_record_changed('{kind}')" for kind, table in KINDS),
    'CREATE TRIGGER dav_mentions_changed AFTER INSERT OR DELETE ON mentions FOR EACH ROW '
    'EXECUTE FUNCTION dav_mention_changed()',
]


def sqlite_backward() -> list[str]:
    return [f'DROP TRIGGER IF EXISTS dav_{table}_{event}' for _kind, table in (*KINDS, (None, 'mentions'))
            for event in ('insert', 'update', 'delete')]


POSTGRES_BACKWARD = [
    *(f'DROP TRIGGER IF EXISTS dav_{table}_{name} ON {table}' for _kind, table in (*KINDS, (None, 'mentions'))
      for name in ('changed', 'lock')),
    'DROP FUNCTION IF EXISTS dav_lock_counter()',
    'DROP FUNCTION IF EXISTS dav_mention_changed()', 'DROP FUNCTION IF EXISTS dav_record_changed()',
    'DROP FUNCTION IF EXISTS dav_next_seq()',
]


async def forward(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == 'postgres'
    # the records saved before: number 0, so that a first sync lists them and any later change is newer
    for kind, table in KINDS:
        await client.execute_script(f"INSERT INTO dav_changes (kind, record_id, org_id, seq) "
                                    f"SELECT '{kind}', id, org_id, 0 FROM {table}")
    await client.execute_script('INSERT INTO dav_counter (id, value) VALUES (1, 0)')
    for statement in POSTGRES_FORWARD if postgres else sqlite_forward():
        await client.execute_script(statement)


async def backward(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == 'postgres'
    for statement in POSTGRES_BACKWARD if postgres else sqlite_backward():
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0023_history_notes_trash')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DavCard',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('uid', fields.CharField(default='', max_length=255)),
                ('extra', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'dav_cards', 'app': 'models', 'indexes': [Index(fields=['contact_id']), Index(fields=['company_id'])], 'pk_attr': 'id', 'table_description': 'What a CardDAV client gave a card that Rubrica has no field for: its UID and the vCard properties Rubrica'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DavChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=8)),
                ('record_id', fields.IntField()),
                ('org_id', fields.IntField()),
                ('seq', fields.BigIntField()),
                ('name', fields.CharField(null=True, max_length=255)),
            ],
            options={'table': 'dav_changes', 'app': 'models', 'unique_together': (('kind', 'record_id'), ('org_id', 'name')), 'indexes': [Index(fields=['org_id', 'seq'])], 'pk_attr': 'id', 'table_description': "The number of the last change of one contact or company (`seq`, from DavCounter), written by the database's"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DavCounter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('value', fields.BigIntField(default=0)),
            ],
            options={'table': 'dav_counter', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One row (id 1): the last change number given. Writers take its row lock until they commit, so numbers'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DavLog',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('seq', fields.BigIntField()),
                ('kind', fields.CharField(max_length=8)),
                ('record_id', fields.IntField()),
                ('user_id', fields.IntField(null=True)),
                ('public', fields.BooleanField(default=False)),
            ],
            options={'table': 'dav_log', 'app': 'models', 'indexes': [Index(fields=['kind', 'record_id', 'seq']), Index(fields=['seq'])], 'pk_attr': 'id', 'table_description': 'Who could see a record just before change `seq`: everyone in its organization (`public`), or its creator'},
            bases=['Model'],
        ),
        ops.RunPython(forward, backward),
    ]
