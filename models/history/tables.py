"""The tables of a record's history and notes."""
from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Note(Model):
    """A note written on a contact or company (exactly one of the two foreign keys is set): a call, a meeting.
    Its text may mention members like a description (`@[Name](user:ID)`); a mention in a note lets nobody see the
    record (only the description's mentions do). It goes with its record when the record is deleted forever, and
    follows it through a merge (and back on undo) like every row that points at a record."""
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    contact = fields.ForeignKeyField('models.Contact', null=True, related_name='notes', on_delete=fields.CASCADE)
    company = fields.ForeignKeyField('models.Company', null=True, related_name='notes', on_delete=fields.CASCADE)
    author = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)
    text = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = 'notes'
        indexes = [Index(fields=('contact_id', 'created_at')), Index(fields=('company_id', 'created_at'))]


class HistoryEntry(Model):
    """One thing that happened to a contact or company (exactly one of the two foreign keys is set).

    `changes` is {field: [before, after]} (emails, phones and addresses as whole lists; a contact's company as its
    id). `ref_kind`/`ref_id`/`ref_name` name what else the entry is about — the merged-away record (its merge
    log), the connected project/task/ticket, the import, the organization copied from, the attachment — as it
    was named then; the timeline shows the name only to a reader who may see that one too. A note's entry points
    at the note and goes with it. The rows follow their record through a merge and back on undo, and go with it
    when it is deleted forever."""
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    contact = fields.ForeignKeyField('models.Contact', null=True, related_name='history', on_delete=fields.CASCADE)
    company = fields.ForeignKeyField('models.Company', null=True, related_name='history', on_delete=fields.CASCADE)
    at = fields.DatetimeField()
    by = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)
    action = fields.CharField(max_length=24)
    changes = fields.JSONField(default=dict)
    ref_kind = fields.CharField(max_length=16, default='')  # merge, project, task, ticket, import, organization, file
    ref_id = fields.IntField(null=True)
    ref_name = fields.CharField(max_length=255, default='')
    note = fields.ForeignKeyField('models.Note', null=True, related_name=False, on_delete=fields.CASCADE)

    class Meta:
        table = 'history'
        # "newest first of one record": an index walk, whatever the record's number of entries
        indexes = [Index(fields=('contact_id', 'at', 'id')), Index(fields=('company_id', 'at', 'id'))]
