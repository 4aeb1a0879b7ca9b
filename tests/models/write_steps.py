"""One random write step, for the property tests of what the database keeps as records change (the counts of
public records, tests/models/records/test_counts.py; the ready duplicate groups, tests/models/duplicates/
test_ready_groups.py): creating, editing, retyping, hiding, showing, trashing, restoring, deleting for good, in bulk
too, importing and undoing, merging and undoing, copying into another organization, each as a person of the team
does it, through models/. A step the rules refuse is skipped; each test checks what it keeps after every step."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import strategies as st

from models import access
from models.duplicates.merging import merge, undo_merge
from models.errors import Conflict, Forbidden, NotFound, ValidationFailed
from models.history import trash
from models.imports.undo import undo_import
from models.imports.writing import import_file
from models.records import bulk
from models.records import service as records
from models.records.copy import copy_records
from models.records.tables import CONTACT, KINDS

TYPES = ['', 'Client', 'Lead']  # in every new organization's lists


def steps(actions: list[str]):
    """Steps as (action, kind name, who: 0-2, flag, pick: 0-50); `actions` may repeat one to draw it more often."""
    return st.tuples(st.sampled_from(actions), st.sampled_from(sorted(KINDS)), st.integers(0, 2), st.booleans(),
                     st.integers(0, 50))


@dataclass
class World:
    """The team whose people write, the organization copies go to, and what can be undone later.

    `record_data(kind, pick, private, mention)`: a new record's fields; `import_csv(rows, private)`: a CSV file of
    contacts (columns First Name, Last Name, Visibility or Email and Visibility...)."""
    team: object
    target: object
    record_data: Callable[..., dict]
    import_csv: Callable[[int, bool], bytes]
    batches: list = field(default_factory=list)
    merges: list = field(default_factory=list)

    async def step(self, action: str, kind_name: str, who: int, flag: bool, pick: int) -> None:
        people = [self.team.owner, self.team.member, self.team.other]
        kind, actor, owner = KINDS[kind_name], people[who].membership, self.team.owner.membership
        seen = list(await access.visible(kind, actor).order_by('id').values_list('id', flat=True))
        binned = list(await access.trashed(kind, actor).order_by('id').values_list('id', flat=True))
        chosen = seen[pick % len(seen)] if seen else None
        some = seen[pick % len(seen):][:4] if seen else []
        try:
            if action == 'create':
                mention = people[(who + 1) % 3] if pick % 2 else None
                await records.create_record(kind, actor, self.record_data(kind, pick, flag, mention))
            elif action == 'edit' and chosen:  # other values from the test's pools, the emails perhaps none
                record = await records.get_record(kind, actor, chosen)
                changes = self.record_data(kind, pick + 1, record.is_private)
                changes.pop('visibility')
                if flag:
                    changes['emails'] = []
                await records.update_record(kind, actor, chosen, changes, record.version)
            elif action in ('hide', 'show', 'retype') and chosen:
                record = await records.get_record(kind, actor, chosen)
                changes = {'type': TYPES[pick % len(TYPES)]} if action == 'retype' else \
                    {'visibility': 'private' if action == 'hide' else 'public'}
                await records.update_record(kind, actor, chosen, changes, record.version)
            elif action == 'trash' and chosen:
                await records.delete_record(kind, actor, chosen)
            elif action == 'restore' and binned:
                await trash.restore(kind, actor, binned[pick % len(binned)])
            elif action == 'purge' and binned:
                await trash.delete_forever(kind, owner, binned[pick % len(binned)])
            elif action == 'bulk_retype' and some:
                await bulk.bulk_action(kind, actor, 'change', some, {'type': TYPES[(pick + 1) % len(TYPES)]})
            elif action == 'bulk_hide' and some:
                await bulk.bulk_action(kind, actor, 'visibility', some, {'visibility': 'private' if flag else 'public'})
            elif action == 'bulk_trash' and some:
                await bulk.bulk_action(kind, actor, 'delete', some)
            elif action == 'import' and kind is CONTACT:
                self.batches.append(await import_file(actor, kind='contact', data=self.import_csv(pick % 4 + 1, flag),
                                                      filename='people.csv'))
            elif action == 'undo_import' and self.batches:
                await undo_import(owner, self.batches.pop(pick % len(self.batches)).id)
            elif action == 'merge' and len(seen) >= 2:
                keep, other = seen[pick % len(seen)], seen[(pick + 1) % len(seen)]
                self.merges.append((actor, (await merge(kind, actor, keep, other)).log.id))
            elif action == 'undo_merge' and self.merges:
                await undo_merge(*self.merges.pop(pick % len(self.merges)))
            elif action == 'copy' and some:
                await copy_records(actor=owner, target_org_id=self.target.id, **{f'{kind.name}_ids': some[:3]},
                                   copy_anyway=flag)
        except (Conflict, Forbidden, NotFound, ValidationFailed):
            pass  # a step the rules refuse (a private record merged by another, an undo after a change…)
