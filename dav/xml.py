"""WebDAV's XML: reading what a client asks (PROPFIND, REPORT bodies) with the standard library, and writing the
207 Multi-Status answer as text, a response at a time, so a listing of 100,000 cards streams instead of being built
as one tree in memory."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import quote
from xml.sax.saxutils import escape

DAV = 'DAV:'
CARDDAV = 'urn:ietf:params:xml:ns:carddav'
CALSERVER = 'http://calendarserver.org/ns/'
PREFIXES = {DAV: 'd', CARDDAV: 'card', CALSERVER: 'cs'}
MAX_BODY = 1024 * 1024  # web/limits.py refuses larger bodies before they are read


def tag(namespace: str, name: str) -> str:
    return f'{{{namespace}}}{name}'


class BadRequest(Exception):
    """The body is not the XML the method expects."""


def parse(body: bytes) -> ET.Element | None:
    """The request's XML document, or None for an empty body. No DTDs: a document that declares one (entities that
    expand a billion times) is refused before it is parsed."""
    if not body.strip():
        return None
    if b'<!DOCTYPE' in body.upper() or b'<!ENTITY' in body.upper():
        raise BadRequest('DTDs are not accepted')
    try:
        return ET.fromstring(body)
    except ET.ParseError as e:
        raise BadRequest(f'not well-formed XML: {e}') from None


@dataclass
class PropRequest:
    """Which properties the client asks for: `names` (Clark notation), or all of them (`allprop`), or only their
    names (`propname`). `address_version`: the vCard version asked for in CARDDAV:address-data, if any."""
    names: list[str] = field(default_factory=list)
    allprop: bool = False
    propname: bool = False
    address_version: str | None = None


def prop_request(element: ET.Element | None) -> PropRequest:
    """The properties a PROPFIND or a REPORT asks for: its `prop`, `allprop` or `propname` child (none: allprop)."""
    if element is None:
        return PropRequest(allprop=True)
    if element.find(tag(DAV, 'allprop')) is not None:
        return PropRequest(allprop=True)
    if element.find(tag(DAV, 'propname')) is not None:
        return PropRequest(propname=True)
    prop = element.find(tag(DAV, 'prop'))
    if prop is None:
        return PropRequest(allprop=True)
    request = PropRequest(names=[child.tag for child in prop])
    data = prop.find(tag(CARDDAV, 'address-data'))
    if data is not None:
        request.address_version = data.get('version')
    return request


def qname(clark: str) -> str:
    """'{DAV:}getetag' as 'd:getetag' (with our prefixes) or, for an unknown namespace, 'x:name' with its xmlns."""
    namespace, _, name = clark[1:].partition('}') if clark.startswith('{') else ('', '', clark)
    if namespace in PREFIXES:
        return f'{PREFIXES[namespace]}:{name}'
    return f'x:{name} xmlns:x="{escape(namespace, {chr(34): "&quot;"})}"' if namespace else name


def element(clark: str, inner: str = '') -> str:
    opening = qname(clark)
    closing = opening.split(' ', 1)[0]
    return f'<{opening}/>' if not inner else f'<{opening}>{inner}</{closing}>'


def text(value: str) -> str:
    return escape(value)


def href(path: str) -> str:
    return f'<d:href>{escape(quote(path, safe="/@:"))}</d:href>'


HEADER = ('<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus xmlns:d="DAV:" '
          'xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/">')
FOOTER = '</d:multistatus>'


def response(path: str, found: dict[str, str], missing: list[str] = ()) -> str:
    """One <response>: the properties found (Clark name -> inner XML) with 200, the others with 404."""
    parts = [f'<d:response>{href(path)}']
    if found:
        parts.append('<d:propstat><d:prop>' + ''.join(element(name, inner) for name, inner in found.items())
                     + '</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>')
    if missing:
        parts.append('<d:propstat><d:prop>' + ''.join(element(name) for name in missing)
                     + '</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>')
    parts.append('</d:response>')
    return ''.join(parts)


def gone(path: str) -> str:
    """A <response> saying the resource is gone (a removal in sync-collection, an unknown href in multiget)."""
    return f'<d:response>{href(path)}<d:status>HTTP/1.1 404 Not Found</d:status></d:response>'


def error(condition: str) -> str:
    """A <d:error> body naming a precondition (RFC 4918 §16), e.g. '{DAV:}valid-sync-token'."""
    return ('<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" '
            f'xmlns:card="urn:ietf:params:xml:ns:carddav">{element(condition)}</d:error>')
