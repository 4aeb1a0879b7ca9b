"""The tables of files: attachments of contacts and companies (uploads and linked cloud files), and the users'
connected Google Drive and Dropbox accounts (their tokens encrypted)."""
from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

FILENAME_MAX = 255
CONTENT_TYPE_MAX = 255
OCTET_STREAM = 'application/octet-stream'


class Source(str, Enum):
    UPLOAD = 'upload'
    GOOGLE_DRIVE = 'google_drive'
    DROPBOX = 'dropbox'


LINKED_SOURCES = (Source.GOOGLE_DRIVE.value, Source.DROPBOX.value)
SOURCE_LABELS = {Source.UPLOAD.value: 'Upload', Source.GOOGLE_DRIVE.value: 'Google Drive',
                 Source.DROPBOX.value: 'Dropbox'}


class Attachment(Model):
    """A file of a contact or of a company (exactly one of the two foreign keys is set)."""
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    contact = fields.ForeignKeyField('models.Contact', null=True, related_name='attachments',
                                     on_delete=fields.CASCADE)
    company = fields.ForeignKeyField('models.Company', null=True, related_name='attachments',
                                     on_delete=fields.CASCADE)
    source = fields.CharField(max_length=16)
    filename = fields.CharField(max_length=FILENAME_MAX)  # the user's name, cleaned for display; never a path
    size = fields.BigIntField(null=True)  # bytes; unknown for some linked files
    content_type = fields.CharField(max_length=CONTENT_TYPE_MAX, default=OCTET_STREAM)
    storage_key = fields.CharField(max_length=255)  # the local store's key, or the provider's file id
    web_link = fields.TextField(default='')  # linked files: where the provider shows the file
    uploaded_by = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = 'attachments'
        indexes = [Index(fields=('contact_id', 'created_at')), Index(fields=('company_id', 'created_at')),
                   Index(fields=('org_id', 'source')), Index(fields=('source', 'storage_key'))]

    @property
    def is_upload(self) -> bool:
        return self.source == Source.UPLOAD.value


class CloudStatus(str, Enum):
    CONNECTED = 'connected'
    REVOKED = 'revoked'  # the provider refused the tokens: the user must reconnect


# The docstring below is also the table's description in the migrations, so it keeps naming the file where the
# tokens were sealed when the table was made; today that is models/files/cloud.py.
class CloudAccount(Model):
    """A Google Drive or Dropbox account of a user, with its tokens Fernet-encrypted (see models/cloud.py)."""
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField('models.User', related_name='cloud_accounts', on_delete=fields.CASCADE)
    provider = fields.CharField(max_length=16)
    tokens = fields.TextField()  # encrypted JSON: access token, refresh token, expiry
    expires_at = fields.DatetimeField(null=True)  # of the access token
    status = fields.CharField(max_length=16, default=CloudStatus.CONNECTED.value)
    connected_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = 'cloud_accounts'
        unique_together = (('user', 'provider'),)
