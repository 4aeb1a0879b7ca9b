"""The table of kiosk links: a token (stored as its digest) that opens one organization's public directory."""
from __future__ import annotations

import json

from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault
from tortoise.indexes import Index
from tortoise.models import Model

from ..validation import NAME_MAX

IDLE_DEFAULT = 60
# What a link shows besides the name, when it does not say (models/kiosk/service.py, KIOSK_FIELDS): the work
# contact details, never the type, the personal or extra emails and phones, the PEC or the addresses.
DEFAULT_FIELDS = ['company', 'role', 'sector', 'work_email', 'work_phone']


def default_fields() -> list[str]:
    return list(DEFAULT_FIELDS)


class KioskLink(Model):
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name='kiosk_links', on_delete=fields.CASCADE)
    name = fields.CharField(max_length=NAME_MAX)
    token_hash = fields.CharField(max_length=64, unique=True)
    hint = fields.CharField(max_length=16)  # the first characters, to tell links apart in a list
    idle_seconds = fields.IntField(default=IDLE_DEFAULT)
    frame_origins = fields.JSONField(default=list)  # ['https://intranet.example.com', ...]
    # what the screen shows and searches besides the name; links made before it existed get the default
    shown_fields = fields.JSONField(default=default_fields, db_default=SqlDefault(f"'{json.dumps(DEFAULT_FIELDS)}'"))
    # the language its screen speaks: '' follows the browser's Accept-Language, else one of models.i18n.LANGUAGES
    language = fields.CharField(max_length=8, default='', db_default='')
    created_by = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'kiosk_links'
        indexes = [Index(fields=('org_id', 'created_at'))]
