"""/trash: the deleted contacts and companies the visitor would see, most recently deleted first, to restore; owners
may also delete one forever or empty the trash. The rules (who sees what, who may do what) are in
models/history/trash.py; this page only shows and calls."""
from __future__ import annotations

from nicegui import ui

from models.access import Action
from models.history import trash
from models.i18n import _, ngettext
from models.records.tables import KINDS, Kind, Record

from . import moments
from .attachments import integrations
from .feedback import FAILED, attempt
from .frame import frame, records_allowed
from .record_card import record_path
from .session import PageContext, page_context, to_login
from .page_route import page

PAGE_SIZE = 50


class TrashPage:
    def __init__(self, ctx: PageContext, kind: Kind) -> None:
        self.ctx, self.kind = ctx, kind
        self.owner = ctx.may(Action.DELETE_FOREVER)

    async def build(self) -> None:
        with ui.row().classes('w-full items-center gap-2'):
            ui.toggle({'contact': _('Contacts'), 'company': _('Companies')}, value=self.kind.name,
                      on_change=lambda e: self.set_kind(e.value)).mark('trash-kind')
            ui.space()
            if self.owner:
                ui.button(_('Empty the trash'), icon='delete_forever', on_click=self.confirm_empty) \
                    .props('flat color=negative').mark('trash-empty')
        ui.label(_('Deleted contacts and companies stay here for a while, with their files, notes and history, '
                   'then leave for good.')).classes('text-caption text-grey-8')
        await self.items()

    async def set_kind(self, name: str) -> None:
        self.kind = KINDS[name]
        self.items.refresh()

    @ui.refreshable_method
    async def items(self) -> None:
        page = await trash.list_trash(self.ctx.membership, self.kind.name, limit=PAGE_SIZE)
        ui.label(ngettext('{count} in the trash', '{count} in the trash', page.total)) \
            .classes('text-grey-8').mark('trash-total')
        if not page.items:
            return
        with ui.list().props('bordered separator').classes('w-full'):
            for record in page.items:
                self.row(record)

    def row(self, record: Record) -> None:
        who = record.deleted_by.name if record.deleted_by else _('a former member')
        with ui.item().mark('trash-item'):
            with ui.item_section():
                ui.item_label(record.display_name or _('(no name)')).mark('trash-name')
                ui.item_label(_('Deleted by {who}, {moment}', who=who, moment=moments.moment(record.deleted_at))) \
                    .props('caption')
            with ui.item_section().props('side'):
                with ui.row().classes('gap-1'):
                    ui.button(_('Restore'), icon='restore_from_trash', on_click=lambda r=record: self.restore(r)) \
                        .props('flat dense').mark('trash-restore')
                    if self.owner:
                        ui.button(_('Delete forever'), icon='delete_forever',
                                  on_click=lambda r=record: self.confirm_forever(r)) \
                            .props('flat dense color=negative').mark('trash-forever')

    async def restore(self, record: Record) -> None:
        restored = await attempt(trash.restore(self.kind, self.ctx.membership, record.id))
        if restored is not FAILED:
            ui.notify(_('Restored {name}', name=restored.display_name or _('(no name)')), type='positive')
            ui.navigate.to(record_path(self.kind, restored.id))

    def confirm_forever(self, record: Record) -> None:
        with ui.dialog(value=True) as dialog, ui.card():
            ui.label(_('Delete {name} forever?', name=record.display_name or _('(no name)'))).classes('text-h6')
            ui.label(_('Its files, notes and history go with it. This cannot be undone.')).classes('text-grey-8')

            async def delete() -> None:
                done = await attempt(trash.delete_forever(self.kind, self.ctx.membership, record.id,
                                                          integrations=integrations()))
                if done is not FAILED:
                    dialog.close()
                    self.items.refresh()
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=dialog.close).props('flat')
                ui.button(_('Delete forever'), on_click=delete).props('color=negative').mark('trash-forever-confirm')

    def confirm_empty(self) -> None:
        with ui.dialog(value=True) as dialog, ui.card():
            ui.label(_('Empty the trash?')).classes('text-h6')
            ui.label(_('Every contact and company in it that you can see leaves for good, with its files, notes and '
                       'history. This cannot be undone.')).classes('text-grey-8')

            async def empty() -> None:
                count = await attempt(trash.empty_trash(self.ctx.membership, integrations=integrations()))
                if count is not FAILED:
                    dialog.close()
                    ui.notify(ngettext('{count} record deleted forever', '{count} records deleted forever', count))
                    self.items.refresh()
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=dialog.close).props('flat')
                ui.button(_('Empty the trash'), on_click=empty).props('color=negative').mark('trash-empty-confirm')


async def trash_page_body(ctx: PageContext, kind_name: str) -> None:
    ui.page_title(_('Trash') + ' · Rubrica')
    with frame(ctx, _('Trash')):
        if not records_allowed(ctx):
            return
        await TrashPage(ctx, KINDS.get(kind_name, KINDS['contact'])).build()


@page('/trash', title='Trash · Rubrica')
async def trash_page(kind: str = 'contact'):
    if (ctx := await page_context()) is None:
        return to_login('/trash')
    await trash_page_body(ctx, kind)
