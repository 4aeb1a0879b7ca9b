"""Projects, tasks and tickets, and their connections to contacts and companies.

- tables.py: Project, Task, Ticket (their common WorkItem), `WorkKind` (PROJECT, TASK, TICKET, WORK_KINDS) and
  Connection (one contact or company linked to one work item).
- service.py: reading an item through the gate, validating and saving, the lists.
- connections.py: linking and unlinking, each end's view of the other (only ends the caller may see), and an item
  created already linked to a contact or company (`create_linked`, the card's New task / New ticket).
"""
