"""The tables of imports: one batch per import (who ran it, of what, how it went) and its report rows, which
also hold what undo needs."""
from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Mode(str, Enum):
    CREATE = 'create'  # create new records; rows matching an existing record are skipped
    UPDATE = 'update'  # update the matching record, create the others


class Status(str, Enum):
    RUNNING = 'running'
    DONE = 'done'
    FAILED = 'failed'
    UNDONE = 'undone'


class ImportBatch(Model):
    """One import: who ran it, of what, and how it went. Its rows are the report, and what undo needs."""
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    created_by = fields.ForeignKeyField('models.User', null=True, related_name=False, on_delete=fields.SET_NULL)
    kind = fields.CharField(max_length=8)  # contact, company
    mode = fields.CharField(max_length=8)
    source = fields.CharField(max_length=8)  # csv, vcard
    filename = fields.CharField(max_length=255, default='')
    status = fields.CharField(max_length=8, default=Status.RUNNING.value)
    total = fields.IntField(default=0)
    created = fields.IntField(default=0)
    updated = fields.IntField(default=0)
    skipped = fields.IntField(default=0)
    companies_created = fields.IntField(default=0)
    message = fields.TextField(default='')
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)
    undone_at = fields.DatetimeField(null=True)
    job_id = fields.IntField(null=True)  # the background job that runs it (models/jobs), if one does

    class Meta:
        table = 'import_batches'
        indexes = [Index(fields=('org_id', 'created_by_id', 'created_at'))]


class ImportRow(Model):
    """One line of an import's report. For an updated record, `previous` holds the values the import overwrote
    and `version_after` the version it left, so undo can tell whether someone changed the record since."""
    id = fields.IntField(primary_key=True)
    batch = fields.ForeignKeyField('models.ImportBatch', related_name='rows', on_delete=fields.CASCADE)
    row = fields.IntField()  # 0 for a company created because the file named it
    status = fields.CharField(max_length=16)  # created, updated, skipped, company
    record_id = fields.IntField(null=True)
    name = fields.CharField(max_length=255, default='')
    message = fields.TextField(default='')
    previous = fields.JSONField(null=True)
    version_after = fields.IntField(null=True)

    class Meta:
        table = 'import_rows'
        indexes = [Index(fields=('batch_id', 'row')), Index(fields=('batch_id', 'status'))]
