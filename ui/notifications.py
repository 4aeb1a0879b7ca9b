"""The bell in the header: how many notifications are unread, updated as they arrive, and the panel that lists them.

The count is asked again when models/notifications/live.py says something arrived for this reader (a change made in
this process), and every POLL_SECONDS otherwise (one made by another process). The panel reads the notifications
through models/notifications/service.page, which names a record only if the reader may see it now; every text is a
label, never HTML.
"""
from __future__ import annotations

import asyncio

from nicegui import ui

from models.i18n import _
from models.notifications import live, service as notifications
from models.notifications.service import Shown

from . import moments
from .feedback import FAILED, attempt
from .live_parts import redraw_heard
from .session import PageContext

POLL_SECONDS = 30.0
SHOWN = notifications.PAGE_SIZE  # entries drawn at a time; "Show more" draws the next ones
MOST_COUNTED = 99  # a larger count is shown as 99+


def count_text(unread: int) -> str:
    return f'{MOST_COUNTED}+' if unread > MOST_COUNTED else str(unread)


class Bell:
    """The bell of one page."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.shown = SHOWN
        # the classes let a real browser's test find them (marks exist on the server only)
        # named for screen readers; no tooltip: it would cover the panel's "Mark all as read" under the pointer
        with ui.button(icon='notifications', on_click=self.opened).props('flat round color=white') \
                .classes('rubrica-bell').mark('notification-bell') as self.button:
            self.button._props['aria-label'] = _('Notifications')
            self.badge = ui.badge(count_text(ctx.unread), color='negative').props('floating rounded') \
                .classes('rubrica-bell-count').mark('notification-count')
            self.badge.set_visibility(ctx.unread > 0)
            with ui.menu().props('anchor="bottom right" self="top right"') as self.menu:
                self.panel = ui.column().classes('w-[min(24rem,78vw)] gap-0 p-1').mark('notification-panel')
        self.loop = asyncio.get_running_loop()
        self.stop = live.listen(ctx.user.id, self._arrived)
        ui.context.client.on_delete(self.stop)
        ui.timer(POLL_SECONDS, self.count, immediate=False)  # the first count came with the page (ctx.unread)

    def _arrived(self) -> None:
        redraw_heard(self.button, self.loop, self.stop, lambda: self.count(redraw=True), 'count notifications')

    async def count(self, *, redraw: bool = False) -> None:
        if self.button.is_deleted:
            return
        unread = await notifications.unread_count(self.ctx.user)
        self.badge.text = count_text(unread)
        self.badge.set_visibility(unread > 0)
        if redraw and self.menu.value:
            await self.draw()

    async def opened(self) -> None:
        """The bell was pressed: its menu opens, drawn anew from the first entries."""
        self.shown = SHOWN
        await self.draw()

    async def draw(self) -> None:
        items, total = await notifications.page(self.ctx.user, limit=self.shown)
        self.panel.clear()
        with self.panel:
            with ui.row().classes('w-full items-center justify-between px-2'):
                ui.label(_('Notifications')).classes('text-subtitle1')
                if any(not item.read for item in items):
                    ui.button(_('Mark all as read'), on_click=self.read_all).props('flat dense no-caps') \
                        .mark('notifications-read-all')
            if not items:
                ui.label(_('Nothing yet: you will see here when someone mentions you, gives you a task or a '
                           'ticket, or adds you to an organization.')).classes('px-2 py-3 text-grey-8') \
                    .mark('notifications-empty')
            with ui.list().props('dense separator').classes('w-full'):
                for item in items:
                    self._entry(item)
            if total > len(items):
                ui.button(_('Show more'), on_click=self.more).props('flat dense no-caps').classes('self-center') \
                    .mark('notifications-more')

    def _entry(self, item: Shown) -> None:
        many_orgs = len(self.ctx.memberships) > 1
        details = ' · '.join(part for part in (item.org_name if many_orgs else '', moments.moment(item.at)) if part)
        with ui.item(on_click=lambda item=item: self.open(item)) \
                .mark('notification', 'notification-unread' if not item.read else 'notification-read',
                      f'notification-{item.event}'):
            with ui.item_section().props('side'):
                ui.icon('circle', size='10px', color='primary').classes('' if not item.read else 'invisible')
            with ui.item_section():
                ui.item_label(item.sentence()).classes('font-medium' if not item.read else '') \
                    .mark('notification-text')
                ui.item_label(details).props('caption')

    async def more(self) -> None:
        self.shown += SHOWN
        await self.draw()

    async def read_all(self) -> None:
        if await attempt(notifications.mark_all_read(self.ctx.user)) is not FAILED:
            await self.count()
            await self.draw()

    async def open(self, item: Shown) -> None:
        """Mark it read and go to what it is about, in its organization (when the reader is still in it)."""
        if await attempt(notifications.mark_read(self.ctx.user, item.id)) is FAILED:
            return
        self.menu.close()
        await self.count()
        if not item.org_name:  # an organization they left: nothing to open
            return
        if self.ctx.membership is None or item.org_id != self.ctx.membership.org_id:
            self.ctx.set_active_org(item.org_id)
        if item.record is not None or item.event == notifications.Event.INVITED.value:
            ui.navigate.to(item.path)


def notification_bell(ctx: PageContext) -> Bell:
    return Bell(ctx)
