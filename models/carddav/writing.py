"""What a phone writes: a PUT of a new card creates a contact (a company for an organization card), a PUT over a
card changes its record, a DELETE deletes it. Every save goes through models/records/service (the gate, the role table, the form's checks, the version), so
what a phone may do is what the same person may do on a page, and a bad value is refused with nothing saved.

Preconditions (RFC 7232, as CardDAV clients use them): `If-Match` with the card's ETag changes or deletes it only
if nobody changed it since (else PreconditionFailed, 412); `If-None-Match: *` creates only a new card.
"""
from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from integrations import Integrations

from .. import access
from ..errors import Conflict, NotFound, ValidationFailed
from ..i18n import _
from ..mentions import readable
from ..orgs.tables import Membership
from ..records import service as records
from ..records.tables import COMPANY, CONTACT, KINDS, Contact, Kind, Record
from ..text import company_name_key
from . import books
from .tables import DavCard, DavChange
from .vcards import Incoming, read


class PreconditionFailed(Conflict):
    """The card changed since the client read it (If-Match), or exists when it should not (If-None-Match: *)."""


@dataclass
class Written:
    name: str
    etag: str
    created: bool


async def current_etag(kind: Kind, record_id: int) -> str:
    seq = await DavChange.filter(kind=kind.name, record_id=record_id).values_list('seq', flat=True)
    return books.etag(kind, record_id, seq[0] if seq else 0)


async def _company_fields(actor: Membership, incoming: Incoming, existing: Contact | None) -> dict:
    """ORG as the contact's company: the same company when it names the one the contact has (as the reader sees
    it); a visible company of that name; none when empty; else a new company of that name (as the form's
    'new company' does)."""
    name = incoming.company
    if existing is not None and existing.company_id:
        current = await access.visible(COMPANY, actor).filter(id=existing.company_id).first()
        if current is None:
            return {}  # a company the reader cannot see is not theirs to change
        if current.name == name:
            return {}
    if not name:
        return {'company_id': None} if existing is not None and existing.company_id else {}
    same = await access.visible(COMPANY, actor).filter(sort_name=company_name_key(name)[:255]).order_by('id').first()
    return {'company_id': same.id} if same is not None else {'company_name': name}


async def _fields(kind: Kind, actor: Membership, incoming: Incoming, existing: Record | None) -> dict:
    data = dict(incoming.values)
    if kind is COMPANY:
        for name in ('first_name', 'last_name', 'role'):
            data.pop(name, None)
        if not data.get('name') and existing is not None:
            data.pop('name', None)
    else:
        data.pop('name', None)
        data.update(await _company_fields(actor, incoming, existing))  # type: ignore[arg-type]
    if existing is not None:
        # the note a card shows has mentions as plain names: the same note back leaves the description (and so
        # who is mentioned, and who sees a private record) as it is
        shown = readable(existing.description).replace('\r\n', '\n').strip()
        if str(data.get('description', '')).replace('\r\n', '\n').strip() == shown:
            data.pop('description', None)
        for name in ('type', 'role', 'vat_number'):  # as stored, a value saved under other rules stays
            if name in data and (data[name] or '') == (getattr(existing, name, '') or ''):
                data.pop(name)
    return data


async def put(actor: Membership, name: str, text: str, *, if_match: str | None = None,
              if_none_match: str | None = None) -> Written:
    """Save the card a client PUT under `name`: a new contact, or a change of the record it names."""
    if not name.endswith('.vcf') or '/' in name or len(name) > 255:
        raise ValidationFailed.one('name', _('a card’s name ends with .vcf'))
    incoming = read(text)
    target = await books.find(actor, name)
    if target is None:
        if if_match is not None:
            raise PreconditionFailed(_('This card does not exist'))
        return await _create(actor, name, incoming)
    kind, record_id = target
    if if_none_match is not None and if_none_match.strip() == '*':
        raise PreconditionFailed(_('A card of this name exists already'))
    if if_match is not None and if_match.strip() not in ('*', await current_etag(kind, record_id)):
        raise PreconditionFailed(_('This card was changed since you read it'))
    record = await records.get_record(kind, actor, record_id)
    data = await _fields(kind, actor, incoming, record)
    async with in_transaction():
        await records.update_record(kind, actor, record_id, data, record.version)
        await _keep(actor, kind, record_id, incoming)
    return Written(name, await current_etag(kind, record_id), created=False)


async def _create(actor: Membership, name: str, incoming: Incoming) -> Written:
    if books.DEFAULT_NAME.fullmatch(name):
        raise Conflict(_('Names such as contact-1.vcf are Rubrica’s own: save a new card under another name'))
    taken = await DavChange.filter(org_id=actor.org_id, name=name).first()
    if taken is not None:
        if await KINDS[taken.kind].model.filter(id=taken.record_id).exists():
            raise Conflict(_('A card of this name exists already'))  # one this reader cannot see: not theirs
    kind = COMPANY if incoming.is_company else CONTACT  # an organization card (KIND:org, X-ABShowAs:COMPANY)
    data = await _fields(kind, actor, incoming, None)
    data['visibility'] = 'public'
    async with in_transaction():
        if taken is not None:  # the name of a deleted record: free again
            await DavChange.filter(id=taken.id).update(name=None)
        record = await records.create_record(kind, actor, data)
        await DavChange.filter(kind=kind.name, record_id=record.id).update(name=name)
        await _keep(actor, kind, record.id, incoming)
    return Written(name, await current_etag(kind, record.id), created=True)


async def _keep(actor: Membership, kind: Kind, record_id: int, incoming: Incoming) -> None:
    """The card's UID and the properties Rubrica has no field for, kept with the record."""
    await DavCard.filter(**{f'{kind.name}_id': record_id}).delete()
    if incoming.uid or incoming.extra:
        await DavCard.create(org_id=actor.org_id, uid=incoming.uid[:255], extra=incoming.extra,
                             **{f'{kind.name}_id': record_id})


async def delete(actor: Membership, name: str, *, if_match: str | None = None,
                 integrations: Integrations | None = None) -> None:
    """Delete the record a card names (records.service.delete_record: into the trash where there is one)."""
    target = await books.find(actor, name)
    if target is None:
        raise NotFound('record')
    kind, record_id = target
    if if_match is not None and if_match.strip() not in ('*', await current_etag(kind, record_id)):
        raise PreconditionFailed(_('This card was changed since you read it'))
    await records.delete_record(kind, actor, record_id, integrations=integrations)
