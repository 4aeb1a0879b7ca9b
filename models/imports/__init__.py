"""Importing contacts and companies (CSV and vCard), with a report per row and "undo this import".

What happens on import, module by module:
1. reading.py: the file's format is sniffed (its name, its first bytes) and the file is read in a worker
   process (workers.py): a CSV file's encoding, separator, header and rows with the given or guessed column
   mapping, or a vCard file's cards (formats.py knows both formats and their bounds); `preview` shows the first
   rows and the guessed mapping, or the number of cards.
2. preparing.py: each row is mapped to a record's fields and validated in the workers with the app's own
   validators (records.clean_fields, the organization's country as phone region and its option lists). A bad
   row is reported and skipped; it never stops the good ones. A type, role or sector is the list's value it names
   (validation.matching_option: case and accents aside); an unknown one is noted and left empty, never added to
   the lists. A bad email is left out with a note when the row has another key (an email or a VAT number).
3. writing.py: the rows are matched against existing records through the indexed RecordKey table (by email,
   then VAT number; only records the importer can see); a contact's company by the "company VAT" column, else by
   its name as text.company_name_key compares names, else created (with that VAT). Then written in chunks: each
   chunk — its records, their lookup keys and its report rows — in one transaction, with bulk inserts
   (COPY on PostgreSQL, executemany on SQLite; a new record's sort and search columns are computed in the workers). If
   writing fails half-way, what was already written is taken back, so a failed import leaves nothing behind.
   `import_file` (a file, its format, the column mapping) is the one entry point: the import page and the API
   both call it, after `reading.preview`.
4. reports.py: the batches a user ran and their report rows (and, for the operator's metrics, how many imports are
   in each status).
5. undo.py: "undo this import" deletes what it created and puts back what it overwrote, refused when one of
   those records was changed since; set-based (its report rows as a subquery), a few statements whatever its size.
6. recovery.py: every chunk's records commit with the report rows that name them, and a batch stays `running`
   until it is finished; at server start, what an import cut off by a crash wrote is taken back, so after any
   crash an import is either complete or left nothing.

Reading and checking rows is CPU work: it runs in a small pool of worker processes (workers.py), never on the
server's event loop, so a large or hostile file does not hold up anyone else's requests.

- tables.py: ImportBatch (one import) and ImportRow (one line of its report, with what undo needs).
- progress.py: the chunk size, progress callbacks and chunked queries the steps share.
"""
