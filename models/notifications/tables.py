"""The table of notifications: what happened that concerns one person (they were mentioned, given a task or a
ticket, added to an organization), kept for them to read."""
from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Event(str, Enum):
    MENTIONED = 'mentioned'  # in the description of a contact, a company, a project, a task or a ticket
    ASSIGNED = 'assigned'  # a task or a ticket was given to them
    INVITED = 'invited'  # they were added to an organization


class MailChoice(str, Enum):
    """What a person chose under Settings: a mail for each notification, one a day gathering them, or none."""
    IMMEDIATELY = 'immediately'
    DAILY = 'daily'
    NEVER = 'never'


class Notification(Model):
    """One notification of one person. It points at its record by kind and id, not by a foreign key: the record may
    be deleted or hidden from its reader later, and the notification stays (naming nothing the reader may no longer
    see, which is decided when it is read, by the gate)."""
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField('models.User', related_name=False, on_delete=fields.CASCADE)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    event = fields.CharField(max_length=16)
    by = fields.ForeignKeyField('models.User', null=True, related_name=False, on_delete=fields.SET_NULL)
    record_kind = fields.CharField(max_length=16, default='')  # contact, company, project, task, ticket; '' none
    record_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)
    in_digest = fields.BooleanField(default=False)  # waiting for its reader's daily mail

    class Meta:
        table = 'notifications'
        # a person's list, newest first, and their unread count; the digest's waiting ones
        indexes = [Index(fields=('user_id', 'id')), Index(fields=('user_id', 'read_at')),
                   Index(fields=('in_digest', 'user_id'))]
