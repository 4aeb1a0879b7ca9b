"""The index of a caller's own records by visibility gains `deleted_at`, on contacts and companies: every list's
total adds the caller's own records that are not public (access.visible_not_public) to the kept count of public ones,
and that count checked `deleted_at IS NULL` in each record's row. With the column in the index it reads the index
alone: at 1,000,000 contacts (a member's 2,000 private contacts) 4.6 -> 1.5 ms on SQLite. The old index is a prefix
of the new one, so every query it served, the new one serves.
"""
from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

OLD = ['org_id', 'visibility', 'created_by_id']
NEW = ('org_id', 'visibility', 'created_by_id', 'deleted_at')


class Migration(migrations.Migration):
    dependencies = [('models', '0033_duplicate_holders')]

    initial = False

    operations = [
        op
        for model in ('Contact', 'Company')
        for op in (ops.RemoveIndex(model_name=model, fields=OLD), ops.AddIndex(model_name=model, index=Index(fields=NEW)))
    ]
