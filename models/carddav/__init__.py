"""CardDAV's rules, without HTTP (dav/ speaks the protocol over them).

- tables.py: what the address books need beyond the records: DavCard (a card's name as a phone chose it, its UID,
  and the vCard properties Rubrica has no field for, given back as they came), DavChange (the change sequence: one
  row per contact or company, deleted ones included, with the number of its last change), DavLog (who could see a
  record just before each change: removals are told only to those) and DavCounter (the sequence's one counter).
  Database triggers (migration 0024) keep the last three up to date on every write, whichever code path writes.
- books.py: whose address books are which (one per organization where the user may see records), the sync token,
  the cards a book lists (paged, through the gate), what changed since a token, and the lookup of a card's name.
- vcards.py: a record as a vCard (3.0 or 4.0) and a vCard as the fields of a contact, with what it keeps aside.
- writing.py: a phone's PUT and DELETE, through models/records/service's create, update and delete.
- trimming.py: the daily trim of the change log (dav_log, deleted records' dav_changes) past what a sync token older
  than 90 days would need; such a token is refused, and the client syncs again from the start.
"""
