"""Kiosk links: a read-only directory of an organization's public contacts and companies, without a log-in.

- tables.py: KioskLink.
- service.py: creating, listing and revoking links, and what a link's screen shows (search and cards), always
  through `access.kiosk_visible`.
"""
