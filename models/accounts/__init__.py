"""User accounts.

- tables.py: User, Session, ApiToken, LoginAttempt, PasswordReset, EmailVerification.
- links.py: tokens kept as digests, and the single-use, expiring links mailed to an account (resets, confirmations).
- service.py: sign-up (which turns pending invitations into memberships once the address is proven), log-in with its
  brake on guessing, browser sessions, personal API tokens, profile and password changes.
- resets.py: a forgotten password: a link mailed to the account (models/mail), used once within an hour to choose
  a new password, which ends the account's other sessions and its API tokens.
- verification.py: address confirmation while the server sends mail: a link mailed at sign-up (or asked again),
  which verifies the account and turns its waiting invitations into memberships.
"""
