"""The CardDAV server (RFC 6352 over WebDAV, RFC 4918; sync-collection, RFC 6578): one ASGI endpoint under /dav/
that reads the request, calls models/carddav, and answers in WebDAV's terms. No rule lives here.

Addresses:
    /.well-known/carddav          redirects to /dav/ (RFC 6764)
    /dav/                         the root: where the current user's principal is
    /dav/principal/               the signed-in user: their address book home
    /dav/books/                   the home: one address book per organization whose records they may see
    /dav/books/<org>/             an address book (its cards, CTag, sync token, REPORTs)
    /dav/books/<org>/<name>.vcf   a card: GET, PUT, DELETE

Every request logs in with HTTP Basic: the account's email and an app password (a personal API token).
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import unquote, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from models.accounts.service import authenticate_app_password
from models.accounts.tables import User
from models.carddav import books, trimming, writing
from models.carddav.vcards import VERSIONS
from models.errors import Conflict, Forbidden, NotFound, RateLimited, TooLarge, Unauthorized, ValidationFailed
from models.i18n import _
from models.orgs.tables import Membership
from web.client import client_address

from . import xml as dx
from .query import Filter, query_filter
from .xml import CALSERVER, CARDDAV, DAV, tag

ROOT = '/dav/'
PRINCIPAL = '/dav/principal/'
HOME = '/dav/books/'
METHODS = ('OPTIONS', 'GET', 'HEAD', 'PROPFIND', 'REPORT', 'PUT', 'DELETE')
VCARD_TYPE = 'text/vcard; charset=utf-8'
XML_TYPE = 'application/xml; charset=utf-8'
SYNC_TOKEN = re.compile(r'urn:rubrica:sync:(\d{1,10})-(\d{1,19})')
COMMON_HEADERS = {'DAV': '1, 3, addressbook', 'Allow': ', '.join(METHODS)}

# What each kind of resource says of itself when a client asks for all properties
RESOURCE_TYPES = {
    'root': '<d:collection/>',
    'principal': '<d:collection/><d:principal/>',
    'home': '<d:collection/>',
    'book': '<d:collection/><card:addressbook/>',
}
PRIVILEGES = ''.join(f'<d:privilege><d:{name}/></d:privilege>' for name in
                     ('read', 'write', 'write-content', 'bind', 'unbind', 'read-current-user-privilege-set'))
REPORTS = ''.join(f'<d:supported-report><d:report>{report}</d:report></d:supported-report>' for report in
                  ('<card:addressbook-multiget/>', '<card:addressbook-query/>', '<d:sync-collection/>'))
ADDRESS_DATA_TYPES = ''.join(f'<card:address-data-type content-type="text/vcard" version="{version}"/>'
                             for version in VERSIONS)


def well_known(request: Request) -> Response:
    """RFC 6764: a client given only the server's address finds the CardDAV service here, whatever the method."""
    return RedirectResponse(ROOT, status_code=301)


def sync_token_uri(actor: Membership, seq: int) -> str:
    return f'urn:rubrica:sync:{actor.org_id}-{seq}'


def book_path(org_id: int) -> str:
    return f'{HOME}{org_id}/'


# ---------------------------------------------------------------- the endpoint

async def endpoint(request: Request) -> Response:
    """Every method on every address under /dav/: a refusal from models/ becomes its WebDAV status here."""
    try:
        if request.method == 'OPTIONS':
            return Response(status_code=200, headers=COMMON_HEADERS)
        user = await _signed_in(request)
        return await _dispatch(request, user)
    except Unauthorized as e:
        return _plain(401, e.message, {'WWW-Authenticate': 'Basic realm="Rubrica", charset="UTF-8"'})
    except RateLimited as e:
        return _plain(429, e.message, {'Retry-After': str(e.retry_after)})
    except writing.PreconditionFailed as e:
        return _plain(412, e.message)
    except NotFound as e:
        return _plain(404, e.message)
    except Forbidden as e:
        return _plain(403, e.message)
    except Conflict as e:
        return _plain(409, e.message)
    except TooLarge as e:
        return _plain(413, e.message)
    except ValidationFailed as e:
        return _plain(422, e.message)
    except dx.BadRequest as e:
        return _plain(400, str(e))


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(message + '\n', status_code=status, media_type='text/plain; charset=utf-8',
                    headers={**COMMON_HEADERS, **(headers or {})})


async def _signed_in(request: Request) -> User:
    scheme, _space, encoded = request.headers.get('authorization', '').partition(' ')
    email = password = ''
    if scheme.lower() == 'basic':
        try:
            email, _colon, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(':')
        except (binascii.Error, UnicodeDecodeError):
            pass
    if not email and not password:
        raise Unauthorized(_('Log in with your email and an app password (Settings, Phones and mail apps)'))
    return await authenticate_app_password(email=email, password=password, client=client_address(request))


async def _dispatch(request: Request, user: User) -> Response:
    parts = [unquote(part) for part in request.url.path.removeprefix('/dav').strip('/').split('/') if part]
    method = request.method
    if len(parts) == 3 and parts[0] == 'books':
        actor = await books.book(user, _org_id(parts[1]))
        return await _card(request, actor, parts[2])
    if method not in ('PROPFIND', 'REPORT'):
        return _plain(405, _('This address is a collection: it takes PROPFIND and REPORT'))
    if not parts:
        resource = 'root'
    elif parts == ['principal']:
        resource = 'principal'
    elif parts == ['books']:
        resource = 'home'
    elif len(parts) == 2 and parts[0] == 'books':
        actor = await books.book(user, _org_id(parts[1]))
        return await _book(request, user, actor)
    else:
        raise NotFound('record', message=_('Nothing at this address'))
    if method == 'REPORT':
        return _plain(403, _('This collection takes no REPORT'))
    asked = dx.prop_request(dx.parse(await request.body()))
    own = _collection_props(resource, user)
    body = [dx.HEADER, dx.response(request.url.path, *_selected(own, asked))]
    if resource == 'home' and _depth(request) != '0':
        for actor in await books.address_books(user):
            body.append(dx.response(book_path(actor.org_id), *_selected(await _book_props(user, actor), asked)))
    body.append(dx.FOOTER)
    return _multistatus(''.join(body))


def _org_id(text: str) -> object:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else None


def _depth(request: Request) -> str:
    return request.headers.get('depth', 'infinity').strip().lower()


def _multistatus(body: str | AsyncIterator[bytes]) -> Response:
    if isinstance(body, str):
        return Response(body, status_code=207, media_type=XML_TYPE, headers=COMMON_HEADERS)
    return StreamingResponse(body, status_code=207, media_type=XML_TYPE, headers=COMMON_HEADERS)


def _selected(available: dict[str, str], asked: dx.PropRequest) -> tuple[dict[str, str], list[str]]:
    """The properties asked for that the resource has, and those it has not (404 in the answer)."""
    if asked.allprop:
        return available, []
    if asked.propname:
        return {name: '' for name in available}, []
    return ({name: available[name] for name in asked.names if name in available},
            [name for name in asked.names if name not in available])


def _user_props(user: User) -> dict[str, str]:
    principal = dx.href(PRINCIPAL)
    return {tag(DAV, 'current-user-principal'): principal, tag(DAV, 'principal-URL'): principal,
            tag(CARDDAV, 'addressbook-home-set'): dx.href(HOME)}


def _collection_props(resource: str, user: User) -> dict[str, str]:
    props = {tag(DAV, 'resourcetype'): RESOURCE_TYPES[resource], **_user_props(user)}
    if resource == 'principal':
        props[tag(DAV, 'displayname')] = dx.text(user.name)
    return props


async def _book_props(user: User, actor: Membership, token: int | None = None) -> dict[str, str]:
    token = await books.sync_token(actor) if token is None else token
    return {
        tag(DAV, 'resourcetype'): RESOURCE_TYPES['book'],
        tag(DAV, 'displayname'): dx.text(actor.org.name),
        tag(CARDDAV, 'addressbook-description'): dx.text(_('The contacts and companies of {organization} you '
                                                           'may see', organization=actor.org.name)),
        tag(CALSERVER, 'getctag'): dx.text(str(token)),
        tag(DAV, 'sync-token'): dx.text(sync_token_uri(actor, token)),
        tag(DAV, 'supported-report-set'): REPORTS,
        tag(CARDDAV, 'supported-address-data'): ADDRESS_DATA_TYPES,
        tag(CARDDAV, 'max-resource-size'): str(256 * 1024),
        tag(DAV, 'current-user-privilege-set'): PRIVILEGES,
        tag(DAV, 'owner'): dx.href(PRINCIPAL),
        **_user_props(user),
    }


def _card_props(entry: books.Entry, asked: dx.PropRequest) -> tuple[dict[str, str], list[str]]:
    available = {tag(DAV, 'getetag'): dx.text(entry.etag), tag(DAV, 'getcontenttype'): VCARD_TYPE,
                 tag(DAV, 'resourcetype'): ''}
    if entry.card is not None:
        available[tag(CARDDAV, 'address-data')] = dx.text(entry.card)
    found, missing = _selected(available, asked)
    if asked.allprop or asked.propname:
        found.pop(tag(CARDDAV, 'address-data'), None)  # not part of allprop (RFC 6352 §10.4)
    return found, missing


def _version(request: Request, asked: dx.PropRequest | None = None) -> str:
    """The vCard version the client asks for: in address-data's `version`, else in Accept; 3.0 by default."""
    if asked is not None and asked.address_version in VERSIONS:
        return asked.address_version
    accept = request.headers.get('accept', '')
    return '4.0' if re.search(r'text/vcard[^,]*version\s*=\s*"?4\.0', accept, re.IGNORECASE) else '3.0'


def _public_url(request: Request) -> str:
    return request.app.state.settings.public_url


# ---------------------------------------------------------------- an address book

async def _book(request: Request, user: User, actor: Membership) -> Response:
    root = dx.parse(await request.body())
    if request.method == 'PROPFIND':
        return await _propfind_book(request, user, actor, dx.prop_request(root))
    if root is None:
        raise dx.BadRequest('a REPORT needs a body')
    asked = dx.prop_request(root)
    if root.tag == tag(CARDDAV, 'addressbook-multiget'):
        names = [_card_name(actor, href.text or '') for href in root.iter(tag(DAV, 'href'))]
        return await _multiget(request, actor, asked, names)
    if root.tag == tag(CARDDAV, 'addressbook-query'):
        return _query(request, actor, asked, query_filter(root))
    if root.tag == tag(DAV, 'sync-collection'):
        return await _sync_collection(request, actor, asked, root.findtext(tag(DAV, 'sync-token')) or '')
    return _plain(403, _('This address book does not know that REPORT'))


def _card_name(actor: Membership, href: str) -> str:
    """The card name an href of this book names ('' for an href elsewhere)."""
    path = unquote(urlsplit(href.strip()).path)
    prefix = book_path(actor.org_id)
    return path[len(prefix):] if path.startswith(prefix) and '/' not in path[len(prefix):] else ''


async def _propfind_book(request: Request, user: User, actor: Membership, asked: dx.PropRequest) -> Response:
    token = await books.sync_token(actor)  # before the cards are read: see models/carddav/books.py
    own = dx.response(book_path(actor.org_id), *_selected(await _book_props(user, actor, token), asked))
    if _depth(request) == '0':
        return _multistatus(dx.HEADER + own + dx.FOOTER)
    cards = tag(CARDDAV, 'address-data') in asked.names
    version = _version(request, asked)

    async def body() -> AsyncIterator[bytes]:
        yield (dx.HEADER + own).encode()
        async for page in books.entries(actor, cards=cards, version=version, public_url=_public_url(request)):
            yield ''.join(dx.response(book_path(actor.org_id) + entry.name, *_card_props(entry, asked))
                          for entry in page).encode()
        yield dx.FOOTER.encode()
    return _multistatus(body())


async def _multiget(request: Request, actor: Membership, asked: dx.PropRequest, names: list[str]) -> Response:
    found, missing = await books.named_entries(actor, [name for name in names if name],
                                               version=_version(request, asked), public_url=_public_url(request))
    path = book_path(actor.org_id)
    body = [dx.HEADER]
    body += [dx.response(path + entry.name, *_card_props(entry, asked)) for entry in found]
    body += [dx.gone(path + name) for name in missing]
    body.append(dx.FOOTER)
    return _multistatus(''.join(body))


def _query(request: Request, actor: Membership, asked: dx.PropRequest, matcher: Filter) -> Response:
    version = _version(request, asked)
    path = book_path(actor.org_id)

    async def body() -> AsyncIterator[bytes]:
        yield dx.HEADER.encode()
        left = matcher.limit
        async for page in books.entries(actor, cards=True, version=version, public_url=_public_url(request)):
            chunk = []
            for entry in page:
                if left == 0:
                    break
                if matcher.matches(entry.card or ''):
                    chunk.append(dx.response(path + entry.name, *_card_props(entry, asked)))
                    left = None if left is None else left - 1
            yield ''.join(chunk).encode()
            if left == 0:
                break
        yield dx.FOOTER.encode()
    return _multistatus(body())


async def _sync_collection(request: Request, actor: Membership, asked: dx.PropRequest, token_text: str
                           ) -> Response:
    """RFC 6578: without a token, every card and a token; with one, what changed and what went since."""
    since = None
    if token_text.strip():
        match = SYNC_TOKEN.fullmatch(token_text.strip())
        if match is None or int(match.group(1)) != actor.org_id:
            return _invalid_token()
        since = int(match.group(2))
    token = await books.sync_token(actor)  # before the changes are read: a change meanwhile comes again next time
    if since is not None and (since > token or since < await trimming.horizon()):
        return _invalid_token()  # from the future, or older than the log keeps: the client syncs from the start
    cards = tag(CARDDAV, 'address-data') in asked.names
    version = _version(request, asked)
    path = book_path(actor.org_id)

    async def body() -> AsyncIterator[bytes]:
        yield dx.HEADER.encode()
        async for page in books.entries(actor, cards=cards, version=version, public_url=_public_url(request),
                                        since=since):
            yield ''.join(dx.response(path + entry.name, *_card_props(entry, asked)) for entry in page).encode()
        if since is not None:
            yield ''.join(dx.gone(path + name) for name in await books.removed_since(actor, since)).encode()
        yield f'<d:sync-token>{dx.text(sync_token_uri(actor, token))}</d:sync-token>{dx.FOOTER}'.encode()
    return _multistatus(body())


def _invalid_token() -> Response:
    return Response(dx.error(tag(DAV, 'valid-sync-token')), status_code=403, media_type=XML_TYPE,
                    headers=COMMON_HEADERS)


# ---------------------------------------------------------------- a card

async def _card(request: Request, actor: Membership, name: str) -> Response:
    method = request.method
    handlers: dict[str, Callable[[Request, Membership, str], Awaitable[Response]]] = {
        'GET': _get_card, 'HEAD': _get_card, 'PROPFIND': _propfind_card, 'PUT': _put_card, 'DELETE': _delete_card}
    if method not in handlers:
        return _plain(405, _('A card takes GET, PUT, DELETE and PROPFIND'))
    return await handlers[method](request, actor, name)


async def _one(request: Request, actor: Membership, name: str, version: str) -> books.Entry:
    found, _missing = await books.named_entries(actor, [name], version=version, public_url=_public_url(request))
    if not found:
        raise NotFound('record')
    return found[0]


async def _get_card(request: Request, actor: Membership, name: str) -> Response:
    entry = await _one(request, actor, name, _version(request))
    if request.headers.get('if-none-match', '').strip() == entry.etag:
        return Response(status_code=304, headers={**COMMON_HEADERS, 'ETag': entry.etag})
    body = (entry.card or '').encode()
    headers = {**COMMON_HEADERS, 'ETag': entry.etag}
    if request.method == 'HEAD':
        return Response(status_code=200, media_type=VCARD_TYPE, headers={**headers, 'Content-Length': str(len(body))})
    return Response(body, status_code=200, media_type=VCARD_TYPE, headers=headers)


async def _propfind_card(request: Request, actor: Membership, name: str) -> Response:
    asked = dx.prop_request(dx.parse(await request.body()))
    entry = await _one(request, actor, name, _version(request, asked))
    return _multistatus(dx.HEADER + dx.response(book_path(actor.org_id) + entry.name, *_card_props(entry, asked))
                        + dx.FOOTER)


async def _put_card(request: Request, actor: Membership, name: str) -> Response:
    try:
        text = (await request.body()).decode('utf-8')
    except UnicodeDecodeError:
        raise ValidationFailed.one('vcard', _('is not UTF-8 text')) from None
    written = await writing.put(actor, name, text, if_match=request.headers.get('if-match'),
                                if_none_match=request.headers.get('if-none-match'))
    return Response(status_code=201 if written.created else 204, headers={**COMMON_HEADERS, 'ETag': written.etag})


async def _delete_card(request: Request, actor: Membership, name: str) -> Response:
    await writing.delete(actor, name, if_match=request.headers.get('if-match'),
                         integrations=request.app.state.integrations)
    return Response(status_code=204, headers=COMMON_HEADERS)
