"""The outbox: every mail Rubrica sends, written with the action that sends it and sent afterwards."""
from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class OutgoingMail(Model):
    """A mail to send (sent_at empty and next_attempt_at set), sent (sent_at), or given up (both empty).

    The bodies are emptied once the mail is sent or given up: they may carry a link that works for a while (a
    password reset), and the database keeps no such link longer than it must.
    """
    id = fields.IntField(primary_key=True)
    recipient = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=255)
    text = fields.TextField()
    html = fields.TextField()
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=500, default='')
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = 'outbox'
        indexes = (('sent_at', 'next_attempt_at'),)
