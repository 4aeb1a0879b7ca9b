"""Background jobs: work that outlives the page or request that started it (imports), and the periodic work (mail,
trash purges, daily mails, the sweep of files), on one queue library, procrastinate.

- tables.py: Job (one job: whose, what, progress, outcome; what pages, the API and recovery read) and JobInput (the
  file it works on).
- store.py: the rows: made for their owner, read and cancelled by the owner, advanced by the process running them
  (a throttled Progress that also says when to stop), each change announced on the owner's live-event topic.
- imports.py: an import as a job (start it, run it with writing.import_file, take back what a dead process wrote).
- copies.py: a copy into another organization as a job (start it, run it with records.copy.copy_records, one
  transaction: nothing to take back).
- exports.py: an export of many records as a job (start it, run it with records.exports.write_export into a file of
  the data dir kept KEPT for its owner's download, take back a partial file, sweep the expired ones).
- running.py: one job run in this process (claim, heartbeat, outcome), and taking back a job whose process died:
  it runs again from the start once, else fails; all-or-nothing either way.
- recovery.py: which running jobs' processes are gone (this host's process list, else a stale heartbeat), and
  which queued jobs the queue must be given again.
- queue.py: procrastinate: in memory with its worker inside the server (RUBRICA_JOBS=inside), or on PostgreSQL with
  `python main.py worker` processes (workers); the tasks and the periodic work.
"""
