"""The bulk write of an import (COPY on PostgreSQL, executemany on SQLite, plain rows instead of model instances)
stores exactly what the app's row-by-row save stores for the same values: the record's columns (JSON lists,
timestamps, derived sort and search columns), its lookup keys, mentions and search row, the kept counts, and one
history entry each; and its undo, set-based, leaves the organization as it was."""
from __future__ import annotations

import csv
import io

from tortoise import connections

from models.history.tables import HistoryEntry
from models.imports.tables import ImportRow
from models.imports.undo import undo_import
from models.imports.writing import import_file
from models.records import service as records
from models.records.tables import CONTACT, Company, Contact, Mention, RecordKey
from tests.helpers import VALID_IVA, on_postgres

COMPARED = ('first_name', 'last_name', 'role', 'type', 'visibility', 'description', 'emails', 'phones', 'addresses',
            'pec', 'vat_number', 'sort_name', 'search_text', 'version', 'deleted_at')


def varied_file(mario_id: int) -> bytes:
    """Accents, quotes, several emails and phones, addresses in two countries, a VAT number, companies named twice
    and once, a private row, a mention, option values in another language and case, an unknown type."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(['First name', 'Last name', 'Email', 'Email', 'Phone', 'Phone', 'Company', 'Role', 'Type',
                     'VAT number', 'PEC', 'Street', 'City', 'Postal code', 'Country', 'Notes', 'Visibility'])
    writer.writerow(['André', 'Müller', 'Andre@Example.com', 'andre@work.example.de', '+49 30 901820',
                     '02 1234 5678', 'Müller GmbH', 'Marketing Manager', 'cliente', '', '', 'Unter den Linden 1',
                     'Berlin', '10117', 'Germany', f'Met "at" the fair, ask @[Mario Member](user:{mario_id})', ''])
    writer.writerow(['Chiara', "D'Angelo", 'chiara@example.it', '', '347 123 4567', '', 'Officine Lombarde S.r.l.',
                     '', 'Fornitore', VALID_IVA, 'chiara@pec.example.it', 'Via Roma 1', 'Città di Castello',
                     '06012', 'IT', '', 'private'])
    writer.writerow(['Zoé', 'Lefèvre', 'zoe@example.fr', '', '', '', 'müller gmbh', '', 'Alien', '', '', '', '', '',
                     '', 'a\nnote on two lines', 'public'])
    writer.writerow(['', 'Solo', 'solo@example.com', '', '', '', '', '', '', '', '', '', '', '', '', '', ''])
    return out.getvalue().encode()


async def _written(org_id: int) -> dict[str, dict]:
    """Each contact of the organization by its first email: its columns, company name, keys, mentions, search row
    and history, as stored."""
    found = {}
    for contact in await Contact.filter(org_id=org_id).select_related('company'):
        keys = sorted(await RecordKey.filter(contact_id=contact.id).values_list('kind', 'value'))
        mentions = sorted(await Mention.filter(contact_id=contact.id).values_list('user_id', flat=True))
        history = await HistoryEntry.filter(contact_id=contact.id).values_list('by_id', 'org_id', 'company_id')
        found[contact.emails[0].lower()] = {
            **{name: getattr(contact, name) for name in COMPARED},
            'company': contact.company.name if contact.company else None, 'keys': keys, 'mentions': mentions,
            'history': history, 'search_row': await _search_row(contact.id),
            # stored timestamps read back as the same kind of value (aware, UTC) as a save's
            'times': [(t.tzinfo is not None, t.utcoffset()) for t in (contact.created_at, contact.updated_at)],
        }
    return found


async def _search_row(contact_id: int) -> str | None:
    """What the search reads for the record: SQLite's FTS5 row (the expression index on PostgreSQL has none)."""
    if on_postgres():
        return None
    rows = await connections.get('default').execute_query_dict(
        'SELECT search_text FROM contacts_fts WHERE rowid = ?', [contact_id])
    return rows[0]['search_text'] if rows else None


async def _counts(org_id: int) -> tuple[int, int]:
    rows = await connections.get('default').execute_query_dict(
        "SELECT public FROM record_counts WHERE org_id = %s AND kind = 'contact'" % int(org_id))
    return (rows[0]['public'] if rows else 0), await Contact.filter(org_id=org_id, visibility='public').count()


async def test_bulk_import_writes_what_a_save_writes(acme, target):
    mario = acme.member.user.id
    batch = await import_file(acme.owner.membership, kind='contact', data=varied_file(mario), filename='varied.csv')
    assert (batch.created, batch.skipped) == (4, 0)
    imported = await _written(acme.owner.membership.org_id)
    # the same values saved one by one in Target (same owner, Mario a member there too)
    for contact in await Contact.filter(org_id=acme.owner.membership.org_id).select_related('company').order_by('id'):
        data = {name: getattr(contact, name) for name in ('first_name', 'last_name', 'role', 'type', 'visibility',
                                                           'description', 'emails', 'phones', 'addresses', 'pec',
                                                           'vat_number')}
        if contact.company:
            data['company_name'] = contact.company.name
        await records.create_record(CONTACT, target.owner.membership, data)
    saved = await _written(target.owner.membership.org_id)
    assert set(imported) == {'andre@example.com', 'chiara@example.it', 'zoe@example.fr', 'solo@example.com'}
    for email, values in imported.items():
        other = saved[email]
        # the history entry of a save says "created" in its organization; of an import, "imported" in Acme
        assert [h[1:] for h in values.pop('history')] == [(acme.owner.membership.org_id, None)]
        assert [h[1:] for h in other.pop('history')] == [(target.owner.membership.org_id, None)]
        assert values == other, email
    assert imported['andre@example.com']['mentions'] == [mario]
    assert imported['andre@example.com']['company'] == imported['zoe@example.fr']['company'] == 'Müller GmbH'
    assert ('vat', VALID_IVA) in imported['chiara@example.it']['keys']
    public, counted = await _counts(acme.owner.membership.org_id)
    assert public == counted == 3
    found = await records.list_records(CONTACT, acme.member.membership, q='lefevre')
    assert [c.last_name for c in found.items] == ['Lefèvre']

    await undo_import(acme.owner.membership, batch.id)
    org_id = acme.owner.membership.org_id
    assert not await Contact.filter(org_id=org_id).exists()
    assert not await Company.filter(org_id=org_id).exists()  # the two companies it created, unused now
    assert not await RecordKey.filter(org_id=org_id).exists()
    assert not await HistoryEntry.filter(org_id=org_id).exists()
    assert await _counts(org_id) == (0, 0)
    assert await ImportRow.filter(batch_id=batch.id, status='created').count() == 4  # the report stays


class Statements:
    """Counts the SQL statements sent through Tortoise's database clients (outside and inside transactions)."""
    METHODS = ('execute_query', 'execute_query_dict', 'execute_insert', 'execute_many', 'execute_script')

    def __init__(self, monkeypatch) -> None:
        self.count = 0
        base = type(connections.get('default'))
        for cls in (base, *base.__subclasses__()):
            for name in self.METHODS:
                if name in vars(cls):
                    original = vars(cls)[name]

                    async def counted(client, query, *args, _original=original, **kwargs):
                        self.count += 1
                        return await _original(client, query, *args, **kwargs)
                    monkeypatch.setattr(cls, name, counted)


def numbered_file(rows: int) -> bytes:
    lines = ['First name,Last name,Email,Company'] + [f'Name{n},Surname{n},person{n}@example.com,Firm {n % 7}'
                                                       for n in range(rows)]
    return '\n'.join(lines).encode()


async def test_undo_takes_as_many_statements_for_thousands_of_rows_as_for_three(acme, monkeypatch):
    """Set-based undo: its statements do not grow with the import (before, one deletion and several checks per
    thousand rows)."""
    owner = acme.owner.membership
    counter = Statements(monkeypatch)
    counts = []
    for rows in (3, 2500):
        batch = await import_file(owner, kind='contact', data=numbered_file(rows), filename=f'{rows}.csv')
        assert batch.created == rows
        counter.count = 0
        await undo_import(owner, batch.id)
        counts.append(counter.count)
        assert not await Contact.filter(org_id=owner.org_id).exists()
        assert not await Company.filter(org_id=owner.org_id).exists()
    assert counts[0] == counts[1], counts
