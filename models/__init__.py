"""The data and its rules. Every page (ui/) and every API route (api/) reads and writes through here.

Shared, at the top:
- access.py: the one gate. Who may do what (roles and actions), and which records, work items, connections and
  kiosk screens each caller sees, built as database filters.
- errors.py: the refusals every layer maps the same way (not found, forbidden, conflict, invalid, too large).
- labels.py: the names people read for fields in messages (`emails[0]` is "Email 1", `vat_number` "VAT number").
- validation.py, text.py, mentions.py: checking and normalizing input (names, emails, phones, VAT numbers),
  folding text for sorting and searching, @mentions in descriptions.
- db.py: the database configuration, the table modules Tortoise loads, start-up migrations.
- migrations/: the schema's history (app label 'models').

One folder per feature. Each has a tables.py that only declares tables (relations by name, 'models.User', so a
tables module imports no other), and the modules with the feature's rules, which import the tables and the gate:
- accounts/: users, sign-up and log-in, sessions, API tokens, password reset links.
- orgs/: organizations, members and roles, invitations, plans, option lists.
- records/: contacts and companies: saving, lists, search, exports, copy to another organization, the dashboard.
- work/: projects, tasks, tickets, and their connections to contacts and companies.
- files/: attachments (uploads and linked cloud files), cloud accounts, the books of stored files.
- imports/: importing CSV and vCard files, step by step, with a report and undo.
- duplicates/: finding likely duplicates, merging two records, undoing a merge.
- kiosk/: read-only directory screens of an organization's public records.
- mail/: the outbox, sent in the background through SMTP, and the mails' bodies in the recipient's language.
"""
