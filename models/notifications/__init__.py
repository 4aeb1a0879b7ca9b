"""Notifications: what happened that concerns one person, shown under the bell and mailed as they chose.

- tables.py: Notification (one per person and event), Event, MailChoice (users.notification_mail).
- service.py: `tell` and its three causes (`mentioned`, `assigned`, `invited`), written inside the transaction of the
  change; `announce` after its commit; reading through the gate (`page`, `unread_count`), marking read.
- live.py: open pages listen for their reader and are told at once.
- digest.py: the daily mail of those who chose it.
"""
