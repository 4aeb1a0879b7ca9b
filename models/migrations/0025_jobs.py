"""Background jobs: our `jobs` table (what pages, the API and recovery read) and the files jobs work on; an import
knows the job that runs it. On PostgreSQL also the queue library's own schema (procrastinate's tables and functions),
read from the installed package so that it matches the version the lock file installs; on SQLite jobs are queued in
memory inside the server, and the `jobs` table alone makes them durable."""
from procrastinate.schema import SchemaManager
from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index


DROP_PROCRASTINATE = """
DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, procrastinate_workers
    CASCADE;
DO $$ DECLARE f record; BEGIN
    FOR f IN SELECT oid::regprocedure AS signature FROM pg_proc WHERE proname LIKE 'procrastinate%' LOOP
        EXECUTE 'DROP FUNCTION ' || f.signature || ' CASCADE';
    END LOOP;
END $$;
DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type, procrastinate_job_status CASCADE;
"""


async def forward(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == 'postgres':
        await client.execute_script(SchemaManager.get_schema())


async def backward(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == 'postgres':
        await client.execute_script(DROP_PROCRASTINATE)


class Migration(migrations.Migration):
    dependencies = [('models', '0024_carddav')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Job',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('status', fields.CharField(default='queued', max_length=10)),
                ('params', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('step', fields.CharField(default='', max_length=16)),
                ('done', fields.IntField(default=0)),
                ('total', fields.IntField(default=0)),
                ('message', fields.TextField(default='', unique=False)),
                ('result', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('cancel_requested', fields.BooleanField(default=False)),
                ('attempts', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('heartbeat_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('worker', fields.CharField(default='', max_length=255)),
                ('queue_job_id', fields.BigIntField(null=True)),
            ],
            options={'table': 'jobs', 'app': 'models', 'indexes': [Index(fields=['owner_id', 'created_at']), Index(fields=['status'])], 'pk_attr': 'id', 'table_description': 'One background job: pages and the API read its progress and outcome here, cancel sets `cancel_requested`,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JobInput',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.OneToOneField('models.Job', source_field='job_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('data', fields.BinaryField()),
            ],
            options={'table': 'job_inputs', 'app': 'models', 'pk_attr': 'id', 'table_description': "The file a job works on (an import's upload), dropped when the job has finished."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ImportBatch',
            name='job_id',
            field=fields.IntField(null=True),
        ),
        ops.RunPython(forward, backward),
    ]
