"""User accounts.

- tables.py: User, Session, ApiToken, LoginAttempt, PasswordReset.
- service.py: sign-up (which turns pending invitations into memberships), log-in with its brake on guessing,
  browser sessions, personal API tokens, profile and password changes.
- resets.py: a forgotten password: a link mailed to the account (models/mail), used once within an hour to choose
  a new password, which ends the account's other sessions and its API tokens.
"""
