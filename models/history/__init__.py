"""History, notes and trash of contacts and companies.

- tables.py: HistoryEntry (one thing that happened to a record: who, when, what changed before → after, what
  other record, import or organization it concerned) and Note (text with @mentions, written on a record).
- recording.py: THE one place that writes history. Every path that changes a record (models/records, files,
  work/connections, duplicates, imports, copy, trash) calls it inside its own transaction, so no change is
  committed without its entry.
- timeline.py: a record's history and notes, newest first, through the gate: only who sees the record reads
  them, and an entry names another record, work item or organization only to who may see that one too.
- notes.py: adding, changing and deleting notes (their author only); their mentions are checked like a
  description's.
- trash.py: the trash: what the caller would see of the trashed records, restore, delete forever, empty, and the
  purge of what stayed longer than RUBRICA_TRASH_DAYS (with its files).
"""
