"""The duplicates page: likely duplicates with the reason, a side-by-side review to merge two of them, and undo."""
from __future__ import annotations

from nicegui import ui

from models.duplicates import detection, merging
from models.duplicates.merging import Preview
from models.i18n import N_, _, ngettext
from models.mentions import readable
from models.records import service as records
from models.records.tables import CONTACT, KINDS, Kind, Record
from models.validation import display_phone

from . import moments
from .feedback import FAILED, attempt
from .frame import frame, records_allowed
from .record_card import record_path
from .session import PageContext, page_context, to_login
from .widgets import country_name
from .page_route import page

FIELD_LABELS = {  # translated where shown
    'first_name': N_('First name'), 'last_name': N_('Last name'), 'name': N_('Name'), 'type': N_('Type'),
    'role': N_('Role'), 'company_id': N_('Company'), 'sector': N_('Sector'), 'description': N_('Description'),
    'pec': N_('PEC'), 'vat_number': N_('VAT number / tax code'), 'visibility': N_('Visibility'),
    'emails': N_('Emails'), 'phones': N_('Phones'), 'addresses': N_('Addresses'),
    'sdi_code': N_('SDI recipient code'), 'registration_number': N_('Company registration number'),
}
PAGE_SIZE = 20


def _field_label(name: str) -> str:
    return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def _moved_text(table: str, count: int) -> str:
    """'2 attachments': what a merge moves to the kept record, counted."""
    if table == 'attachments':
        return ngettext('{count} attachment', '{count} attachments', count)
    if table == 'connections':
        return ngettext('{count} connection', '{count} connections', count)
    if table == 'contacts':
        return ngettext('{count} contact', '{count} contacts', count)
    if table == 'notes':
        return ngettext('{count} note', '{count} notes', count)
    return f'{count} {table}'


def _total_text(kind_name: str, total: int) -> str:
    if kind_name == 'company':
        return ngettext('{count} pair of likely duplicate companies', '{count} pairs of likely duplicate companies',
                        total)
    return ngettext('{count} pair of likely duplicate contacts', '{count} pairs of likely duplicate contacts', total)


def _address_text(address: dict) -> str:
    parts = [address.get('street'), ' '.join(p for p in (address.get('postal_code'), address.get('city')) if p),
             address.get('province'), country_name(address.get('country'))]
    return ', '.join(p for p in parts if p) or _('(empty address)')


def _list_value(name: str, value, region: str) -> str:
    if name == 'phones':
        return display_phone(value, region)
    if name == 'addresses':
        return _address_text(value)
    return value


class DuplicatesPage:
    def __init__(self, ctx: PageContext, kind: Kind) -> None:
        self.ctx, self.kind = ctx, kind
        self.offset = 0

    async def build(self) -> None:
        with ui.row().classes('w-full items-center gap-2'):
            ui.toggle({'contact': _('Contacts'), 'company': _('Companies')}, value=self.kind.name,
                      on_change=lambda e: self.set_kind(e.value)).mark('dups-kind')
            ui.space()
            self.total_label = ui.label().classes('text-grey-8').mark('dups-total')
        self.last_merge = ui.row().classes('w-full items-center gap-2')
        self.groups = ui.column().classes('w-full gap-2')
        with ui.row().classes('w-full items-center justify-center gap-2').mark('dups-pager') as self.pager:
            self.previous = ui.button(_('Previous'), icon='chevron_left', on_click=lambda: self.page(-1)) \
                .props('flat').mark('dups-previous')
            self.next = ui.button(_('Next'), icon='chevron_right', on_click=lambda: self.page(1)) \
                .props('flat').mark('dups-next')
        ui.label(_('Recent merges')).classes('text-h6 mt-4')
        self.merges = ui.column().classes('w-full gap-1')
        await self.load()

    async def set_kind(self, name: str) -> None:
        self.kind, self.offset = KINDS[name], 0
        self.last_merge.clear()
        await self.load()

    async def page(self, step: int) -> None:
        self.offset = max(0, self.offset + step * PAGE_SIZE)
        await self.load()

    async def load(self) -> None:
        found = await attempt(detection.scan(self.ctx.membership, self.kind.name, limit=PAGE_SIZE,
                                             offset=self.offset))
        if found is FAILED:
            return
        self.total_label.text = _total_text(self.kind.name, found.total)
        if found.common_values:
            self.total_label.text += ' ' + ngettext(
                '({count} value shared by more than {limit} records left out)',
                '({count} values shared by more than {limit} records left out)', found.common_values,
                limit=detection.PAIRS_PER_VALUE_MAX)
        self.pager.set_visibility(found.total > PAGE_SIZE)  # one page needs no Previous and Next
        self.previous.set_enabled(self.offset > 0)
        self.next.set_enabled(self.offset + PAGE_SIZE < found.total)
        self.groups.clear()
        with self.groups:
            if not found.items:
                ui.label(_('No likely duplicate companies found.') if self.kind.name == 'company'
                         else _('No likely duplicate contacts found.')).classes('text-grey-8').mark('dups-none')
            for group in found.items:
                self._group(group)
        await self.load_merges()

    def _reason_text(self, reason: detection.Reason) -> str:
        if reason.key == 'name':
            return reason.reason
        value = display_phone(reason.value, self.ctx.org.country) if reason.key == 'phone' else reason.value
        return f'{reason.reason}: {value}'

    def _member(self, member: detection.Member) -> None:
        with ui.column().classes('gap-0 min-w-[14rem]').mark('dups-member-card'):
            with ui.row().classes('items-center gap-1 no-wrap'):
                ui.link(member.name or _('(no name)'), record_path(self.kind, member.id)).classes('font-medium') \
                    .mark('dups-member')
                if member.private:
                    ui.icon('lock', size='xs').classes('text-orange-8').tooltip(_('Private'))
            if member.company_name:
                ui.label(member.company_name).classes('text-grey-8 text-sm').mark('dups-member-company')

    def _group(self, pair: detection.Pair) -> None:
        """One pair of likely duplicates: the two records by name (and company), every reason, one merge button."""
        first, second = pair.members
        with ui.card().classes('w-full').mark('dups-group'):
            with ui.row().classes('w-full items-center gap-4'):
                self._member(first)
                ui.icon('compare_arrows').classes('text-orange-8')
                self._member(second)
                ui.space()
                ui.button(_('Review & merge'), icon='merge_type', on_click=lambda: self.review(first.id, second.id)) \
                    .props('flat dense').mark('dups-review')
            with ui.row().classes('items-center gap-1'):
                for reason in pair.reasons:
                    ui.chip(self._reason_text(reason), icon='content_copy').props('dense outline color=orange-9') \
                        .mark('dups-reason')

    async def load_merges(self) -> None:
        logs = await attempt(merging.recent_merges(self.ctx.membership, self.kind.name))
        if logs is FAILED:
            return
        self.merges.clear()
        with self.merges:
            if not logs:
                ui.label(_('No merges to undo.')).classes('text-grey-8').mark('merges-none')
            for log in logs:
                with ui.row().classes('items-center gap-2 w-full').mark('merge-row'):
                    ui.label(moments.moment(log.created_at)).classes('text-grey-7 text-sm')
                    ui.label(_('"{name}" merged into', name=log.removed_name))
                    ui.link(log.kept_name or _('(no name)'), record_path(self.kind, log.kept_id))
                    ui.button(_('Undo merge'), icon='undo', on_click=lambda i=log.id: self.undo(i)) \
                        .props('flat dense').mark('merge-undo')

    async def undo(self, merge_id: int) -> None:
        done = await attempt(merging.undo_merge(self.ctx.membership, merge_id))
        if done is FAILED:
            return
        ui.notify(_('Merge undone: "{kept}" and "{restored}" are back as they were', kept=done.kept.display_name,
                    restored=done.restored.display_name), type='positive')
        self.last_merge.clear()
        await self.load()

    # ------------------------------------------------------------ review and merge

    async def review(self, keep_id: int, other_id: int) -> None:
        found = await attempt(merging.preview(self.kind, self.ctx.membership, keep_id, other_id))
        if found is FAILED:
            await self.load()
            return
        companies = await records.visible_companies_by_id(
            self.ctx.membership, [found.keep.company_id, found.other.company_id]) if self.kind is CONTACT else {}
        ReviewDialog(self, found, companies).open()

    async def merged(self, result: merging.MergeResult) -> None:
        ui.notify(_('Merged into "{name}"', name=result.record.display_name), type='positive')
        self.last_merge.clear()
        with self.last_merge:
            ui.icon('check_circle').classes('text-positive')
            ui.label(_('"{name}" was merged into', name=result.log.removed_name)).mark('merge-done')
            ui.link(result.record.display_name or _('(no name)'), record_path(self.kind, result.record.id))
            ui.button(_('Undo merge'), icon='undo', on_click=lambda: self.undo(result.log.id)) \
                .props('outline dense').mark('merge-undo-last')
        await self.load()


class ReviewDialog:
    """Both records side by side: a radio per field whose values differ, the union of emails, phones and
    addresses as checkboxes, and what moves."""

    def __init__(self, page: DuplicatesPage, found: Preview, companies: dict) -> None:
        self.page, self.found, self.companies = page, found, companies
        self.choices: dict[str, ui.radio] = {}
        self.picks: dict[str, list[tuple[object, ui.checkbox]]] = {}
        self.keep, self.other = found.keep, found.other

    def _shown(self, record: Record, name: str) -> str:
        value = getattr(record, name)
        if name == 'company_id':
            company = self.companies.get(value)
            return company.name if company else _('(none)') if value is None else _('(a company you cannot see)')
        if name == 'description':  # mentions as the names people read, never the stored markup
            text = readable(value)
            return (text[:120] + '…' if len(text) > 120 else text) or _('(empty)')
        return str(value) if value not in ('', None) else _('(empty)')

    def _named(self, record: Record) -> str:
        """A record's name, with its company for a contact (when the caller may see it)."""
        company = self.companies.get(getattr(record, 'company_id', None))
        name = record.display_name or _('(no name)')
        return f'{name}, {company.name}' if company else name

    def open(self) -> None:
        kind, region = self.page.kind, self.page.ctx.org.country
        with ui.dialog(value=True) as self.dialog, ui.card().classes('w-full max-w-4xl').mark('merge-dialog'):
            ui.label(_('Merge two companies') if kind.name == 'company' else _('Merge two contacts')) \
                .classes('text-h6')
            with ui.row().classes('w-full items-center gap-2'):
                ui.label(_('Keeps "{kept}" and removes "{removed}"', kept=self._named(self.keep),
                           removed=self._named(self.other))).mark('merge-pair')
                ui.button(_('Swap'), icon='swap_horiz', on_click=self.swap).props('flat dense').mark('merge-swap')
            with ui.grid(columns='auto 1fr').classes('w-full items-center gap-x-4 gap-y-1'):
                for name in self.found.fields:
                    ui.label(_field_label(name)).classes('font-medium')
                    first, second = self._shown(self.keep, name), self._shown(self.other, name)
                    if getattr(self.keep, name) == getattr(self.other, name):
                        ui.label(first).classes('text-grey-8').mark(f'same-{name}')
                    else:
                        options = {'keep': first, 'other': second}
                        if name == 'description' and self.keep.description.strip() \
                                and self.other.description.strip():
                            options['both'] = _('Keep both (joined)')
                        self.choices[name] = ui.radio(options, value='keep') \
                            .props('inline').mark(f'choice-{name}')
                for name, union in self.found.unions.items():
                    ui.label(_field_label(name)).classes('font-medium')
                    with ui.column().classes('gap-0'):
                        if not union:
                            ui.label(_('(none)')).classes('text-grey-8')
                        self.picks[name] = [(value, ui.checkbox(_list_value(name, value, region), value=True)
                                             .mark(f'pick-{name}')) for value in union]
                        if name in self.found.over_limit:
                            ui.label(_('More than {limit} together: untick the ones not to keep',
                                       limit=self.found.over_limit[name])) \
                                .classes('text-negative text-sm').mark(f'over-{name}')
            # a record's history always comes along (the timeline says so): not something to weigh before merging
            moved = [_moved_text(table, count) for table, count in self.found.moved.items()
                     if count and table != 'history']
            ui.label(_('Moves to the kept record: {what}', what=', '.join(moved)) if moved
                     else _('Moves to the kept record: nothing else')) \
                .classes('text-grey-8').mark('merge-moved')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=self.dialog.close).props('flat')
                ui.button(_('Merge'), icon='merge_type', on_click=self.merge).props('color=primary') \
                    .mark('merge-confirm')

    async def swap(self) -> None:
        self.dialog.close()
        await self.page.review(self.other.id, self.keep.id)

    async def merge(self) -> None:
        choices = {name: radio.value for name, radio in self.choices.items()}
        lists = {name: [value for value, box in boxes if box.value] for name, boxes in self.picks.items()}
        result = await attempt(merging.merge(
            self.page.kind, self.page.ctx.membership, self.keep.id, self.other.id, choices=choices,
            versions={'keep': self.keep.version, 'other': self.other.version}, lists=lists))
        if result is FAILED:
            return
        self.dialog.close()
        await self.page.merged(result)


async def duplicates_page_body(ctx: PageContext, kind_name: str) -> None:
    ui.page_title(_('Duplicates') + ' · Rubrica')
    with frame(ctx, _('Duplicates')):
        if not records_allowed(ctx):
            return
        await DuplicatesPage(ctx, KINDS.get(kind_name, CONTACT)).build()


@page('/duplicates', title='Duplicates · Rubrica')
async def duplicates_page(kind: str = 'contact'):
    if (ctx := await page_context()) is None:
        return to_login('/duplicates')
    await duplicates_page_body(ctx, kind)
