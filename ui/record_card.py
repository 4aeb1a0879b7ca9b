"""The card of a contact or company: its fields in clear sections, edit and save with a guard against
overwriting someone else's change, visibility, delete; and for a company, its contacts. While it is open, a change
or a delete of its record by someone else (on any process: models/records/live.py) shows a notice with "Reload"."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from nicegui import ElementFilter, ui

from models.access import Action, parse_id
from models import i18n
from models.errors import NotFound
from models.i18n import N_, _, ngettext
from models.orgs import service as orgs
from models.records import live, service as records
from models.records.service import StaleVersion
from models.records.tables import COMPANY, CONTACT, Kind, Record

from . import moments
from .attachments import attachments_panel, integrations
from .connections import connections_panel
from .copy_dialog import open_copy_dialog, page_copy_targets
from .feedback import FAILED, attempt, flash
from .frame import frame, no_access
from .history_panel import history_panel
from .leave_guard import LeaveGuard
from .record_form import RecordForm, record_details
from .session import PageContext

PLURAL = {'contact': 'contacts', 'company': 'companies'}  # the pages' paths (/contacts, /companies)
# Whole sentences per kind (contatto is masculine, azienda feminine): each language words them its own way.
TEXTS = {
    'contact': {'new': N_('New contact'), 'kind': N_('Contact'), 'guests': N_('Guests do not see contacts.'),
                'missing': N_('This contact does not exist, or you may not see it.'),
                'back': N_('Back to contacts'), 'this': N_('this contact'), 'created': N_('Contact created'),
                'saved': N_('Contact saved'), 'changed': N_('{who} changed this contact after you opened it.'),
                'deleted': N_('{who} deleted this contact, or merged it into another one.')},
    'company': {'new': N_('New company'), 'kind': N_('Company'), 'guests': N_('Guests do not see companies.'),
                'missing': N_('This company does not exist, or you may not see it.'),
                'back': N_('Back to companies'), 'this': N_('this company'), 'created': N_('Company created'),
                'saved': N_('Company saved'), 'changed': N_('{who} changed this company after you opened it.'),
                'deleted': N_('{who} deleted this company, or merged it into another one.')},
}


def kind_text(kind: Kind, what: str, **values: object) -> str:
    """One of TEXTS' sentences for this kind, in the reader's language."""
    return _(TEXTS[kind.name][what], **values)


def record_path(kind: Kind, record_id: int | None = None) -> str:
    base = f'/{PLURAL[kind.name]}'
    return base if record_id is None else f'{base}/{record_id}'


async def _people(ctx: PageContext) -> tuple[dict[int, str], dict[int, str]]:
    """Names of everyone in the organization (to show mentions) and of those who may be mentioned (the gate's)."""
    members = await orgs.list_members(ctx.membership)
    everyone = {m.user_id: m.user.name for m in members}
    return everyone, await orgs.mentionable_people(ctx.membership)


async def record_card_page(ctx: PageContext, kind: Kind, record_id: str, prefill: dict | None = None) -> None:
    """The page body of /contacts/{id}, /companies/{id} and their /new forms (record_id 'new')."""
    creating = record_id == 'new'
    record: Record | None = None
    if ctx.may(Action.SEE_RECORDS) and not creating and parse_id(record_id) is not None:
        record = await access_record(kind, ctx, parse_id(record_id))
    title = kind_text(kind, 'new') if creating else (record.display_name if record else kind_text(kind, 'kind'))
    with frame(ctx, title or _('(no name)')):
        if not ctx.may(Action.SEE_RECORDS):
            no_access(kind_text(kind, 'guests'))
            return
        if record is None and not creating:
            no_access(kind_text(kind, 'missing'))
            ui.link(kind_text(kind, 'back'), record_path(kind))
            return
        await RecordCard(ctx, kind, record, prefill or {}).build()


async def access_record(kind: Kind, ctx: PageContext, record_id: int) -> Record | None:
    try:
        return await records.get_record(kind, ctx.membership, record_id)
    except NotFound:
        return None


class RecordCard:
    def __init__(self, ctx: PageContext, kind: Kind, record: Record | None, prefill: dict) -> None:
        self.ctx, self.kind, self.record, self.prefill = ctx, kind, record, prefill
        self.editing = record is None
        self.guard: LeaveGuard | None = None  # while the form is shown

    async def build(self) -> None:
        self.everyone, self.mentionable = await _people(self.ctx)
        self.lists = await orgs.option_lists(self.ctx.org.id)
        self.copy_targets = page_copy_targets(self.ctx)
        if self.record is None:
            await self.body()
            return
        self.live_notice()
        self.header()
        with ui.tabs().classes('w-full').props('align=left dense') as tabs:
            details = ui.tab('details', _('Details')).mark('tab-details')
            contacts = ui.tab('contacts', _('Contacts')).mark('tab-contacts') if self.kind is COMPANY else None
            attachments = ui.tab('attachments', _('Attachments')).mark('tab-attachments')
            connections = ui.tab('connections', _('Connections')).mark('tab-connections')
            history = ui.tab('history', _('History')).mark('tab-history')
        # only Details is built with the page; each other tab the first time it is opened (the card is the page
        # people open most: its attachments, connections and history cost queries and elements few look at)
        later = {attachments: lambda: attachments_panel(self.ctx, self.kind, self.record),
                 connections: lambda: connections_panel(self.ctx, self.kind, self.record),
                 history: lambda: history_panel(self.ctx, self.kind, self.record, self.everyone, self.mentionable)}
        if contacts is not None:
            later = {contacts: lambda: company_contacts_panel(self.ctx, self.record)} | later
        self.unopened: dict[str, tuple[ui.tab_panel, Callable[[], Awaitable[None]]]] = {}
        with ui.tab_panels(tabs, value=details, on_change=lambda e: self._open_tab(e.value)) \
                .classes('w-full bg-transparent'):
            with ui.tab_panel(details).classes('p-0'):
                await self.body()
            for tab, build in later.items():
                with ui.tab_panel(tab).classes('p-0') as panel:
                    ui.spinner(size='lg').classes('m-4')
                self.unopened[tab.props['name']] = (panel, build)

    async def _open_tab(self, name: str) -> None:
        """Build a tab's panel the first time it is shown."""
        panel, build = self.unopened.pop(name, (None, None))
        if panel is None:
            return
        panel.clear()
        with panel:
            await build()

    def live_notice(self) -> None:
        """Hidden until someone else changes or deletes the record while the card is open; the message names only
        the version and who, so "Reload" reads the record again through the gate."""
        # the class lets a real browser's test find it (marks exist on the server only)
        with ui.row().classes('w-full items-center gap-2 p-2 rounded bg-amber-1 rubrica-record-changed') \
                .mark('record-changed') as self.notice:
            ui.icon('sync_problem', color='warning')
            self.notice_text = ui.label().mark('record-changed-text')
            ui.space()
            ui.button(_('Reload'), icon='refresh', on_click=self._reload).props('flat dense') \
                .mark('record-changed-reload')
        self.notice.set_visibility(False)
        self.loop = asyncio.get_running_loop()
        self.stop_listening = live.listen(self.kind, self.record.id, self._heard)
        ui.context.client.on_delete(self.stop_listening)

    def _heard(self, message: dict) -> None:
        """A change of this record, made on this process or (through the relay) another; called outside the page's
        context, so the notice is filled inside it (its language)."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if self.notice.is_deleted or running is not self.loop:  # a page gone, or a server that stopped
            self.stop_listening()
            return
        by = message.get('by')
        if by == self.ctx.user.id:
            return  # this person's own change (this card's save, or another tab of theirs)
        if message['kind'] == live.CHANGED:
            version = message.get('version')
            if not isinstance(version, int) or version <= self.record.version:
                return  # what this card shows already
        with self.notice:
            who = self.everyone.get(by) if isinstance(by, int) else None
            what = 'changed' if message['kind'] == live.CHANGED else 'deleted'
            self.notice_text.text = kind_text(self.kind, what, who=who or _('Someone'))
            self.notice.set_visibility(True)

    @ui.refreshable_method
    def header(self) -> None:
        record = self.record
        with ui.row().classes('items-center gap-2 w-full'):
            if record.type:
                ui.chip(record.type, icon='label').props('dense outline').mark('header-type')
            if record.is_private:
                ui.chip(_('Private'), icon='lock').props('dense color=orange-2').mark('header-private')
            ui.space()
            ui.button(_('Edit'), icon='edit', on_click=self.start_editing).mark('record-edit') \
                .bind_visibility_from(self, 'editing', backward=lambda editing: not editing)
            if self.copy_targets:
                ui.button(_('Copy to organization…'), icon='content_copy', on_click=self.copy).props('flat') \
                    .mark('record-copy')
            ui.button(_('Delete'), icon='delete', on_click=self.confirm_delete).props('flat color=negative') \
                .mark('record-delete')
        creator = self.everyone.get(record.created_by_id) or _('a former member')
        editor = self.everyone.get(record.updated_by_id) or _('a former member')
        ui.label(_('Created by {creator} on {day}; last changed by {editor} on {moment} (version {version})',
                   creator=creator, day=moments.day(record.created_at), editor=editor,
                   moment=moments.moment(record.updated_at), version=record.version)) \
            .classes('text-caption text-grey-7').mark('record-meta')

    async def _company(self):
        if self.kind is not CONTACT:
            return None
        company_id = self.record.company_id if self.record else parse_id(self.prefill.get('company_id', ''))
        companies = await records.visible_companies_by_id(self.ctx.membership, [company_id])
        return companies.get(company_id)

    @ui.refreshable_method
    async def body(self) -> None:
        company = await self._company()
        if not self.editing:
            self.guard = None
            with ui.column().classes('w-full gap-2'):
                record_details(self.ctx, self.kind, self.record, company, self.everyone)
            return
        guard = self.guard = LeaveGuard(kind_text(self.kind, 'this'))
        form = RecordForm(self.ctx, self.kind, self.record, lists=self.lists, member_names=self.mentionable,
                          names=self.everyone, company=company, prefill=self.prefill,
                          on_change=lambda: setattr(guard, 'dirty', form.data() != unchanged))
        unchanged = form.data()
        with ui.row().classes('w-full justify-end gap-2 sticky bottom-0 bg-white py-2'):
            if self.record is not None:
                ui.button(_('Cancel'), on_click=self.stop_editing).props('flat').mark('record-cancel')
            ui.button(_('Save'), icon='save', on_click=lambda: self.save(form)).mark('record-save')

    async def copy(self) -> None:
        ids = {'contact_ids': [self.record.id] if self.kind is CONTACT else [],
               'company_ids': [self.record.id] if self.kind is COMPANY else []}
        await open_copy_dialog(self.ctx, **ids)

    def start_editing(self) -> None:
        self.editing = True
        self.body.refresh()

    def stop_editing(self) -> None:
        self.editing = False
        self.body.refresh()

    async def save(self, form: RecordForm) -> None:
        data = form.data()
        if self.record is None:
            created = await attempt(records.create_record(self.kind, self.ctx.membership, data), form.elements)
            if created is not FAILED:
                self._release()
                flash(kind_text(self.kind, 'created'))  # shown by the card it opens
                ui.navigate.to(record_path(self.kind, created.id))
            return
        try:
            saved = await attempt(records.update_record(self.kind, self.ctx.membership, self.record.id, data,
                                                        self.record.version), form.elements, passing=(StaleVersion,))
        except StaleVersion as e:
            self.show_conflict(e)
            return
        if saved is not FAILED:
            ui.notify(kind_text(self.kind, 'saved'), type='positive')
            self.record, self.editing = saved, False
            for title in ElementFilter(kind=ui.label, marker='page-title'):
                title.text = saved.display_name or _('(no name)')
            self.header.refresh()
            self.body.refresh()

    def _release(self) -> None:
        """The form's changes were saved or are being discarded on purpose: leaving asks nothing."""
        if self.guard is not None:
            self.guard.release()

    def _reload(self) -> None:
        self._release()
        ui.navigate.reload()

    def show_conflict(self, conflict: StaleVersion) -> None:
        with ui.dialog(value=True) as dialog, ui.card().classes('max-w-md'):
            ui.label(_('Someone else changed this record')).classes('text-h6')
            ui.label(conflict.message).mark('conflict-message')
            ui.label(_('Your changes were not saved, and theirs were not overwritten.')).classes('text-grey-8')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Keep my edits open'), on_click=dialog.close).props('flat')
                ui.button(_('Reload'), on_click=self._reload).mark('conflict-reload')

    async def confirm_delete(self) -> None:
        with ui.dialog(value=True) as dialog, ui.card():
            ui.label(_('Delete {name}?', name=self.record.display_name) if self.record.display_name
                     else _('Delete this record?')).classes('text-h6')
            ui.label(_('It moves to the trash, where it can be restored until it is emptied.')) \
                .classes('text-grey-8')

            async def delete() -> None:
                deleting = records.delete_record(self.kind, self.ctx.membership, self.record.id,
                                                 integrations=integrations())
                if await attempt(deleting) is not FAILED:
                    dialog.close()
                    self._release()
                    flash(_('Deleted'))  # shown by the list it opens
                    ui.navigate.to(record_path(self.kind))
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=dialog.close).props('flat')
                ui.button(_('Delete'), on_click=delete).props('color=negative').mark('record-delete-confirm')


async def company_contacts_panel(ctx: PageContext, company: Record) -> None:
    page = await records.company_contacts(ctx.membership, company.id, limit=records.PAGE_SIZE)
    with ui.row().classes('w-full items-center'):
        total = ngettext('{count} contact', '{count} contacts', page.total) if page.total_exact \
            else ngettext('{count}+ contact', '{count}+ contacts', page.total)  # a company of 10,000+ contacts
        ui.label(total).mark('company-contacts-total')
        ui.space()
        ui.button(_('Add contact'), icon='person_add',
                  on_click=lambda: ui.navigate.to(f'/contacts/new?company_id={company.id}')) \
            .mark('company-add-contact')
    with ui.list().props('bordered separator').classes('w-full'):
        for contact in page.items:
            with ui.item(on_click=lambda c=contact: ui.navigate.to(record_path(CONTACT, c.id))) \
                    .mark('company-contact'):
                with ui.item_section():
                    ui.item_label(contact.display_name)
                    ui.item_label(' · '.join(v for v in (contact.role, contact.emails[0] if contact.emails else '')
                                             if v)).props('caption')
    if page.total > len(page.items):
        shown = i18n.number(page.total) + ('' if page.total_exact else '+')
        ui.link(_('All {count} in the contacts list', count=shown),
                f'/contacts?company_id={company.id}')
