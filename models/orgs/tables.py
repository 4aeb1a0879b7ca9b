"""The tables of organizations: the organization itself, its memberships (with their role), the invitations
waiting for a sign-up (or for the invited account to confirm its address), and the items of its four option lists."""
from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from ..validation import NAME_MAX

FREE_QUOTA_BYTES = 104_857_600
OPTION_NAME_MAX = 100


class Role(str, Enum):
    """A member's role in one organization; what each role may do is decided in models/access.py."""
    OWNER = 'owner'
    MEMBER = 'member'
    GUEST = 'guest'


class Organization(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=NAME_MAX)
    country = fields.CharField(max_length=2, default='IT')
    plan = fields.CharField(max_length=16, default='free')
    storage_quota = fields.BigIntField(default=FREE_QUOTA_BYTES)
    storage_used = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = 'organizations'

    def __str__(self) -> str:
        return self.name


class Membership(Model):
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name='memberships', on_delete=fields.CASCADE)
    user = fields.ForeignKeyField('models.User', related_name='memberships', on_delete=fields.CASCADE)
    role = fields.CharField(max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = 'memberships'
        unique_together = (('org', 'user'),)

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER.value


class Invitation(Model):
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name='invitations', on_delete=fields.CASCADE)
    email = fields.CharField(max_length=254, db_index=True)
    role = fields.CharField(max_length=16)
    invited_by = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)
    # the digest of the token of the link that opens sign-up for this invitation (the last one made: inviting again
    # or "Copy new link" replaces it); None for invitations made before links existed
    token_hash = fields.CharField(max_length=64, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = 'invitations'
        unique_together = (('org', 'email'),)


class OptionItem(Model):
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name='options', on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=32)
    name = fields.CharField(max_length=OPTION_NAME_MAX)
    position = fields.IntField(default=0)

    class Meta:
        table = 'option_items'
        unique_together = (('org', 'kind', 'name'),)
