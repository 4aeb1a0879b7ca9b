"""What the CardDAV tests share: HTTP Basic headers of a Person (their email and their API token as app password),
and the bodies CardDAV clients send."""
from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import pytest

from tests.helpers import Person

DAV = '{DAV:}'
CARD = '{urn:ietf:params:xml:ns:carddav}'

PROPFIND_LIST = b'''<?xml version="1.0" encoding="utf-8"?>
<propfind xmlns="DAV:"><prop><resourcetype/><getcontenttype/><getetag/></prop></propfind>'''


def basic(person: Person, password: str | None = None) -> dict[str, str]:
    """The Authorization header a CardDAV client sends for this person: email and app password (their API token)."""
    token = password if password is not None else person.auth['Authorization'].removeprefix('Bearer ')
    raw = base64.b64encode(f'{person.email}:{token}'.encode()).decode()
    return {'Authorization': f'Basic {raw}'}


def responses(body: bytes) -> dict[str, ET.Element]:
    """The <response> elements of a 207 answer, by href."""
    root = ET.fromstring(body)
    return {r.findtext(f'{DAV}href'): r for r in root.findall(f'{DAV}response')}


def token_of(body: bytes) -> str:
    """The sync-token a sync-collection answer ends with."""
    return ET.fromstring(body).findtext(f'{DAV}sync-token')


def multiget(*hrefs: str, version: str | None = None) -> bytes:
    data = f'<C:address-data version="{version}"/>' if version else '<C:address-data/>'
    return (f'<?xml version="1.0"?><C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
            f'<D:prop><D:getetag/>{data}</D:prop>' + ''.join(f'<D:href>{h}</D:href>' for h in hrefs)
            + '</C:addressbook-multiget>').encode()


def sync_collection(token: str = '', data: bool = False) -> bytes:
    return (f'<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
            f'<D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/>'
            + ('<C:address-data/>' if data else '') + '</D:prop></D:sync-collection>').encode()


@pytest.fixture
def book(acme) -> str:
    return f'/dav/books/{acme.id}/'
