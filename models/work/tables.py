"""The tables of the work done for contacts and companies: projects, tasks and tickets (and `WorkKind`, what
differs between them), and the connections that link one contact or company to one of them."""
from __future__ import annotations

from dataclasses import dataclass

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from ..i18n import N_
from ..validation import NAME_MAX

# The kinds of record a connection links (records.tables.KINDS): the names of its record foreign keys below.
RECORD_NAMES = ('contact', 'company')

PROJECT_STATUSES = ('active', 'on_hold', 'done')
TASK_STATUSES = ('todo', 'in_progress', 'done')
TICKET_STATUSES = ('open', 'in_progress', 'closed')
PRIORITIES = ('low', 'normal', 'high', 'urgent')
# the words people read for statuses and priorities, translated where shown (the API keeps the codes)
LABELS = {'active': N_('Active'), 'on_hold': N_('On hold'), 'done': N_('Done'), 'todo': N_('To do'),
          'in_progress': N_('In progress'), 'open': N_('Open'), 'closed': N_('Closed'), 'low': N_('Low'),
          'normal': N_('Normal'), 'high': N_('High'), 'urgent': N_('Urgent')}


class WorkItem(Model):
    """What projects, tasks and tickets have in common."""
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    status = fields.CharField(max_length=16)
    due_date = fields.DateField(null=True)
    version = fields.IntField(default=1)
    created_by = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)
    updated_by = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now_add=True)
    sort_title = fields.CharField(max_length=255, default='')  # folded title: sorting and searching
    description = fields.TextField(default='', db_default='')  # with @mentions, like a contact's (models/mentions.py)

    class Meta:
        abstract = True


class Project(WorkItem):
    name = fields.CharField(max_length=NAME_MAX)
    owner = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)

    class Meta:
        table = 'projects'
        indexes = [Index(fields=('org_id', 'sort_title')), Index(fields=('org_id', 'status')),
                   Index(fields=('org_id', 'owner_id'))]


class Task(WorkItem):
    title = fields.CharField(max_length=NAME_MAX)
    assignee = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)
    project = fields.ForeignKeyField('models.Project', null=True, on_delete=fields.SET_NULL, related_name='tasks')

    class Meta:
        table = 'tasks'
        indexes = [Index(fields=('org_id', 'sort_title')), Index(fields=('org_id', 'status')),
                   Index(fields=('org_id', 'assignee_id')), Index(fields=('project_id',))]


class Ticket(WorkItem):
    title = fields.CharField(max_length=NAME_MAX)
    priority = fields.CharField(max_length=8, default='normal')
    assignee = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)

    class Meta:
        table = 'tickets'
        indexes = [Index(fields=('org_id', 'sort_title')), Index(fields=('org_id', 'status')),
                   Index(fields=('org_id', 'assignee_id'))]


@dataclass(frozen=True)
class WorkKind:
    """What differs between projects, tasks and tickets."""
    name: str  # 'project', 'task' or 'ticket': also the foreign key name on Connection
    plural: str
    model: type[WorkItem]
    title_field: str  # 'name' for projects, 'title' for the others
    person_field: str  # the user the item is assigned to: a guest sees the items where this is them
    statuses: tuple[str, ...]
    own_fields: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @property
    def person_id(self) -> str:
        return f'{self.person_field}_id'

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.title_field, 'status', 'due_date', self.person_id, 'description') + self.own_fields

    def title(self, item: WorkItem) -> str:
        return getattr(item, self.title_field)


PROJECT = WorkKind('project', 'projects', Project, 'name', 'owner', PROJECT_STATUSES)
TASK = WorkKind('task', 'tasks', Task, 'title', 'assignee', TASK_STATUSES, ('project_id',))
TICKET = WorkKind('ticket', 'tickets', Ticket, 'title', 'assignee', TICKET_STATUSES, ('priority',))
WORK_KINDS = {'project': PROJECT, 'task': TASK, 'ticket': TICKET}


class Connection(Model):
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    contact = fields.ForeignKeyField('models.Contact', null=True, on_delete=fields.CASCADE, related_name='connections')
    company = fields.ForeignKeyField('models.Company', null=True, on_delete=fields.CASCADE, related_name='connections')
    project = fields.ForeignKeyField('models.Project', null=True, on_delete=fields.CASCADE, related_name='connections')
    task = fields.ForeignKeyField('models.Task', null=True, on_delete=fields.CASCADE, related_name='connections')
    ticket = fields.ForeignKeyField('models.Ticket', null=True, on_delete=fields.CASCADE, related_name='connections')
    created_by = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = 'connections'
        # the same pair is linked once (a NULL end never collides, so each rule only binds its own pair);
        # the record end leads each rule, which also indexes "the connections of this contact/company"
        unique_together = tuple((record, work) for record in RECORD_NAMES for work in WORK_KINDS)
        indexes = [Index(fields=('project_id',)), Index(fields=('task_id',)), Index(fields=('ticket_id',))]

    @property
    def record_end(self) -> tuple[str, int]:
        return next((name, getattr(self, f'{name}_id')) for name in RECORD_NAMES if getattr(self, f'{name}_id'))

    @property
    def work_end(self) -> tuple[str, int]:
        return next((name, getattr(self, f'{name}_id')) for name in WORK_KINDS if getattr(self, f'{name}_id'))
