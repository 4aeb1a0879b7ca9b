"""The tables of contacts and companies, the rows that index them (mentions, lookup keys), and `Kind`: what
differs between the two kinds of record."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from ..validation import NAME_MAX


class Visibility(str, Enum):
    PUBLIC = 'public'
    PRIVATE = 'private'


class Record(Model):
    """What contacts and companies have in common (docs/product-rules.md, "Records and their fields")."""
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    type = fields.CharField(max_length=100, default='')
    description = fields.TextField(default='')
    emails = fields.JSONField(default=list)
    pec = fields.CharField(max_length=254, default='')
    phones = fields.JSONField(default=list)  # E.164
    addresses = fields.JSONField(default=list)
    vat_number = fields.CharField(max_length=32, default='')
    visibility = fields.CharField(max_length=8, default=Visibility.PUBLIC.value)
    version = fields.IntField(default=1)
    created_by = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)
    updated_by = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now_add=True)
    # folded name: sorts "Ángel" with "angel"; a company's is text.company_name_key ("Acme S.r.l." is "acme")
    sort_name = fields.CharField(max_length=255, default='')
    search_text = fields.TextField(default='')  # folded names, addresses and numbers, see models/records/search.py
    # in the trash since (None: not trashed): the gate (access.visibility_q) hides a trashed record everywhere but
    # the trash; its keys, mentions, attachments, connections, notes and history stay until it is purged
    deleted_at = fields.DatetimeField(null=True)
    deleted_by = fields.ForeignKeyField('models.User', null=True, on_delete=fields.SET_NULL, related_name=False)

    class Meta:
        abstract = True

    @property
    def is_private(self) -> bool:
        return self.visibility == Visibility.PRIVATE.value


# A caller's own records that are not public, counted for every total (access.visible_not_public): with deleted_at in
# the index the count reads the index alone, not each record's row (migration 0034_own_records_index)
OWN_INDEX = ('org_id', 'visibility', 'created_by_id', 'deleted_at')


class Company(Record):
    name = fields.CharField(max_length=NAME_MAX)
    sector = fields.CharField(max_length=100, default='')
    sdi_code = fields.CharField(max_length=7, default='', db_default='')  # Italy: codice destinatario SDI
    registration_number = fields.CharField(max_length=32, default='', db_default='')  # France: SIREN or SIRET

    class Meta:
        table = 'companies'
        indexes = [Index(fields=('org_id', 'sort_name')), Index(fields=('org_id', 'updated_at')),
                   Index(fields=('org_id', 'type')), Index(fields=OWN_INDEX),
                   Index(fields=('org_id', 'deleted_at')), Index(fields=('org_id', 'sector'))]

    @property
    def display_name(self) -> str:
        return self.name


class Contact(Record):
    first_name = fields.CharField(max_length=NAME_MAX, default='')
    last_name = fields.CharField(max_length=NAME_MAX, default='')
    role = fields.CharField(max_length=100, default='')
    company = fields.ForeignKeyField('models.Company', null=True, on_delete=fields.SET_NULL, related_name='contacts')

    class Meta:
        table = 'contacts'
        indexes = [Index(fields=('org_id', 'sort_name')), Index(fields=('org_id', 'updated_at')),
                   Index(fields=('org_id', 'type')), Index(fields=('org_id', 'role')),
                   Index(fields=('org_id', 'company_id')), Index(fields=OWN_INDEX),
                   Index(fields=('org_id', 'deleted_at')),
                   # a company's deletion sets its contacts' company to none: found by this index, not a scan
                   Index(fields=('company_id',))]

    @property
    def display_name(self) -> str:
        return f'{self.first_name} {self.last_name}'.strip()


class Mention(Model):
    """A user mentioned in a record's description: they see it even when it is private."""
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField('models.User', related_name=False, on_delete=fields.CASCADE)
    contact = fields.ForeignKeyField('models.Contact', null=True, related_name='mention_rows', on_delete=fields.CASCADE)
    company = fields.ForeignKeyField('models.Company', null=True, related_name='mention_rows', on_delete=fields.CASCADE)

    class Meta:
        table = 'mentions'
        # by user: what mentions me (the gate); by record: a record's mentions, and the cascade of its deletion
        indexes = [Index(fields=('user_id', 'contact_id')), Index(fields=('user_id', 'company_id')),
                   Index(fields=('contact_id',)), Index(fields=('company_id',))]


class RecordKey(Model):
    """One email, PEC, phone or VAT number of a record, normalized, so exact lookups (duplicates, import
    matching, copy) use an index whichever of the three slots holds the value."""
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    contact = fields.ForeignKeyField('models.Contact', null=True, related_name='keys', on_delete=fields.CASCADE)
    company = fields.ForeignKeyField('models.Company', null=True, related_name='keys', on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=8)  # email, pec, phone, vat
    value = fields.CharField(max_length=254)

    class Meta:
        table = 'record_keys'
        indexes = [Index(fields=('org_id', 'kind', 'value')), Index(fields=('contact_id',)),
                   Index(fields=('company_id',))]


class RecordCount(Model):
    """How many public contacts (or companies) outside the trash an organization has, kept by the database's
    triggers (migration 0026_record_counters) in the transaction of every write, whichever path makes it: with the
    caller's few private records it is the total of an unfiltered list (models/records/counts.py)."""
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=8)  # 'contact' or 'company'
    public = fields.IntField(default=0)

    class Meta:
        table = 'record_counts'
        unique_together = (('org', 'kind'),)


class RecordTypeCount(Model):
    """How many public contacts (or companies) of each type outside the trash an organization has, kept by the
    database's triggers (migration 0031_record_type_counts) like RecordCount: with the caller's few records that are
    not public, grouped by type, they are the dashboard's counts by type (models/records/dashboard.py). A type no
    public record has any more keeps its row at 0."""
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField('models.Organization', related_name=False, on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=8)  # 'contact' or 'company'
    type = fields.CharField(max_length=100)  # '' for records without a type
    public = fields.IntField(default=0)

    class Meta:
        table = 'record_type_counts'
        unique_together = (('org', 'kind', 'type'),)


@dataclass(frozen=True)
class Kind:
    """What differs between contacts and companies."""
    name: str  # 'contact' or 'company': also the foreign key name on Mention and RecordKey
    model: type[Record]
    own_fields: tuple[str, ...]
    options: dict[str, str] = field(default_factory=dict)  # field -> option list

    @property
    def fields(self) -> tuple[str, ...]:
        return COMMON_FIELDS + self.own_fields


@dataclass(frozen=True)
class Listed:
    """A contact or company as a list names it (the dashboard's and the kiosk's entries build on it)."""
    kind: str  # 'contact' or 'company'
    id: int
    name: str
    type: str

    @property
    def path(self) -> str:
        return f'/contacts/{self.id}' if self.kind == 'contact' else f'/companies/{self.id}'


COMMON_FIELDS = ('type', 'description', 'emails', 'pec', 'phones', 'addresses', 'vat_number', 'visibility')
CONTACT = Kind('contact', Contact, ('first_name', 'last_name', 'role', 'company_id', 'company_name'),
               {'type': 'contact_types', 'role': 'contact_roles'})
COMPANY = Kind('company', Company, ('name', 'sector', 'sdi_code', 'registration_number'), {'type': 'company_types', 'sector': 'sectors'})
KINDS = {'contact': CONTACT, 'company': COMPANY}
