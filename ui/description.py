"""The description: an editor where typing `@` offers the organization's members, and a view that shows
mentions as highlighted names. User text only ever goes into labels, never into HTML."""
from __future__ import annotations

import re

from nicegui import ui

from models.mentions import mention_markup, segments
from models.text import fold

_PARTIAL_MENTION = re.compile(r'(?:^|(?<=\s))@([^\s@\[\]()]{0,40})$')


def description_view(text: str, names: dict[int, str]) -> None:
    """The description as plain text with each mention as a highlighted name (the member's current name)."""
    if not text:
        ui.label('No description.').classes('text-grey-6 italic').mark('description-empty')
        return
    with ui.element('div').classes('whitespace-pre-wrap break-words').mark('description-view'):
        for part in segments(text):
            if part.is_mention:
                shown = '@' + names.get(part.user_id, part.text.lstrip('@'))
                ui.label(shown).classes('inline px-1 rounded bg-blue-1 text-primary font-medium') \
                    .mark('mention')
            else:
                ui.label(part.text).classes('inline')


class DescriptionEditor:
    """A textarea that offers members when the word being typed starts with `@`, and inserts
    `@[Name](user:ID)` for the one picked."""

    def __init__(self, value: str, members: dict[int, str]) -> None:
        self.members = members
        self.cursor: int | None = None  # the browser reports it on key-up and click; None means "at the end"
        self.textarea = ui.textarea('Description', value=value,
                                    placeholder='Notes; type @ to mention a member of the organization') \
            .props('autogrow outlined').classes('w-full').mark('field-description')
        self.textarea.on_value_change(lambda: self._suggest())
        self.textarea.on('keyup', self._track_cursor, js_handler='(e) => emit(e.target.selectionStart)')
        self.textarea.on('click', self._track_cursor, js_handler='(e) => emit(e.target.selectionStart)')
        self.suggestions = ui.row().classes('gap-1 flex-wrap').mark('mention-suggestions')
        self.suggestions.set_visibility(False)

    @property
    def value(self) -> str:
        return self.textarea.value or ''

    def _track_cursor(self, e) -> None:
        self.cursor = e.args if isinstance(e.args, int) else None
        self._suggest()

    def _partial(self) -> tuple[int, str] | None:
        text = self.value
        end = len(text) if self.cursor is None else min(self.cursor, len(text))
        match = _PARTIAL_MENTION.search(text[:end])
        return (match.start(), match.group(1)) if match else None

    def _suggest(self) -> None:
        partial = self._partial()
        self.suggestions.clear()
        if partial is None:
            self.suggestions.set_visibility(False)
            return
        wanted = fold(partial[1])
        matches = [(uid, name) for uid, name in self.members.items()
                   if not wanted or any(word.startswith(wanted) for word in fold(name).split())][:8]
        with self.suggestions:
            for uid, name in matches:
                ui.button(f'@{name}', on_click=lambda uid=uid, name=name: self.insert(uid, name)) \
                    .props('dense outline no-caps size=sm').mark('mention-option')
            if not matches:
                ui.label('No member matches').classes('text-grey-6 text-caption')
        self.suggestions.set_visibility(True)

    def insert(self, user_id: int, name: str) -> None:
        partial = self._partial()
        text = self.value
        end = len(text) if self.cursor is None else min(self.cursor, len(text))
        start = partial[0] if partial else end
        markup = mention_markup(name, user_id) + ' '
        self.textarea.value = text[:start] + markup + text[end:]
        self.cursor = start + len(markup) if self.cursor is not None else None
        self.suggestions.set_visibility(False)
