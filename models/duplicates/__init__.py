"""Likely duplicate contacts and companies.

- tables.py: MergeLog and MergeLogMention (what a merge needs to be undone, and its own gate columns), and
  DuplicateKey (how many records hold each key and folded name, kept by triggers: the scan's ready groups).
- detection.py: the scan that pairs the visible records sharing an email, PEC, phone, VAT number or name, with
  every reason of each pair.
- merging.py: previewing and merging two records, the recent merges (gated like the records they hold), undo.
"""
