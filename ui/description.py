"""The description: an editor where mentions read as highlighted names and typing `@` offers the members who may
be mentioned, and a view that shows mentions as highlighted names. User text only ever goes into labels and Vue
text, never into HTML."""
from __future__ import annotations

from nicegui import ui
from nicegui.elements.mixins.value_element import ValueElement

from models.i18n import _
from models.mentions import readable, segments


def description_view(text: str, names: dict[int, str]) -> None:
    """The description as plain text with each mention as a highlighted name (the member's current name)."""
    if not text:
        ui.label(_('No description.')).classes('text-grey-6 italic').mark('description-empty')
        return
    with ui.element('div').classes('whitespace-pre-wrap break-words').mark('description-view'):
        for part in segments(text):
            if part.is_mention:
                shown = '@' + names.get(part.user_id, part.text.lstrip('@'))
                ui.label(shown).classes('inline px-1 rounded bg-blue-1 text-primary font-medium') \
                    .mark('mention')
            else:
                ui.label(part.text).classes('inline')


class DescriptionEditor(ValueElement[str], component='mention_editor.js'):
    """The description's editor (mention_editor.js): people read and write mentions as highlighted "@Name", with
    completion after `@` (arrows, Enter or Tab to pick, Escape to close) among `members` (id -> name, those the
    gate lets be mentioned); `value` keeps them as `@[Name](user:ID)`, the form the server stores and the gate
    reads. `names` (id -> current name, everyone) shows existing mentions by the name people know now."""

    VALUE_PROP = 'value'
    LOOPBACK = False  # the browser keeps the text and the caret; the server only listens

    def __init__(self, value: str, members: dict[int, str], names: dict[int, str] | None = None, *,
                 label: str | None = None, placeholder: str | None = None) -> None:
        super().__init__(value=value or '')
        self.members, self.names = members, {**(names or {}), **members}
        self._props['members'] = [{'id': uid, 'name': name} for uid, name in members.items()]
        self._props['names'] = {str(uid): name for uid, name in self.names.items()}
        self._props['label'] = _('Description') if label is None else label
        self._props['placeholder'] = _('Notes; type @ to mention a member of the organization') \
            if placeholder is None else placeholder
        self._props['texts'] = {'noMatch': _('No member matches'),
                                'keys': _('↑ ↓ to choose, Enter or Tab to pick, Esc to close')}
        self._error: str | None = None

    @property
    def text(self) -> str:
        """What the person sees: each mention as '@Name'."""
        return readable(self.value or '', self.names)

    @property
    def error(self) -> str | None:
        return self._error

    @error.setter
    def error(self, message: str | None) -> None:
        """Shown under the field, like the other inputs' errors (ui.feedback.attempt sets it)."""
        self._error = message
        self._props['error'] = message is not None
        self._props['error-message'] = message
        self.update()

    def _displayed_contents(self, *, only_visible: bool) -> list:
        return [*super()._displayed_contents(only_visible=only_visible), self.text]
