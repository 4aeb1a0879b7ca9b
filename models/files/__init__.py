"""Files of contacts and companies: uploads counted against the organization's quota, and files linked from a
user's Google Drive or Dropbox.

- tables.py: Attachment (with its Source) and CloudAccount.
- attachments.py: listing, adding (upload or link), opening and deleting a record's files, through the record gate.
- cloud.py: connecting a user's Google Drive or Dropbox (tokens sealed with Fernet), browsing and searching it.
- storage.py: the books of uploaded files: freeing space when records go, removing unreferenced files, the sweep.
"""
