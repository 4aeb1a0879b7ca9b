"""Attachments of contacts and companies: uploaded files counted against the organization's quota, and files
linked from a user's Google Drive or Dropbox (through the user's connected account, see cloud.py).

Who may see a record may see and add its attachments; for anyone else they do not exist. The uploader, the
record's creator or an owner may delete one. An upload is written to the store first, then its space is
reserved with one conditional UPDATE in the same transaction that saves its row, so two uploads can never
pass the quota together and a refused or failed upload leaves nothing behind.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q, Subquery
from tortoise.transactions import in_transaction

from integrations import Integrations
from integrations.storage import FileEntry, TooBig

from .. import access, i18n
from ..access import Action, require
from ..errors import Forbidden, NotFound, TooLarge, ValidationFailed
from ..history import recording
from ..history.recording import FILE, Happened
from ..i18n import _
from ..orgs.tables import Membership, Organization
from ..pages import page_bounds
from ..records.service import get_record
from ..records.tables import COMPANY, CONTACT, Kind, Record
from . import cloud
from .storage import remove_files
from .tables import FILENAME_MAX, LINKED_SOURCES, OCTET_STREAM, SOURCE_LABELS, Attachment, Source

LIST_LIMIT = 200


# ---------------------------------------------------------------- names and types that are safe to show and serve

# Bidirectional overrides (U+202E...), zero-width characters, control characters: they disguise a name
# ("invoice\u202efdp.exe" reads "invoiceexe.pdf") or break display. Their Unicode categories cover them all.
_DROPPED_CATEGORIES = {'Cc', 'Cf', 'Cs', 'Co', 'Cn', 'Zl', 'Zp'}
_EXTENSION = re.compile(r'(\.[A-Za-z0-9]{1,16})$')


def display_filename(raw: object) -> str:
    """The user's filename as it may be shown and offered for download: its last path component, without
    invisible or control characters, at most 255 characters (keeping the extension), never empty."""
    text = unicodedata.normalize('NFC', raw if isinstance(raw, str) else '')
    text = text.replace('\\', '/').rsplit('/', 1)[-1]
    text = ''.join(' ' if ch.isspace() else ch for ch in text
                   if ch.isspace() or unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    text = re.sub(r' {2,}', ' ', text).strip(' .')
    if len(text) > FILENAME_MAX:
        extension = _EXTENSION.search(text)
        suffix = extension.group(1) if extension else ''
        text = text[:FILENAME_MAX - len(suffix)].rstrip(' .') + suffix
    return text or 'file'


_MEDIA_TYPE = re.compile(r'^[a-z0-9][a-z0-9!#$&^_.+-]{0,100}/[a-z0-9][a-z0-9!#$&^_.+-]{0,120}$')
# What a browser may be told a file is. Everything else (HTML, SVG, XML, JavaScript, unknown types) is served
# as application/octet-stream, so nothing uploaded can ever run as a page or a script on our origin.
_SERVABLE_PREFIXES = ('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/tiff', 'image/heic',
                      'audio/', 'video/', 'application/vnd.openxmlformats-officedocument.',
                      'application/vnd.oasis.opendocument.', 'application/vnd.ms-excel',
                      'application/vnd.ms-powerpoint')
_SERVABLE = {'application/pdf', 'text/plain', 'text/csv', 'application/zip', 'application/msword',
             'application/gzip', 'application/x-7z-compressed', 'application/rtf', 'text/rtf'}


def clean_content_type(raw: object) -> str:
    """The media type the client claimed, without parameters, if it is well formed; else octet-stream."""
    text = raw.split(';', 1)[0].strip().lower() if isinstance(raw, str) else ''
    return text if _MEDIA_TYPE.match(text) else OCTET_STREAM


def served_content_type(content_type: str) -> str:
    if content_type in _SERVABLE or (content_type.startswith(_SERVABLE_PREFIXES) and 'xml' not in content_type
                                      and 'script' not in content_type):
        return content_type
    return OCTET_STREAM


# ---------------------------------------------------------------- the gate

def visible_attachments(actor: Membership):
    """The attachments of the records the caller may see, as one query (the record gate as subqueries)."""
    contacts = access.visible(CONTACT, actor).values('id')
    companies = access.visible(COMPANY, actor).values('id')
    return Attachment.filter(org_id=actor.org_id) \
        .filter(Q(contact_id__in=Subquery(contacts)) | Q(company_id__in=Subquery(companies)))


def may_delete(actor: Membership, attachment: Attachment, record: Record) -> bool:
    """The person who added the file, the record's creator, or an owner of the organization."""
    return access.may_delete_attachment(actor, attachment, record)


async def get_attachment(actor: Membership, attachment_id: object) -> Attachment:
    if not access.is_id(attachment_id):
        raise NotFound('attachment')
    found = await visible_attachments(actor).filter(id=attachment_id).select_related('uploaded_by').first()
    if found is None:
        raise NotFound('attachment')
    return found


async def list_attachments(actor: Membership, kind: Kind, record_id: object, *, limit: int = LIST_LIMIT,
                           offset: int = 0) -> list[Attachment]:
    """A visible record's attachments, newest first, with who added them (one query)."""
    record = await get_record(kind, actor, record_id)
    limit, offset = page_bounds(limit, offset, max_limit=LIST_LIMIT)
    return await Attachment.filter(**{f'{kind.name}_id': record.id}).select_related('uploaded_by') \
        .order_by('-created_at', '-id').offset(offset).limit(limit)


# ---------------------------------------------------------------- uploads and the quota

def _mib(size: int) -> str:
    return _('{size} MiB', size=i18n.number(size / (1024 * 1024), '#,##0.0'))


def _larger_than_upload(limit: int) -> str:
    return _('The file is larger than the {size} a single upload may have', size=_mib(limit))


def _quota_message(org: Organization, size: int | None) -> str:
    sizes = {'used': _mib(org.storage_used), 'quota': _mib(org.storage_quota)}
    if size is None:
        return _('There is not enough space for this file: the organization uses {used} of its {quota}. Delete '
                 'files or ask for a larger plan.', **sizes)
    return _('There is not enough space for this file ({size}): the organization uses {used} of its {quota}. '
             'Delete files or ask for a larger plan.', size=_mib(size), **sizes)


async def add_upload(actor: Membership, kind: Kind, record_id: object, *, filename: object, content_type: object,
                     chunks: AsyncIterable[bytes], integrations: Integrations,
                     declared_size: int | None = None) -> Attachment:
    """Store an uploaded file for a visible record, within the per-file limit and the organization's quota.

    The file is written and renamed into place first (no database transaction is open meanwhile); then, in one
    transaction, the space is reserved with a conditional UPDATE and the row saved. If either fails, the file
    is removed and nothing counts.
    """
    record = await get_record(kind, actor, record_id)
    require(actor.role, Action.EDIT_RECORDS)
    name, media_type = display_filename(filename), clean_content_type(content_type)
    limit = integrations.max_upload_bytes
    org = await Organization.get(id=actor.org_id)
    room = max(0, org.storage_quota - org.storage_used)
    if declared_size is not None and declared_size > limit:
        raise TooLarge(_larger_than_upload(limit))
    if declared_size is not None and declared_size > room:
        raise TooLarge(_quota_message(org, declared_size))
    try:
        stored = await integrations.files.save(chunks, limit=min(limit, room))
    except TooBig:
        if room < limit:
            raise TooLarge(_quota_message(org, None)) from None
        raise TooLarge(_larger_than_upload(limit)) from None
    try:
        async with in_transaction():
            reserved = await Organization.filter(id=actor.org_id, storage_used__lte=F('storage_quota') - stored.size) \
                .update(storage_used=F('storage_used') + stored.size)
            if not reserved:
                raise TooLarge(_quota_message(await Organization.get(id=actor.org_id), stored.size))
            attachment = await Attachment.create(
                org_id=actor.org_id, source=Source.UPLOAD.value, filename=name, size=stored.size,
                content_type=media_type, storage_key=stored.key, uploaded_by_id=actor.user_id,
                **{f'{kind.name}_id': record.id})
            await _file_history(kind, record.id, actor, Happened.ATTACHMENT_ADDED, attachment)
    except IntegrityError:  # the record was deleted meanwhile
        await integrations.files.delete(stored.key)
        raise NotFound(kind.name) from None
    except BaseException:
        await integrations.files.delete(stored.key)
        raise
    return attachment


async def storage_usage(actor: Membership) -> tuple[int, int]:
    """Bytes used and the quota of the caller's organization."""
    org = await Organization.get(id=actor.org_id)
    return org.storage_used, org.storage_quota


# ---------------------------------------------------------------- linked files

async def add_link(actor: Membership, kind: Kind, record_id: object, *, source: object, file_id: object,
                   integrations: Integrations) -> Attachment:
    """Link a file of the caller's Google Drive or Dropbox to a visible record (premium organizations; it does
    not count against the quota). The file's name, size and link are asked from the provider, not the client."""
    record = await get_record(kind, actor, record_id)
    require(actor.role, Action.EDIT_RECORDS)
    if source not in LINKED_SOURCES:
        raise ValidationFailed.one('source', _('must be google_drive or dropbox'))
    if not isinstance(file_id, str) or not file_id.strip() or len(file_id) > 255 or '\x00' in file_id:
        raise ValidationFailed.one('file_id', _('must be the id of a file in your account'))
    cloud.require_premium(actor)
    try:
        entry: FileEntry = await cloud.with_account(actor.user_id, source, integrations,
                                                    lambda store, tokens: store.describe(tokens, file_id.strip()))
    except NotFound:
        raise ValidationFailed.one('file_id', _('is not a file in your {store}', store=SOURCE_LABELS[source])) from None
    if entry.is_folder:
        raise ValidationFailed.one('file_id', _('is a folder; choose a file'))
    web_link = entry.web_link if entry.web_link.startswith(('https://', 'http://')) else ''
    try:
        async with in_transaction():
            attachment = await Attachment.create(
                org_id=actor.org_id, source=source, filename=display_filename(entry.name), size=entry.size,
                content_type=clean_content_type(entry.content_type), storage_key=entry.id, web_link=web_link,
                uploaded_by_id=actor.user_id, **{f'{kind.name}_id': record.id})
            await _file_history(kind, record.id, actor, Happened.ATTACHMENT_ADDED, attachment)
    except IntegrityError:
        raise NotFound(kind.name) from None
    return attachment


async def _file_history(kind: Kind, record_id: int, actor: Membership, happened: Happened,
                        attachment: Attachment) -> None:
    """The record's history entry for a file added or removed (inside the caller's transaction)."""
    await recording.write_one(kind, record_id, org_id=actor.org_id, by_id=actor.user_id, happened=happened,
                              ref_kind=FILE, ref_id=attachment.id, ref_name=attachment.filename)


# ---------------------------------------------------------------- opening and deleting

@dataclass
class Download:
    """What the content endpoint sends: the bytes with a safe name and type, or a redirect to the provider."""
    filename: str
    content_type: str  # safe to serve (see served_content_type)
    size: int | None = None
    chunks: AsyncIterator[bytes] | None = None
    redirect: str | None = None


async def open_attachment(actor: Membership, attachment_id: object, *, integrations: Integrations) -> Download:
    """The content of a visible attachment. Uploads come from the store; a Dropbox file redirects to a fresh
    temporary link and a Google Drive file is streamed through, both with the account that linked it. When
    that account is no longer connected, the browser goes to the provider's own page of the file."""
    attachment = await get_attachment(actor, attachment_id)
    content_type = served_content_type(attachment.content_type)
    if attachment.is_upload:
        if not await integrations.files.exists(attachment.storage_key):
            raise NotFound('file')
        return Download(attachment.filename, content_type, attachment.size,
                        chunks=integrations.files.read(attachment.storage_key))
    entry = FileEntry(id=attachment.storage_key, name=attachment.filename, size=attachment.size,
                      content_type=attachment.content_type, web_link=attachment.web_link)
    try:
        opened = await cloud.with_account(attachment.uploaded_by_id, attachment.source, integrations,
                                          lambda store, tokens: store.open(tokens, entry))
    except cloud.NotConnected:
        if not attachment.web_link:
            raise NotFound('file') from None
        return Download(attachment.filename, content_type, redirect=attachment.web_link)
    if opened.redirect:
        return Download(attachment.filename, content_type, redirect=opened.redirect)
    return Download(attachment.filename, content_type, None, chunks=opened.chunks)  # its size may have changed


def record_kind(attachment: Attachment) -> Kind:
    return CONTACT if attachment.contact_id is not None else COMPANY


async def record_of(attachment: Attachment) -> Record:
    kind = record_kind(attachment)
    return await kind.model.get(id=getattr(attachment, f'{kind.name}_id'))


async def delete_attachment(actor: Membership, attachment_id: object, *, integrations: Integrations) -> None:
    """Delete a visible attachment (the uploader, the record's creator or an owner); an upload frees its space."""
    attachment = await get_attachment(actor, attachment_id)
    if not may_delete(actor, attachment, await record_of(attachment)):
        raise Forbidden(_('Only the person who added this file, the creator of the record or an owner may delete it'))
    kind = record_kind(attachment)
    async with in_transaction():
        deleted = await Attachment.filter(id=attachment.id).delete()
        if deleted and attachment.is_upload and attachment.size:
            await Organization.filter(id=attachment.org_id).update(storage_used=F('storage_used') - attachment.size)
        if deleted:
            await _file_history(kind, getattr(attachment, f'{kind.name}_id'), actor, Happened.ATTACHMENT_REMOVED,
                                attachment)
    if deleted and attachment.is_upload:
        await remove_files(integrations, [attachment.storage_key])
