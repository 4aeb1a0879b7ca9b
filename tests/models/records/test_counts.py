"""The kept counts of public records (migrations 0026_record_counters and 0031_record_type_counts) and the totals built
on them: after any mix of creating, changing the type, trashing, restoring, deleting for good, hiding, showing,
importing (and undoing), merging and copying, each organization's counter equals COUNT(*) of its public records
outside the trash (and its counters by type a GROUP BY of them), every person's unfiltered total equals what the gate
shows them (access.visible), and so do their dashboard's counts by type. Searches and filters count exactly up to the
bound."""
from __future__ import annotations

import itertools

import pytest
from tortoise.functions import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import access
from models.records import counts, dashboard
from models.records import service as records
from models.records.tables import COMPANY, CONTACT, KINDS, RecordCount, RecordTypeCount
from tests.models import write_steps
from tests.models.write_steps import TYPES

names = itertools.count(1)


async def grouped_by_type(queryset) -> dict[str, int]:
    """{type: count} of a queryset of records, as one GROUP BY (what the dashboard read before 0031)."""
    rows = await queryset.annotate(count=Count('id')).group_by('type').values('type', 'count')
    return {row['type'] or '': row['count'] for row in rows}


async def check_counts(*teams) -> None:
    """Every counter against COUNT(*), and every person's total against the gate's own count."""
    for team in teams:
        for kind in KINDS.values():
            kept = await RecordCount.filter(org_id=team.id, kind=kind.name).values_list('public', flat=True)
            counted = await kind.model.filter(org_id=team.id, visibility='public', deleted_at__isnull=True).count()
            assert sum(kept) == counted, (team.org.name, kind.name)
            kept_by_type = {row['type']: row['public'] for row in await RecordTypeCount.filter(
                org_id=team.id, kind=kind.name, public__gt=0).values('type', 'public')}
            assert await RecordTypeCount.filter(org_id=team.id, kind=kind.name, public__lt=0).count() == 0
            assert kept_by_type == await grouped_by_type(kind.model.filter(
                org_id=team.id, visibility='public', deleted_at__isnull=True)), (team.org.name, kind.name)
            for person in team.people:
                shown = await access.visible(kind, person.membership).count()
                by_type = await grouped_by_type(access.visible(kind, person.membership))
                expected = sorted((dashboard.TypeCount(type_, n) for type_, n in by_type.items()),
                                  key=lambda t: (-t.count, t.type))
                assert await dashboard.counts_by_type(kind, person.membership) == expected, (person.name, kind.name)
                assert await counts.visible_total(kind, person.membership) == shown, (person.name, kind.name)
                if access.allows(person.membership.role, access.Action.SEE_RECORDS):
                    page = await records.list_records(kind, person.membership, limit=1)
                    assert (page.total, page.total_exact) == (shown, True)


def record_data(kind, pick: int, private: bool, mention=None) -> dict:
    n = next(names)
    data = {'first_name': 'Anna', 'last_name': f'Rossi {n}'} if kind is CONTACT else {'name': f'Rossi {n} Srl'}
    data['visibility'] = 'private' if private else 'public'
    data['type'] = TYPES[n % len(TYPES)]
    data['emails'] = [f'rossi{n % 7}@example.com']  # shared now and then: merge candidates
    if mention is not None:
        data['description'] = f'ask {mention.mention}'
    return data


def import_csv(count: int, private: bool) -> bytes:
    rows = [f'Anna,Import {n},{"private" if private else "public"},{TYPES[n % len(TYPES)]}'
            for n in itertools.islice(names, count)]
    return ('First Name,Last Name,Visibility,Type\n' + '\n'.join(rows) + '\n').encode()


STEPS = write_steps.steps(['create', 'create', 'trash', 'restore', 'purge', 'hide', 'show', 'bulk_hide', 'bulk_trash',
                           'import', 'undo_import', 'merge', 'copy', 'retype', 'bulk_retype'])


@pytest.fixture
async def world(make_org, acme):
    target = await make_org('Target', owner=acme.owner, members=[acme.member])
    await check_counts(acme, target)
    return write_steps.World(acme, target, record_data, import_csv)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(STEPS, min_size=3, max_size=10))
async def test_kept_counts_equal_count_star_after_each_step(world, steps):
    for step in steps:
        await world.step(*step)
        await check_counts(world.team, world.target)


async def test_counter_follows_an_organization_and_a_removed_member(make_org, acme):
    """A member removed a moment ago counts nothing (the gate's live membership); a deleted organization takes
    its counters with it."""
    other = await make_org('Other', owner='Omar Owner')
    for n in range(3):
        await records.create_record(CONTACT, acme.owner.membership, record_data(CONTACT, n, False))
    await records.create_record(CONTACT, other.owner.membership, record_data(CONTACT, 9, False))
    assert await counts.visible_total(CONTACT, acme.member.membership) == 3
    assert await counts.visible_total(CONTACT, acme.guest.membership) == 0  # guests see no records
    await acme.member.membership.delete()
    assert await counts.visible_total(CONTACT, acme.member.membership) == 0
    await other.org.delete()
    assert not await RecordCount.filter(org_id=other.id).exists()
    assert await RecordCount.filter(org_id=acme.id, kind='contact').values_list('public', flat=True) == [3]


async def test_a_search_counts_exactly_up_to_the_bound(acme):
    actor = acme.member.membership
    for n in range(7):
        await records.create_record(COMPANY, acme.owner.membership, record_data(COMPANY, n, n == 6))
    queryset = records.filtered(COMPANY, actor, q='rossi')
    assert await counts.bounded_total(queryset, bound=5) == counts.Total(5, exact=False)
    assert await counts.bounded_total(queryset, bound=6) == counts.Total(6, exact=True)  # the private one is hidden
    assert await records.count_records(COMPANY, actor, q='rossi') == counts.Total(6)
    page = await records.list_records(COMPANY, actor, q='rossi', limit=2, offset=2)
    assert (len(page.items), page.total, page.total_exact) == (2, 6, True)
    last = await records.list_records(COMPANY, actor, q='rossi', limit=4, offset=4)  # its own count: 4 + 2
    assert (len(last.items), last.total) == (2, 6)
