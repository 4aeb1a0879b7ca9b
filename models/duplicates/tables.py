"""The tables of merges: a log of each merge with all it takes to undo it, and the users mentioned in the two
merged records at merge time (so the log passes the same gate as the records it holds)."""
from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class MergeLog(Model):
    """One merge, with all it takes to undo it exactly. Record ids are plain integers: the removed record does
    not exist while the merge stands, and the log must not vanish with either record."""
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=8)  # 'contact' or 'company'
    kept_id = fields.IntField()
    removed_id = fields.IntField()
    kept_name = fields.CharField(max_length=255, default='')
    removed_name = fields.CharField(max_length=255, default='')
    kept_before = fields.JSONField()  # every column of both records before the merge, and their mentions
    removed_before = fields.JSONField()
    kept_version = fields.IntField()  # the kept record's version right after the merge
    moved = fields.JSONField(default=dict)  # "table.column" -> ids of the rows re-pointed from removed to kept
    dropped = fields.JSONField(default=dict)  # "table" -> full rows deleted because they would be duplicates
    created_by = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    undone_at = fields.DatetimeField(null=True)
    undone_by = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)
    # What the visibility gate needs of both records as they were at merge time (the snapshots hold them too, but
    # the gate must be a database filter): their visibility and creator; their mentions are MergeLogMention rows.
    # A log nobody filled in is private with no creator: seen by nobody.
    kept_visibility = fields.CharField(max_length=8, db_default='private')
    kept_created_by = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)
    removed_visibility = fields.CharField(max_length=8, db_default='private')
    removed_created_by = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL,
                                                related_name=False)

    class Meta:
        table = 'merge_logs'
        indexes = [Index(fields=('org_id', 'kind', 'created_at'))]


class MergeLogMention(Model):
    """A user mentioned in one of the two merged records at merge time ("kept" or "removed" side): like a
    Mention, it lets them see that side of the log even when the record was private."""
    id = fields.IntField(primary_key=True)
    log = fields.ForeignKeyField('models.MergeLog', related_name='mention_rows', on_delete=fields.CASCADE)
    user = fields.ForeignKeyField('models.User', related_name=False, on_delete=fields.CASCADE)
    side = fields.CharField(max_length=8)  # 'kept' or 'removed'

    class Meta:
        table = 'merge_log_mentions'
        indexes = [Index(fields=('user_id', 'side'))]


class DuplicateKey(Model):
    """How many records of one kind in an organization hold one value: an email, PEC, phone or VAT number (their
    RecordKey rows) or a folded name (`sort_name`). Kept by the database's triggers (migration 0027_duplicate_keys)
    in the transaction of every write, whichever path makes it, so the values held more than once, the ready groups
    of likely duplicates, are an indexed read (detection.py) and not a count over every record. Records in the trash
    and private ones count too: the scan then keeps, of each group, the records the caller may see."""
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    record = fields.CharField(max_length=8)  # 'contact' or 'company'
    kind = fields.CharField(max_length=8)  # email, pec, phone, vat, or name
    value = fields.CharField(max_length=255)
    holders = fields.IntField()
    # the holders' ids as ",12,40," (an id once per row holding the value), while there are at most IDS_MAX of them,
    # else NULL (migration 0033_duplicate_holders): a ready group's holders read with it, from this row
    ids = fields.TextField(null=True)

    class Meta:
        table = 'duplicate_keys'
        unique_together = (('org', 'record', 'kind', 'value'),)
        # and a partial index of the values held more than once, the scan's read (made by the migration: Tortoise
        # declares no partial index); it changes only when a value passes the threshold, so writes stay cheap
