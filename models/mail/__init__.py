"""E-mail: a durable outbox, sent in the background through SMTP.

- smtp.py: where mail goes (SmtpServer, from RUBRICA_SMTP_URL) and the one SMTP conversation that hands a message
  over (aiosmtplib).
- tables.py: OutgoingMail, the outbox. A mail is a row written in the same transaction as the action that sends
  it, so an action that is taken back mails nothing, and a mail outlives a restart.
- letters.py: what a mail says (a Letter of texts already in the recipient's language) and its plain-text and HTML
  bodies, from the Jinja2 templates in templates/ (HTML autoescaped: a name stays a name).
- outbox.py: `configure` (main.py, from the settings), `enabled`, `queue` (inside the caller's transaction), and the
  sender: `send_due` hands over the mails that are due, retrying a failure after 1, 5 and 30 minutes before giving
  up; `start`/`stop` run it in the background; `counts` tells the operator's metrics what waits, left and failed.
"""
