"""The tables of background jobs: one row per job (whose it is, what it does, how far it got, how it ended) and the
file a job works on, kept apart so that listing jobs never reads it."""
from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Status(str, Enum):
    QUEUED = 'queued'
    RUNNING = 'running'
    SUCCEEDED = 'succeeded'
    FAILED = 'failed'
    CANCELLED = 'cancelled'


FINISHED = (Status.SUCCEEDED.value, Status.FAILED.value, Status.CANCELLED.value)


class Job(Model):
    """One background job: pages and the API read its progress and outcome here, cancel sets `cancel_requested`,
    recovery reads `status`, `heartbeat_at` and `worker` to find jobs whose process died."""
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    owner = fields.ForeignKeyField('models.User', related_name=False, on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=16)  # import, copy, export
    status = fields.CharField(max_length=10, default=Status.QUEUED.value)
    params = fields.JSONField(default=dict)  # what to run: the kind's own parameters, and the owner's language
    step = fields.CharField(max_length=16, default='')  # the kind's own steps: checking, writing, done…
    done = fields.IntField(default=0)
    total = fields.IntField(default=0)
    message = fields.TextField(default='')  # a failure, in English (N_), translated where shown
    # what it made (an import: {"import": batch id}; an export: its file), or the problem found
    result = fields.JSONField(null=True)
    cancel_requested = fields.BooleanField(default=False)
    attempts = fields.IntField(default=0)  # runs started: a job cut off by a dead process runs again once
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    heartbeat_at = fields.DatetimeField(null=True)
    worker = fields.CharField(max_length=255, default='')  # host:pid:process start of the process running it
    queue_job_id = fields.BigIntField(null=True)  # the queue library's job (procrastinate)

    class Meta:
        table = 'jobs'
        indexes = [Index(fields=('owner_id', 'created_at')), Index(fields=('status',))]


class JobInput(Model):
    """The file a job works on (an import's upload), dropped when the job has finished."""
    id = fields.IntField(primary_key=True)
    job = fields.OneToOneField('models.Job', related_name=False, on_delete=fields.CASCADE)
    data = fields.BinaryField()

    class Meta:
        table = 'job_inputs'
