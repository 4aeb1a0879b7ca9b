"""The tables CardDAV adds beside the records (see models/carddav/__init__.py)."""
from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class DavCard(Model):
    """What a CardDAV client gave a card that Rubrica has no field for: its UID and the vCard properties Rubrica
    does not read (kept as the client wrote them and given back, so a phone never loses what it stored). A record
    nobody wrote through CardDAV has no row."""
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    contact = fields.ForeignKeyField('models.Contact', null=True, related_name=False, on_delete=fields.CASCADE)
    company = fields.ForeignKeyField('models.Company', null=True, related_name=False, on_delete=fields.CASCADE)
    uid = fields.CharField(max_length=255, default='')
    extra = fields.TextField(default='')  # unfolded vCard lines, one per line

    class Meta:
        table = 'dav_cards'
        indexes = [Index(fields=('contact_id',)), Index(fields=('company_id',))]


class DavChange(Model):
    """The number of the last change of one contact or company (`seq`, from DavCounter), written by the database's
    triggers on every insert, update and delete of a record, of a mention, and of a company (which changes its
    contacts' cards). A deleted record keeps its row, so a sync learns of the deletion, under the name the client
    knows. Not a foreign key: it outlives its record.

    `name` is the last segment of the card's address when a client chose it (a PUT of a new card to `<uid>.vcf`);
    empty, the name is `contact-<id>.vcf` / `company-<id>.vcf`."""
    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=8)  # 'contact' or 'company'
    record_id = fields.IntField()
    org_id = fields.IntField()
    seq = fields.BigIntField()
    name = fields.CharField(max_length=255, null=True)

    class Meta:
        table = 'dav_changes'
        unique_together = (('kind', 'record_id'), ('org_id', 'name'))
        indexes = [Index(fields=('org_id', 'seq'))]


class DavLog(Model):
    """Who could see a record just before change `seq`: everyone in its organization (`public`), or its creator
    (`user_id`), or a user whose mention was removed. A sync tells a user a record is gone only when a row since
    their token says they could see it: never a record they could not have seen."""
    id = fields.IntField(primary_key=True)
    seq = fields.BigIntField()
    kind = fields.CharField(max_length=8)
    record_id = fields.IntField()
    user_id = fields.IntField(null=True)
    public = fields.BooleanField(default=False)

    class Meta:
        table = 'dav_log'
        indexes = [Index(fields=('kind', 'record_id', 'seq')), Index(fields=('seq',))]


class DavCounter(Model):
    """One row (id 1): the last change number given. Writers take its row lock until they commit, so numbers
    become visible in order and a sync token never skips a change committed later with a smaller number."""
    id = fields.IntField(primary_key=True)
    value = fields.BigIntField(default=0)

    class Meta:
        table = 'dav_counter'


class DavTrim(Model):
    """A checkpoint of the change sequence (`seq`, the counter's value `at` a moment), written by each daily trim
    (trimming.py). The newest checkpoint older than the time a sync token is kept becomes the horizon (`applied`):
    the log up to it is deleted, and a token from before it is refused (the client syncs again from the start)."""
    id = fields.IntField(primary_key=True)
    at = fields.DatetimeField()
    seq = fields.BigIntField()
    applied = fields.BooleanField(default=False)

    class Meta:
        table = 'dav_trims'
