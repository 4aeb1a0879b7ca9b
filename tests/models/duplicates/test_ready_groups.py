"""The kept counts of shared values (DuplicateKey, migration 0027_duplicate_keys) and the scan built on them: after any
mix of creating, editing, hiding, trashing, restoring, deleting for good, importing (and undoing), merging (and
undoing) and copying, each organization's counts equal a GROUP BY over every key and name, and every person's scan
lists exactly the pairs a full scan of what they may see computes (private records only to their creator and the
people mentioned)."""
from __future__ import annotations

import importlib
import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import access
from models.duplicates.detection import MAX_PAGE_SIZE, PAIRS_PER_VALUE_MAX, scan
from models.duplicates.tables import DuplicateKey
from models.history import trash
from models.records import service as records
from models.records.tables import CONTACT, KINDS, RecordKey
from tests.models import write_steps

IDS_MAX = importlib.import_module('models.migrations.0033_duplicate_holders').IDS_MAX
names = itertools.count(1)


async def kept_counts(org_id: int) -> Counter:
    return Counter({(r.record, r.kind, r.value): r.holders for r in await DuplicateKey.filter(org_id=org_id)})


async def kept_holders(org_id: int) -> dict:
    """Each value's kept holder ids, as a sorted list (None where they are not kept)."""
    return {(r.record, r.kind, r.value): None if r.ids is None else sorted(int(i) for i in r.ids[1:-1].split(','))
            for r in await DuplicateKey.filter(org_id=org_id)}


async def holding(org_id: int) -> dict:
    """What the kept holders must be: the ids of the records of every key row and every non-empty folded name of the
    organization, one per row, grouped by value (None for a value held by more than IDS_MAX rows)."""
    expected: dict = {}
    for key in await RecordKey.filter(org_id=org_id):
        if key.contact_id or key.company_id:
            expected.setdefault(('contact' if key.contact_id else 'company', key.kind, key.value), []).append(
                key.contact_id or key.company_id)
    for kind in KINDS.values():
        for record_id, sort_name in await kind.model.filter(org_id=org_id).values_list('id', 'sort_name'):
            if sort_name:
                expected.setdefault((kind.name, 'name', sort_name), []).append(record_id)
    return {value: sorted(ids) if len(ids) <= IDS_MAX else None for value, ids in expected.items()}


async def counted(org_id: int) -> Counter:
    """What the counts must be: every key row and every non-empty folded name of the organization, counted."""
    expected = Counter()
    for key in await RecordKey.filter(org_id=org_id):
        expected['contact' if key.contact_id else 'company', key.kind, key.value] += 1
    for kind in KINDS.values():
        for sort_name in await kind.model.filter(org_id=org_id).values_list('sort_name', flat=True):
            if sort_name:
                expected[kind.name, 'name', sort_name] += 1
    return expected


async def full_scan(kind, actor) -> tuple[dict, int]:
    """The pairs a full scan finds among the records this person may see: {(id, id): {(key, value), …}}, and the
    number of values held by too many records to be a sign of duplicates."""
    seen = {r.id: r for r in await access.visible(kind, actor)}
    holders: dict[tuple[str, str], set[int]] = {}
    for key in await RecordKey.filter(**{f'{kind.name}_id__in': list(seen) or [0]}):
        holders.setdefault((key.kind, key.value), set()).add(getattr(key, f'{kind.name}_id'))
    for record in seen.values():
        if record.sort_name:
            holders.setdefault(('name', record.sort_name), set()).add(record.id)
    pairs: dict[tuple[int, int], set] = {}
    common = 0
    for reason, ids in holders.items():
        if len(ids) > PAIRS_PER_VALUE_MAX:
            common += 1
            continue
        for pair in itertools.combinations(sorted(ids), 2):
            pairs.setdefault(pair, set()).add(reason)
    return pairs, common


async def scanned(kind, actor) -> tuple[dict, int, int]:
    pairs, offset = {}, 0
    while True:
        page = await scan(actor, kind.name, limit=MAX_PAGE_SIZE, offset=offset)
        for pair in page.items:
            assert [m.id for m in pair.members] == list(pair.ids)
            pairs[pair.ids] = {(r.key, r.value) for r in pair.reasons}
        offset += MAX_PAGE_SIZE
        if offset >= page.total:
            return pairs, page.total, page.common_values


async def check(people, *teams) -> None:
    for team in teams:
        assert await kept_counts(team.id) == await counted(team.id), team.org.name
        assert await kept_holders(team.id) == await holding(team.id), team.org.name
    for person in people:
        for kind in KINDS.values():
            expected, common = await full_scan(kind, person.membership)
            pairs, total, common_values = await scanned(kind, person.membership)
            assert (pairs, total, common_values) == (expected, len(expected), common), (person.name, kind.name)


def record_data(kind, n: int, private: bool, mention=None) -> dict:
    """Names, emails and PECs from small pools: records share them now and then."""
    data = {'first_name': 'Anna', 'last_name': f'Rossi {n % 4}'} if kind is CONTACT else {'name': f'Rossi {n % 4} Srl'}
    data['visibility'] = 'private' if private else 'public'
    data['emails'] = [f'rossi{n % 5}@example.com']
    if n % 3 == 0:
        data['pec'] = f'rossi{n % 2}@pec.example.com'
    if mention is not None:
        data['description'] = f'ask {mention.mention}'
    return data


def import_csv(count: int, private: bool) -> bytes:
    rows = [f'Anna,Rossi {next(names) % 4},rossi{next(names) % 5}@example.com,{"private" if private else "public"}'
            for _ in range(count)]
    return ('First Name,Last Name,Email,Visibility\n' + '\n'.join(rows) + '\n').encode()


STEPS = write_steps.steps(['create', 'create', 'create', 'edit', 'trash', 'restore', 'purge', 'hide', 'show',
                           'bulk_trash', 'import', 'undo_import', 'merge', 'undo_merge', 'copy'])


@pytest.fixture
async def world(make_org, acme):
    target = await make_org('Target', owner=acme.owner, members=[acme.member])
    return write_steps.World(acme, target, record_data, import_csv)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(STEPS, min_size=4, max_size=12))
async def test_ready_groups_equal_a_full_scan_after_each_step(world, steps):
    people = [world.team.owner, world.team.member, world.team.other]
    for step in steps:
        await world.step(*step)
        await check(people, world.team, world.target)


async def test_counts_follow_a_moved_key_and_an_organization_deleted(make_org, acme):
    """A key row re-pointed to another record (what a merge does) moves its count, and a deleted organization takes
    its counts with it; the kept holder ids follow the key."""
    owner = acme.owner.membership
    a = await records.create_record(CONTACT, owner, {'last_name': 'Uno', 'emails': ['same@example.com']})
    b = await records.create_record(CONTACT, owner, {'last_name': 'Due'})
    company = await records.create_record(KINDS['company'], owner, {'name': 'Tre'})
    await RecordKey.filter(contact_id=a.id).update(contact_id=None, company_id=company.id)
    assert await kept_counts(acme.id) == await counted(acme.id)
    assert await kept_holders(acme.id) == await holding(acme.id)
    assert (await DuplicateKey.get(org_id=acme.id, kind='email')).record == 'company'
    await RecordKey.filter(company_id=company.id).update(company_id=None, contact_id=b.id)
    assert await kept_counts(acme.id) == await counted(acme.id)
    assert await kept_holders(acme.id) == await holding(acme.id)
    assert (await kept_holders(acme.id))['contact', 'email', 'same@example.com'] == [b.id]
    other = await make_org('Other', owner='Omar Owner')
    await records.create_record(CONTACT, other.owner.membership, {'last_name': 'Uno', 'emails': ['same@example.com']})
    await other.org.delete()
    assert not await DuplicateKey.filter(org_id=other.id).exists()
    assert await kept_counts(acme.id) == await counted(acme.id)


async def test_holders_of_a_crowded_value(acme):
    """A value held by more than IDS_MAX records keeps no ids, and gets them back, exact, when it falls to IDS_MAX
    (by a deletion, a trashed record deleted for good, a key changed); the scan reads such a value's holders through
    the indexes: of IDS_MAX + 1 records sharing an email, most private to the owner, the member sees the pairs of
    the few public ones, and the owner none (too many holders: a shared value)."""
    owner, member = acme.owner.membership, acme.member.membership
    shared = {'emails': ['desk@example.com']}
    made = [await records.create_record(CONTACT, owner, {'last_name': f'Crowd {n}', **shared,
                                                         'visibility': 'public' if n < 5 else 'private'})
            for n in range(IDS_MAX + 2)]
    assert (await kept_holders(acme.id))['contact', 'email', 'desk@example.com'] is None
    assert await kept_holders(acme.id) == await holding(acme.id)
    pairs, total, common = await scanned(CONTACT, member)
    assert (pairs, total, common) == ((expected := await full_scan(CONTACT, member))[0], len(expected[0]), expected[1])
    assert total == 10  # the 5 public ones, in pairs
    assert (await scan(owner, 'contact')).common_values == 1
    await records.delete_record(CONTACT, owner, made[-1].id)
    await trash.delete_forever(CONTACT, owner, made[-1].id)  # IDS_MAX + 1 left: none kept yet
    assert await kept_holders(acme.id) == await holding(acme.id)
    record = await records.get_record(CONTACT, owner, made[-2].id)
    await records.update_record(CONTACT, owner, record.id, {'emails': ['own@example.com']}, record.version)
    kept = (await kept_holders(acme.id))['contact', 'email', 'desk@example.com']
    assert kept == sorted(r.id for r in made[:IDS_MAX])
    assert await kept_holders(acme.id) == await holding(acme.id)
    await check([acme.owner, acme.member, acme.other], acme)
