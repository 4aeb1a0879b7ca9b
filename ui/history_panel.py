"""The History tab of a contact's or company's card: a box to write a note (with @mentions, like the description)
and the timeline — history entries and notes, newest first, a page at a time — as models/history/timeline.py gives
it (only what the reader may see). A note's author may change or delete it. User text only goes into labels."""
from __future__ import annotations

from nicegui import ui

from models.history import notes, timeline
from models.history.timeline import HIDDEN, Shown
from models.i18n import N_, _
from models.labels import field_label
from models.mentions import readable
from models.records.tables import Kind, Record
from models.validation import display_phone

from . import moments
from .description import DescriptionEditor, description_view
from .feedback import FAILED, attempt
from .session import PageContext

SHOWN_CHARS = 200  # a long value (a description) is cut in the timeline
# What each entry says; {name} is what it names (a file, a work item, the other record, the import, the
# organization), or a word saying the reader may not see it.
SAYS = {
    'created': N_('Created'), 'updated': N_('Changed'), 'attachment_added': N_('Added the file {name}'),
    'attachment_removed': N_('Removed the file {name}'), 'connected': N_('Linked to {name}'),
    'disconnected': N_('Unlinked from {name}'), 'merged': N_('Merged with “{name}”'),
    'merge_undone': N_('Merge with “{name}” undone'), 'imported': N_('Imported from {name}'),
    'import_undone': N_('Import from {name} undone'), 'copied_in': N_('Copied from {name}'),
    'deleted': N_('Moved to the trash'), 'restored': N_('Restored from the trash'), 'note': N_('Wrote a note'),
}
ICONS = {'created': 'add_circle', 'updated': 'edit', 'attachment_added': 'attach_file',
         'attachment_removed': 'attach_file', 'connected': 'link', 'disconnected': 'link_off', 'merged': 'merge',
         'merge_undone': 'undo', 'imported': 'upload_file', 'import_undone': 'undo', 'copied_in': 'content_copy',
         'deleted': 'delete', 'restored': 'restore_from_trash', 'note': 'sticky_note_2'}


def _named(entry: Shown) -> str:
    ref = entry.ref or {}
    if ref.get('id') is None:
        return _('something you may not see')
    return ref.get('name') or _('(no name)')


def _value(field: str, value: object, names: dict[int, str], *, region: str) -> str:
    """A field's value as one line of plain text (phones as the card shows them, not as they are stored)."""
    if field == 'phones' and isinstance(value, list):
        value = [display_phone(str(phone), region) for phone in value]
    if value in (None, '', []):
        return '—'
    if value == HIDDEN:
        return _('a company you may not see')
    if isinstance(value, dict) and 'name' in value:
        return str(value['name'])
    if isinstance(value, list):
        return '; '.join(', '.join(str(v) for v in item.values() if v) if isinstance(item, dict) else str(item)
                         for item in value)
    if value in ('public', 'private'):
        return _('Public') if value == 'public' else _('Private')
    text = readable(str(value), names)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 1] + '…'


class HistoryPanel:
    def __init__(self, ctx: PageContext, kind: Kind, record: Record, names: dict[int, str],
                 members: dict[int, str]) -> None:
        self.ctx, self.kind, self.record, self.names, self.members = ctx, kind, record, names, members
        self.limit = timeline.PAGE_SIZE

    async def build(self) -> None:
        with ui.column().classes('w-full gap-2'):
            self.editor = DescriptionEditor('', self.members, self.names, label=_('New note'),
                                            placeholder=_('A call, a meeting; type @ to mention a member')) \
                .classes('w-full').mark('note-text')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Add note'), icon='note_add', on_click=self.add).mark('note-add')
            await self.entries()

    async def add(self) -> None:
        saved = await attempt(notes.add_note(self.kind, self.ctx.membership, self.record.id,
                                             text=self.editor.value), {'text': self.editor})
        if saved is not FAILED:
            self.editor.value = ''
            ui.notify(_('Note added'), type='positive')
            self.entries.refresh()

    async def more(self) -> None:
        self.limit += timeline.PAGE_SIZE
        self.entries.refresh()

    @ui.refreshable_method
    async def entries(self) -> None:
        page = await timeline.timeline(self.kind, self.ctx.membership, self.record.id,
                                       limit=min(self.limit, timeline.MAX_PAGE_SIZE))
        if not page.items:
            ui.label(_('Nothing has happened yet.')).classes('text-grey-6 italic').mark('history-empty')
            return
        with ui.list().props('separator').classes('w-full').mark('history'):
            for entry in page.items:
                self.entry(entry)
        if page.total > len(page.items) and self.limit < timeline.MAX_PAGE_SIZE:
            ui.button(_('Show more'), on_click=self.more).props('flat').mark('history-more')

    def entry(self, entry: Shown) -> None:
        who = entry.by['name'] if entry.by else _('a former member')
        with ui.item().classes('w-full').mark('history-entry'):
            with ui.item_section().props('avatar'):
                ui.icon(ICONS.get(entry.action, 'history'), color='grey-7')
            with ui.item_section():
                ui.label(_(SAYS[entry.action], name=_named(entry)) if entry.action in SAYS else entry.action) \
                    .classes('font-medium').mark('history-action')
                ui.label(_('{who}, {moment}', who=who, moment=moments.moment(entry.at))) \
                    .classes('text-caption text-grey-7').mark('history-who')
                for name, (before, after) in entry.changes.items():
                    ui.label(_('{field}: {before} → {after}', field=field_label(name),
                               before=_value(name, before, self.names, region=self.ctx.org.country),
                               after=_value(name, after, self.names, region=self.ctx.org.country))) \
                        .classes('text-body2 break-words').mark('history-change')
                if entry.note is not None:
                    self.note(entry)

    def note(self, entry: Shown) -> None:
        note = entry.note
        with ui.card().classes('w-full bg-amber-1 shadow-none').mark('note'):
            description_view(note['text'], self.names)
            if note['author_id'] == self.ctx.user.id:
                with ui.row().classes('gap-1'):
                    ui.button(_('Edit'), icon='edit', on_click=lambda: self.edit(note)) \
                        .props('flat dense size=sm').mark('note-edit')
                    ui.button(_('Delete'), icon='delete', on_click=lambda: self.delete(note)) \
                        .props('flat dense size=sm color=negative').mark('note-delete')

    async def edit(self, note: dict) -> None:
        with ui.dialog(value=True) as dialog, ui.card().classes('w-full max-w-lg'):
            editor = DescriptionEditor(note['text'], self.members, self.names, label=_('Note')) \
                .classes('w-full').mark('note-edit-text')

            async def save() -> None:
                saved = await attempt(notes.edit_note(self.kind, self.ctx.membership, self.record.id, note['id'],
                                                      text=editor.value), {'text': editor})
                if saved is not FAILED:
                    dialog.close()
                    self.entries.refresh()
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=dialog.close).props('flat')
                ui.button(_('Save'), on_click=save).mark('note-save')

    async def delete(self, note: dict) -> None:
        if await attempt(notes.delete_note(self.kind, self.ctx.membership, self.record.id, note['id'])) \
                is not FAILED:
            ui.notify(_('Note deleted'))
            self.entries.refresh()


async def history_panel(ctx: PageContext, kind: Kind, record: Record, names: dict[int, str],
                        members: dict[int, str]) -> None:
    await HistoryPanel(ctx, kind, record, names, members).build()
