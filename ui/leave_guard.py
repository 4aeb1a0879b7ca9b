"""Asks before an edited form is left (leave_guard.js): a navigation inside the app opens a dialog here, closing or
reloading the tab gets the browser's own warning. The form says when it has changes with `dirty`."""
from __future__ import annotations

from nicegui import ui
from nicegui.element import Element
from nicegui.events import GenericEventArguments

from models.i18n import _


class LeaveGuard(Element, component='leave_guard.js'):
    def __init__(self, what: str = '') -> None:
        """`what` names the form, translated, as the sentence 'Your changes to {what} are not saved yet' needs it
        ('this contact'); by default 'this form'."""
        super().__init__()
        self._props['dirty'] = False
        self.target = ''
        self.on('leave', self._ask)
        with ui.dialog() as self.dialog, ui.card().classes('max-w-md').mark('leave-dialog'):
            ui.label(_('Leave without saving?')).classes('text-h6')
            ui.label(_('Your changes to {what} are not saved yet; leaving now discards them.',
                       what=what or _('this form'))).classes('text-grey-8')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Keep editing'), on_click=self.dialog.close).props('flat').mark('leave-stay')
                ui.button(_('Discard changes and leave'), on_click=self._leave).props('color=negative') \
                    .mark('leave-discard')

    @property
    def dirty(self) -> bool:
        return bool(self._props['dirty'])

    @dirty.setter
    def dirty(self, value: bool) -> None:
        if value != self.dirty:
            self._props['dirty'] = value
            self.update()

    def release(self) -> None:
        """Let the next navigation through without asking (the changes were saved, or the person chose to discard
        them): it runs in the browser before any navigation sent after it."""
        self.dirty = False
        self.run_method('release')

    def _ask(self, e: GenericEventArguments) -> None:
        target = e.args[0] if isinstance(e.args, list) and e.args else e.args
        if isinstance(target, str) and target.startswith('/') and not target.startswith('//'):
            self.target = target
            self.dialog.open()

    def _leave(self) -> None:
        self.dialog.close()
        self.release()
        ui.navigate.to(self.target)
