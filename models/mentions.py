"""Mentions in descriptions: stored as `@[Name](user:ID)`, shown as highlighted names, never as HTML."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

MENTION = re.compile(r'@\[([^\[\]\n]{1,200})\]\(user:(\d{1,12})\)')


@dataclass(frozen=True)
class Segment:
    text: str
    user_id: int | None = None  # set for a mention

    @property
    def is_mention(self) -> bool:
        return self.user_id is not None


def mentioned_user_ids(text: str) -> list[int]:
    """The users mentioned, once each, in order of first mention."""
    seen: dict[int, None] = {}
    for match in MENTION.finditer(text or ''):
        seen.setdefault(int(match.group(2)), None)
    return list(seen)


def segments(text: str) -> list[Segment]:
    """The description cut into plain text and mentions, for rendering each as its own element."""
    parts: list[Segment] = []
    position = 0
    for match in MENTION.finditer(text or ''):
        if match.start() > position:
            parts.append(Segment(text[position:match.start()]))
        parts.append(Segment('@' + match.group(1), int(match.group(2))))
        position = match.end()
    if position < len(text or ''):
        parts.append(Segment(text[position:]))
    return parts


def plain_text(text: str, keep: set[int] | None = None) -> str:
    """The description with mentions of users not in `keep` turned into plain '@Name' text."""
    keep = keep or set()
    return MENTION.sub(lambda m: m.group(0) if int(m.group(2)) in keep else '@' + m.group(1), text or '')


def readable(text: str, names: Mapping[int, str] | None = None) -> str:
    """The description as people read it: each mention as plain '@Name', the member's current name when `names`
    knows it (as the card shows it), else the name stored with the mention. For exports and plain-text views."""
    names = names or {}
    return MENTION.sub(lambda m: '@' + names.get(int(m.group(2)), m.group(1)), text or '')
