"""A contact or company as a vCard (3.0, what iOS and macOS accept, or 4.0), and a vCard a client PUTs as the fields
of a contact or company plus what Rubrica keeps aside for it (its UID and the properties Rubrica has no field for).

Cards are written here line by line (RFC 6350's escaping and folding, the same in 3.0), not through vobject: a
first sync of 100,000 cards writes 100,000 of them, and vobject's serializer takes ~200 µs a card where these few
lines take a tenth of that. What clients send is read with vobject, which knows every client's quirks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ValidationFailed
from ..i18n import _
from ..mentions import readable
from ..records.tables import CONTACT, Contact, Kind, Record

VERSIONS = ('3.0', '4.0')
MAX_CARD_CHARS = 256 * 1024  # a card a client PUTs, photos included
MAX_EXTRA_CHARS = 128 * 1024  # what is kept of the properties Rubrica has no field for
PRODID = '-//Rubrica//CardDAV//EN'

# The properties Rubrica writes from its own fields: a client's are read into the fields, never kept aside. Any other
# property (a photo, a birthday, a nickname, a client's X- property) is kept as the client wrote it and given back.
OWN_PROPERTIES = frozenset({'BEGIN', 'END', 'VERSION', 'PRODID', 'UID', 'FN', 'N', 'ORG', 'TITLE', 'CATEGORIES',
                            'EMAIL', 'TEL', 'ADR', 'NOTE', 'URL', 'REV', 'KIND', 'X-ABSHOWAS', 'X-RUBRICA-VAT',
                            'X-RUBRICA-TYPE', 'X-RUBRICA-PEC', 'X-RUBRICA-VISIBILITY'})
_PROPERTY_NAME = re.compile(r'(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)')
_FOLD = re.compile(r'\r?\n[ \t]')


def escape(value: str) -> str:
    """A text value as RFC 6350 §3.4 writes it."""
    return (value.replace('\\', '\\\\').replace(';', '\\;').replace(',', '\\,').replace('\r\n', '\\n')
            .replace('\n', '\\n').replace('\r', '\\n'))


def fold(line: str) -> str:
    """A content line cut at 75 octets, each further piece starting with a space (never inside a UTF-8 character)."""
    if len(line) <= 75 and line.isascii():
        return line
    pieces, current, size = [], [], 0
    for char in line:
        width = len(char.encode())
        if size + width > (75 if not pieces else 74):
            pieces.append(''.join(current))
            current, size = [], 0
        current.append(char)
        size += width
    pieces.append(''.join(current))
    return '\r\n '.join(pieces)


@dataclass
class CardView:
    """What one card shows beyond its record: the card's UID and kept properties, the name of the contact's company
    (only when the reader may see it), and the address of the record's page."""
    uid: str
    extra: str = ''
    company_name: str = ''
    link: str = ''


def default_uid(kind: Kind, record: Record) -> str:
    return f'rubrica-{kind.name}-{record.id}'


def write(kind: Kind, record: Record, view: CardView, version: str = '3.0') -> str:
    """The record as one vCard of `version`, CRLF line ends, folded."""
    four = version == '4.0'
    lines = ['BEGIN:VCARD', f'VERSION:{version}', f'PRODID:{PRODID}', f'UID:{escape(view.uid)}']
    if kind is CONTACT:
        contact: Contact = record  # type: ignore[assignment]
        name = contact.display_name or (contact.emails[0] if contact.emails else '')
        lines.append(f'FN:{escape(name)}')
        lines.append(f'N:{escape(contact.last_name)};{escape(contact.first_name)};;;')
        if view.company_name:
            lines.append(f'ORG:{escape(view.company_name)}')
        if contact.role:
            lines.append(f'TITLE:{escape(contact.role)}')
    else:
        name = record.name  # type: ignore[attr-defined]
        lines.append(f'FN:{escape(name)}')
        if four:
            lines.append('KIND:org')
        else:
            lines += [f'N:{escape(name)};;;;', 'X-ABShowAs:COMPANY']
        lines.append(f'ORG:{escape(name)}')
    if record.type:
        lines.append(f'CATEGORIES:{escape(record.type)}')
    for number, email in enumerate(record.emails):
        kinds = ('INTERNET,PREF' if not four else 'work') if number == 0 else 'INTERNET' if not four else 'work'
        pref = ';PREF=1' if four and number == 0 else ''
        lines.append(f'EMAIL;TYPE={kinds}{pref}:{escape(email)}')
    if record.pec:  # Italy's certified mail: marked, and read back as the PEC on a PUT
        lines.append(f'EMAIL;TYPE={"pec" if four else "INTERNET,PEC"}:{escape(record.pec)}')
    for phone in record.phones:
        lines.append(f'TEL;VALUE=uri;TYPE=voice:tel:{phone}' if four else f'TEL;TYPE=VOICE:{phone}')
    for address in record.addresses:
        parts = [address.get(key) or '' for key in ('street', 'city', 'province', 'postal_code', 'country')]
        lines.append('ADR;TYPE=WORK:;;' + ';'.join(escape(str(part)) for part in parts))
    if record.vat_number:
        lines.append(f'X-RUBRICA-VAT:{escape(record.vat_number)}')
    if record.description:
        lines.append(f'NOTE:{escape(readable(record.description))}')
    if view.link:
        lines.append(f'URL:{escape(view.link)}')
    stamp = record.updated_at.strftime('%Y%m%dT%H%M%SZ') if record.updated_at else ''
    if stamp:
        lines.append(f'REV:{stamp}')
    text = '\r\n'.join(fold(line) for line in lines)
    if view.extra:
        text += '\r\n' + view.extra.replace('\n', '\r\n')
    return text + '\r\nEND:VCARD\r\n'


# ---------------------------------------------------------------- reading what a client PUTs

@dataclass
class Incoming:
    """A client's card: the fields it gives (all of them: a property removed on the phone empties its field), the
    company its ORG names, and what is kept aside."""
    values: dict[str, object] = field(default_factory=dict)
    company: str = ''  # ORG, for a contact
    uid: str = ''
    extra: str = ''
    is_company: bool = False


def unfolded_lines(text: str) -> list[str]:
    return [line for line in _FOLD.sub('', text).replace('\r\n', '\n').replace('\r', '\n').split('\n') if line]


def kept_lines(text: str) -> str:
    """The card's properties Rubrica has no field for, unfolded, one per line, as the client wrote them. An URL is
    kept unless it is the link to the record's page that Rubrica wrote."""
    kept = []
    for line in unfolded_lines(text):
        match = _PROPERTY_NAME.match(line)
        name = match.group(1).upper() if match else ''
        if name and name not in OWN_PROPERTIES:
            kept.append(line)
    return '\n'.join(kept)


def _text(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ' '.join(_text(v) for v in value if v).strip()
    return str(value or '').strip()


def _structured(value: object, names: tuple[str, ...]) -> dict[str, str]:
    if isinstance(value, str):  # vCard 4.0: vobject leaves N and ADR as one string
        parts = [p.replace('\\;', ';').replace('\\,', ',').replace('\\n', '\n').strip()
                 for p in re.split(r'(?<!\\);', value)]
        return dict(zip(names, parts + [''] * len(names)))
    return {name: _text(getattr(value, name, '')) for name in names}


def read(text: str) -> Incoming:
    """The card a client sent, or ValidationFailed naming `vcard` when it is none (too long, unreadable, not one
    VCARD). Nothing is checked against the organization's rules here: the save does that (records.service)."""
    import vobject  # third-party, imported when first needed

    if len(text) > MAX_CARD_CHARS:
        raise ValidationFailed.one('vcard', _('is longer than {most} KiB, the most a card may be',
                                              most=MAX_CARD_CHARS // 1024))
    try:
        card = vobject.readOne(text)
    except Exception as e:  # vobject raises many kinds of parse errors
        raise ValidationFailed.one('vcard', _('is not a readable vCard ({reason})', reason=str(e)[:200])) from None
    if getattr(card, 'name', '').upper() != 'VCARD':
        raise ValidationFailed.one('vcard', _('is not a vCard'))
    contents = card.contents
    incoming = Incoming(uid=_text(contents['uid'][0].value) if 'uid' in contents else '')
    incoming.extra = kept_lines(text)
    if len(incoming.extra) > MAX_EXTRA_CHARS:
        raise ValidationFailed.one('vcard', _('is longer than {most} KiB, the most a card may be',
                                              most=MAX_EXTRA_CHARS // 1024))
    kind = _text(contents['kind'][0].value).lower() if 'kind' in contents else ''
    shown_as = _text(contents['x-abshowas'][0].value).upper() if 'x-abshowas' in contents else ''
    incoming.is_company = kind == 'org' or shown_as == 'COMPANY'
    values = incoming.values
    org = ''
    if 'org' in contents:
        value = contents['org'][0].value
        org = _text(value[0] if isinstance(value, (list, tuple)) and value else
                    _structured(value, ('name',))['name'] if isinstance(value, str) else value)
    if incoming.is_company:
        values['name'] = org or (_text(contents['fn'][0].value) if 'fn' in contents else '')
    else:
        if 'n' in contents:
            name = _structured(contents['n'][0].value, ('family', 'given', 'additional', 'prefix', 'suffix'))
            values['first_name'], values['last_name'] = name['given'], name['family']
        if not values.get('first_name') and not values.get('last_name') and 'fn' in contents:
            values['first_name'], values['last_name'] = '', _text(contents['fn'][0].value)
        values['role'] = _text(contents['title'][0].value) if 'title' in contents else ''
        incoming.company = org
    categories = contents['categories'][0].value if 'categories' in contents else []
    values['type'] = _text(categories[0] if isinstance(categories, (list, tuple)) and categories else categories)
    emails, pec = [], ''
    for line in contents.get('email', []):
        types = {t.upper() for value in line.params.get('TYPE', []) for t in value.split(',')}
        if 'PEC' in types and not pec:
            pec = _text(line.value)
        elif _text(line.value):
            emails.append(_text(line.value))
    values['emails'], values['pec'] = emails, pec
    phones = []
    for line in contents.get('tel', []):
        number = _text(line.value)
        if number:
            phones.append(number[4:] if number.lower().startswith('tel:') else number)
    values['phones'] = phones
    addresses = []
    for line in contents.get('adr', []):
        parts = _structured(line.value, ('box', 'extended', 'street', 'city', 'region', 'code', 'country'))
        street = ', '.join(p for p in (parts['street'], parts['extended'], parts['box']) if p)
        address = {'street': street, 'city': parts['city'], 'postal_code': parts['code'],
                   'province': parts['region'], 'country': parts['country']}
        if any(address.values()):
            addresses.append(address)
    values['addresses'] = addresses
    values['description'] = _text(contents['note'][0].value) if 'note' in contents else ''
    if 'x-rubrica-vat' in contents:
        values['vat_number'] = _text(contents['x-rubrica-vat'][0].value)
    return incoming
