"""User accounts.

- tables.py: User, Session, ApiToken, LoginAttempt.
- service.py: sign-up (which turns pending invitations into memberships), log-in with its brake on guessing,
  browser sessions, personal API tokens, profile and password changes.
"""
