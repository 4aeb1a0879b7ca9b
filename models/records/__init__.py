"""Contacts and companies.

- tables.py: Contact, Company (their common Record), Mention, RecordKey, and `Kind` (CONTACT, COMPANY, KINDS):
  what differs between the two kinds.
- service.py: reading one record through the gate, validating and saving (with its version), deleting, the
  lists (filters, sorts, pages) and the global search over both kinds (`find`).
- search.py: how a query finds and ranks records (the folded search text and the database's trigram index).
- exports.py: CSV and vCard exports of the records the caller may see (the whole filtered list, or a selection).
- bulk.py: bulk actions on a selection (delete; change type, role or sector; change visibility), all or nothing.
- live.py: the live event an open card hears when its record is changed or deleted (models/events.py's topic).
- copy.py: copying records (and their attachments) into another organization of the same user.
- dashboard.py: the home page's summary. It lives here because three of its four panels are about contacts and
  companies (counts by type, recently updated, where I am mentioned); the fourth, open work linked to contacts,
  reads the work tables only.
"""
