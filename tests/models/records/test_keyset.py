"""Keyset pagination (models/records/keyset.py through records.list_records(cursor=...)): a walk by cursors sees the
same rows in the same order as pages by offset, forwards and backwards, in every sort; it sees every row exactly once
while rows are added and changed between its pages (where pages by offset repeat or skip rows); and a cursor that is
not this list's is refused."""
from __future__ import annotations

import pytest

from models.errors import ValidationFailed
from models.records import keyset
from models.records.service import create_record, list_records, update_record
from models.records.tables import COMPANY, CONTACT

FIRST = ('Anna', 'Marco', 'Zoë', 'Ángel', 'anna')
LAST = ('Rossi', 'Bianchi', 'Marino', 'Rossi')  # repeated names: ties the id settles
TYPES = ('Client', 'Supplier', '')


@pytest.fixture
async def crowd(acme) -> list[int]:
    owner = acme.owner.membership
    companies = [await create_record(COMPANY, owner, {'name': name}) for name in ('Marini Spa', 'Acme', 'Zeta Srl')]
    private = await create_record(COMPANY, acme.member.membership, {'name': 'Hidden Srl', 'visibility': 'private'})
    ids = []
    for n in range(26):
        record = await create_record(CONTACT, owner, {
            'first_name': FIRST[n % len(FIRST)], 'last_name': LAST[n % len(LAST)], 'type': TYPES[n % len(TYPES)],
            'emails': [f'p{n}@mare.example'],
            'company_id': (companies + [None])[n % 4].id if n % 4 < 3 else None})
        ids.append(record.id)
    ids.append((await create_record(CONTACT, acme.member.membership, {
        'first_name': 'Maria', 'last_name': 'Privata', 'company_id': private.id, 'visibility': 'private'})).id)
    return ids


async def walk(actor, *, backwards_from_end: bool = False, between=None, **options) -> list[int]:
    """The ids of every page of a walk by cursors (from the last page back to the first, `backwards_from_end`)."""
    seen: list[int] = []
    page = await list_records(CONTACT, actor, limit=4, **options)
    while True:
        seen.extend(r.id for r in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
        if between:
            await between(len(seen))
        page = await list_records(CONTACT, actor, limit=4, cursor=cursor, **options)
    if not backwards_from_end:
        return seen
    back: list[int] = []
    while True:
        back[:0] = [r.id for r in page.items]
        if page.previous_cursor is None:
            return back
        page = await list_records(CONTACT, actor, limit=4, cursor=page.previous_cursor, **options)


async def by_offset(actor, **options) -> list[int]:
    return [r.id for r in (await list_records(CONTACT, actor, limit=200, **options)).items]


SORTS = [('name', False), ('name', True), ('updated', True), ('type', False), ('type', True), ('company', False),
         ('company', True)]


@pytest.mark.parametrize(('sort', 'descending'), SORTS)
@pytest.mark.parametrize('q', ['', 'mar', 'ro'])
async def test_a_cursor_walk_is_the_list_in_order_both_ways(acme, crowd, sort, descending, q):
    member = acme.member.membership
    expected = await by_offset(member, q=q, sort=sort, descending=descending)
    assert len(expected) > 4, 'more than one page'
    assert await walk(member, q=q, sort=sort, descending=descending) == expected
    assert await walk(member, q=q, sort=sort, descending=descending, backwards_from_end=True) == expected


@pytest.mark.parametrize('q', ['mar', 'ma', 'rossi', 'p1'])
async def test_a_cursor_walk_by_relevance(acme, crowd, q):
    member = acme.member.membership
    expected = await by_offset(member, q=q, sort='relevance')
    assert await walk(member, q=q, sort='relevance') == expected
    assert await walk(member, q=q, sort='relevance', backwards_from_end=True) == expected


async def test_the_walk_follows_the_gate(acme, crowd):
    """The member's private contact is in the member's walk, not in a colleague's."""
    assert crowd[-1] in await walk(acme.member.membership)
    assert sorted(await walk(acme.owner.membership)) == sorted(crowd[:-1])


@pytest.mark.parametrize(('sort', 'descending'), [('name', False), ('name', True), ('updated', True)])
async def test_a_walk_sees_every_row_once_while_rows_are_added_and_changed(acme, crowd, sort, descending):
    """Between pages, contacts are added at both ends of the order (by name), and the first and last contacts
    already shown are changed (by last update, newest first, that moves them to the start). Pages by offset would
    show a row twice; the walk sees every contact there at the start exactly once, and no row twice."""
    owner, member = acme.owner.membership, acme.member.membership
    original = await by_offset(member, sort=sort, descending=descending)
    shown: list[int] = []

    async def between(seen: int) -> None:
        for name in ('Aaron', 'Zzz'):
            await create_record(CONTACT, owner, {'first_name': name, 'last_name': f'{seen}'})
        for record_id in (shown[0], shown[-1]):
            record = await CONTACT.model.get(id=record_id)
            await update_record(CONTACT, member, record_id, {'type': 'Partner'}, record.version)

    page = await list_records(CONTACT, member, limit=4, sort=sort, descending=descending)
    while True:
        shown.extend(r.id for r in page.items)
        if page.next_cursor is None:
            break
        await between(len(shown))
        page = await list_records(CONTACT, member, limit=4, sort=sort, descending=descending,
                                  cursor=page.next_cursor)
    assert len(shown) == len(set(shown)), 'no row twice'
    assert set(original) <= set(shown), 'every row there at the start'


async def test_cursors_of_another_list_or_made_up_are_refused(acme, crowd):
    member = acme.member.membership
    page = await list_records(CONTACT, member, limit=4, sort='name')
    for sort, descending in (('updated', False), ('name', True), ('type', False)):
        with pytest.raises(ValidationFailed) as refused:
            await list_records(CONTACT, member, limit=4, sort=sort, descending=descending, cursor=page.next_cursor)
        assert set(refused.value.errors) == {'cursor'}
    for made_up in ('', 'nonsense', 'W10', '!!', 'x' * 5000, 'WyJuYW1lIixmYWxzZSxmYWxzZSxbMSwyXV0'):
        with pytest.raises(ValidationFailed) as refused:
            await list_records(CONTACT, member, limit=4, cursor=made_up)
        assert set(refused.value.errors) == {'cursor'}, made_up
    with pytest.raises(ValidationFailed) as refused:
        await list_records(CONTACT, member, limit=4, offset=4, cursor=page.next_cursor)
    assert set(refused.value.errors) == {'offset'}


async def test_the_first_and_last_pages_say_so(acme, crowd):
    member = acme.member.membership
    first = await list_records(CONTACT, member, limit=4)
    assert first.previous_cursor is None and first.next_cursor
    whole = await list_records(CONTACT, member, limit=200)
    assert whole.previous_cursor is None and whole.next_cursor is None
    assert whole.total == len(whole.items) == len(crowd)
    later = await list_records(CONTACT, member, limit=4, cursor=first.next_cursor)
    assert later.total == len(crowd) and later.previous_cursor
    back = await list_records(CONTACT, member, limit=4, cursor=later.previous_cursor)
    assert [r.id for r in back.items] == [r.id for r in first.items]
    place = keyset.read(first.next_cursor, 'name', False, ('sort_name', 'id'), CONTACT.model)
    assert place.values[-1] == first.items[-1].id
