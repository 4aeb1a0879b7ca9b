"""Organizations: members and their roles, invitations, plans and quota, the option lists.

- tables.py: Organization, Membership (with Role), Invitation, OptionItem.
- service.py: creating and changing organizations, inviting (the invitation mails and their sign-up links) and
  managing members, plans, option lists.
- overview.py: what the organization's page shows, in one read: plan, space used and quota, people by role.
"""
