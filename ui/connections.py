"""Connections on both sides: the Connections tab of a contact or company card (`connections_panel`) and the
linked contacts and companies of a project, task or ticket card (`linked_records_section`).

Both list what models/work/connections.py returns (only what the viewer may see) and offer a search picker to link
more and a button to unlink; the rules (who may link, what is visible) live in models/.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from nicegui import ui

from models import i18n
from models.access import Action
from models.i18n import N_, _, ngettext
from models.records import service as records
from models.records.tables import KINDS, Kind, Record
from models.work import connections, service as work
from models.work.tables import LABELS, PRIORITIES, TASK, TICKET, WORK_KINDS, WorkItem, WorkKind

from . import moments
from .feedback import FAILED, attempt
from .session import PageContext
from .widgets import field_style

PICKER_RESULTS = 8
PREVIEW = 25  # rows drawn per kind at first; "Show all" draws the rest from what is already loaded
ICONS = {'project': 'folder', 'task': 'task_alt', 'ticket': 'confirmation_number', 'contact': 'person',
         'company': 'business'}
STATUS_COLORS = {'active': 'primary', 'on_hold': 'orange', 'done': 'positive', 'todo': 'grey-7',
                 'in_progress': 'primary', 'open': 'orange', 'closed': 'positive'}
PRIORITY_COLORS = {'low': 'grey-6', 'normal': 'blue-grey', 'high': 'deep-orange', 'urgent': 'negative'}
RECORD_PATHS = {'contact': '/contacts', 'company': '/companies'}
# Each kind's own sentences (in Italian and French a task, a ticket, a company and a contact differ in gender).
TEXTS = {
    'project': {'kind': N_('Project'), 'empty': N_('No linked projects'),
                'all': N_('Show all {count} projects'), 'linked': N_('Linked to the project')},
    'task': {'kind': N_('Task'), 'empty': N_('No linked tasks'),
             'all': N_('Show all {count} tasks'), 'linked': N_('Linked to the task'), 'new': N_('New task'),
             'new_for': N_('New task for {name}'), 'created': N_('Task “{title}” created and linked')},
    'ticket': {'kind': N_('Ticket'), 'empty': N_('No linked tickets'),
               'all': N_('Show all {count} tickets'), 'linked': N_('Linked to the ticket'), 'new': N_('New ticket'),
               'new_for': N_('New ticket for {name}'), 'created': N_('Ticket “{title}” created and linked')},
    'contact': {'kind': N_('Contact'), 'empty': N_('No linked contacts'),
                'all': N_('Show all {count} contacts'), 'linked': N_('Linked the contact')},
    'company': {'kind': N_('Company'), 'empty': N_('No linked companies'),
                'all': N_('Show all {count} companies'), 'linked': N_('Linked the company')},
}

# Each kind's heading over its linked rows, with how many there are (counted texts: ngettext finds them).
HEADINGS = {'project': lambda count: ngettext('Projects ({count})', 'Projects ({count})', count),
            'task': lambda count: ngettext('Tasks ({count})', 'Tasks ({count})', count),
            'ticket': lambda count: ngettext('Tickets ({count})', 'Tickets ({count})', count),
            'contact': lambda count: ngettext('Contacts ({count})', 'Contacts ({count})', count),
            'company': lambda count: ngettext('Companies ({count})', 'Companies ({count})', count)}


def kind_text(kind_name: str, what: str, /, **values: object) -> str:
    """One of TEXTS' sentences for the kind `kind_name`, in the reader's language (a `count` written its way);
    `values` fill its placeholders, `{name}` among them."""
    if 'count' in values:
        values['count'] = i18n.number(values['count'])
    return _(TEXTS[kind_name][what], **values)


def work_label(value: str) -> str:
    """A status or a priority as people read it."""
    return _(LABELS[value]) if value in LABELS else value


def status_badge(status: str):
    return ui.badge(work_label(status), color=STATUS_COLORS.get(status, 'grey')).props('outline')


def priority_badge(priority: str):
    return ui.badge(work_label(priority), color=PRIORITY_COLORS.get(priority, 'grey'))


def due_text(item: WorkItem) -> str:
    return _('due {day}', day=moments.day(item.due_date)) if item.due_date else _('no due date')


def due_label(item: WorkItem):
    return ui.label(due_text(item)).classes('text-grey-8 text-sm min-w-[7rem]')


async def _picker(*, kinds: dict[str, str], search: Callable[[str, str], Awaitable[list[tuple[int, str]]]],
            pick: Callable[[str, int], Awaitable[object]], linked: Callable[[], set[tuple[str, int]]]) -> None:
    """A search picker: choose what to link, type to search (in the database), click Link on a result."""
    state = {'kind': next(iter(kinds))}

    @ui.refreshable
    async def results() -> None:
        query, kind = (search_input.value or '').strip(), state['kind']
        if not query:
            return
        found = await search(kind, query)
        if (search_input.value or '').strip() != query or state['kind'] != kind:
            return  # the user typed on meanwhile: a newer search draws the results
        if not found:
            ui.label(_('Nothing found')).classes('text-grey-7').mark('link-nothing-found')
        already = linked()
        for target_id, name in found:
            with ui.row().classes('items-center gap-2 w-full').mark('link-result'):
                ui.icon(ICONS[kind]).classes('text-grey-7')
                ui.label(name).classes('grow')
                if (kind, target_id) in already:
                    ui.label(_('linked')).classes('text-grey-7 text-sm').mark(f'already-linked-{kind}-{target_id}')
                else:
                    async def choose(target_id: int = target_id) -> None:
                        if await pick(kind, target_id) is not FAILED:
                            await results.refresh()
                    ui.button(_('Link'), icon='link', on_click=choose).props('flat dense') \
                        .mark(f'link-{kind}-{target_id}')

    async def kind_changed(e) -> None:
        state['kind'] = e.value
        await results.refresh()

    with ui.row().classes('items-end gap-2 w-full'):
        ui.select(kinds, value=state['kind'], on_change=kind_changed, label=_('Link a')).classes('w-36') \
            .mark('link-kind')
        search_input = ui.input(_('Search'), placeholder=_('type a name or title'),
                                on_change=lambda: results.refresh()).props('clearable debounce=250') \
            .classes('grow').mark('link-search')
    with ui.column().classes('w-full gap-1'):
        await results()


# ---------------------------------------------------------------- what both sides share

@dataclass(frozen=True)
class Section:
    """One kind of linked thing in a panel: its key in what models/connections returns (and in TEXTS: "No linked
    …", "Show all …"), its heading, the mark of its list and of its "Show all" button, and its rows: each row is
    data (`row(link)`, a dict with the target's `id`) that the list's `template` draws."""
    name: str
    heading: Callable[[int], object]  # draws the heading, given how many are linked
    mark: str
    show_all_mark: str
    row: Callable[[connections.Link], dict]
    template: str


class LinkedRows(ui.table):
    """The linked things of one kind: one table whose rows are data, drawn in the browser by the section's template
    (a row of elements each costs a few hundred microseconds to build: 500 of them took half a second). Text goes
    into the page only through Vue's text interpolation and props, never as HTML. Its `unlink` event carries the
    target's id."""

    def __init__(self, section: Section, rows: list[dict], on_unlink) -> None:
        super().__init__(rows=rows, columns=[{'name': 'row', 'label': '', 'field': 'id'}], row_key='id')
        self.props('flat dense hide-header hide-bottom wrap-cells').classes('w-full').mark(section.mark)
        self.add_slot('body', section.template)
        if on_unlink is not None:
            self.on('unlink', lambda e: on_unlink(e.args))

    def _displayed_contents(self, *, only_visible: bool) -> list:  # what NiceGUI's test user reads on it
        return [*super()._displayed_contents(only_visible=only_visible),
                *(text for row in self.rows for text in row.values() if isinstance(text, str))]


# A row's parts, as the Vue template of a table's body slot: {{ }} and bound props put text in as text.
_ROW_START = '<q-tr :props="props"><q-td style="border: none; padding: 2px 0">' \
             '<div class="row items-center no-wrap q-gutter-x-md">'
_ROW_LINK = '<a :href="props.row.href" class="nicegui-link col" style="overflow-wrap: anywhere">' \
            '{{ props.row.title }}</a>'
_ROW_END = '<q-btn v-if="props.row.unlink" flat round dense icon="link_off" :aria-label="props.row.unlink" ' \
           ':title="props.row.unlink" @click="() => $parent.$emit(\'unlink\', props.row.id)" /></div></q-td></q-tr>'
WORK_ROW = _ROW_START + _ROW_LINK + \
    '<q-badge outline :color="props.row.status_color" :label="props.row.status" />' \
    '<q-badge v-if="props.row.priority" :color="props.row.priority_color" :label="props.row.priority" />' \
    '<span class="text-grey-8 text-sm" style="min-width: 7rem">{{ props.row.due }}</span>' + _ROW_END
RECORD_ROW = _ROW_START + '<q-icon :name="props.row.icon" class="text-grey-7" size="sm" />' + _ROW_LINK + _ROW_END


async def _links_panel(actor, *, mark: str, may_link: bool,
                       load: Callable[[], Awaitable[connections.RecordConnections | connections.ItemConnections]],
                       sections: list[Section], picker_kinds: dict[str, str],
                       search: Callable[[str, str], Awaitable[list[tuple[int, str]]]],
                       link_ids: Callable[[str, int], dict[str, int]], linked_message: Callable[[str], str],
                       actions: Callable[[Callable[[], Awaitable[None]]], None] | None = None) -> None:
    """The linked things grouped by section (the first PREVIEW rows, then "Show all"), an unlink button per row and
    a picker that links more, when the viewer may link. `actions(refresh)`, if given, draws buttons above the list
    that change it and then redraw it with `refresh`."""
    current: dict[str, set[tuple[str, int]]] = {'linked': set()}

    @ui.refreshable
    async def listing() -> None:
        found = await attempt(load())
        if found is FAILED:
            return
        current['linked'] = {(name, link.target.id) for name, links in found.links.items() for link in links}
        unlink_text = _('Unlink') if may_link else ''
        for section in sections:
            links = found.links[section.name]
            section.heading(len(links))
            if not links:
                ui.label(kind_text(section.name, 'empty')).classes('text-grey-7 text-sm')
                continue
            connection_of = {link.target.id: link.connection_id for link in links}
            rows = [{**section.row(link), 'unlink': unlink_text} for link in links]
            table = LinkedRows(section, rows[:PREVIEW],
                               (lambda target_id, c=connection_of: unlink(c[target_id])) if may_link else None)
            if len(rows) > PREVIEW:
                _show_all_button(table, rows, kind_text(section.name, 'all', count=len(rows)), section.show_all_mark)

    async def unlink(connection_id: int) -> None:
        if await attempt(connections.unlink(actor, connection_id)) is not FAILED:
            ui.notify(_('Unlinked'), type='positive')
            await listing.refresh()

    async def pick(name: str, target_id: int):
        done = await attempt(connections.link(actor, link_ids(name, target_id)))
        if done is not FAILED:
            ui.notify(linked_message(name), type='positive')
            await listing.refresh()
        return done

    with ui.column().classes('w-full gap-1').mark(mark):
        if actions is not None:
            actions(listing.refresh)
        await listing()
        if may_link:
            ui.separator()
            await _picker(kinds=picker_kinds, search=search, pick=pick, linked=lambda: current['linked'])


def _show_all_button(table: LinkedRows, rows: list[dict], label: str, mark: str) -> None:
    """"Show all": the table takes the rest of the rows already loaded (data only: nothing more is built)."""
    def show_all() -> None:
        table.rows = rows
        button.delete()
    button = ui.button(label, icon='expand_more', on_click=show_all).props('flat dense no-caps').mark(mark)


# ---------------------------------------------------------------- the Connections tab of a contact or company

async def connections_panel(ctx: PageContext, kind: Kind, record: Record) -> None:
    """The projects, tasks and tickets linked to this contact or company, grouped by kind, with status and due
    date, each opening its card; a picker links more, a button unlinks. Built with a fixed number of queries."""
    actor = ctx.membership

    def heading(work_kind: WorkKind, count: int) -> None:
        with ui.row().classes('items-center gap-2 q-mt-sm'):
            ui.icon(ICONS[work_kind.name])
            ui.label(HEADINGS[work_kind.name](count)).classes('text-subtitle1') \
                .mark(f'connections-{work_kind.plural}-heading')

    async def search(work_name: str, query: str) -> list[tuple[int, str]]:
        work_kind = WORK_KINDS[work_name]
        page = await work.list_items(work_kind, actor, q=query, limit=PICKER_RESULTS)
        return [(item.id, f'{work_kind.title(item)} · {work_label(item.status)}') for item in page.items]

    await _links_panel(
        actor, mark='connections-panel', may_link=ctx.may(Action.LINK_WORK),
        load=lambda: connections.record_connections(actor, kind, record.id),
        sections=[Section(w.name, partial(heading, w), f'linked-{w.name}', f'show-all-{w.plural}',
                          partial(_work_row, w), WORK_ROW) for w in WORK_KINDS.values()],
        picker_kinds={w.name: kind_text(w.name, 'kind') for w in WORK_KINDS.values()}, search=search,
        link_ids=lambda work_name, item_id: {f'{kind.name}_id': record.id, f'{work_name}_id': item_id},
        linked_message=lambda work_name: kind_text(work_name, 'linked'),
        actions=partial(_new_item_buttons, actor, kind, record) if ctx.may(Action.EDIT_WORK) else None)


def _new_item_buttons(actor, kind: Kind, record: Record, refresh: Callable[[], Awaitable[None]]) -> None:
    """"New task" and "New ticket": made for this record, and linked to it, in one step."""
    with ui.row().classes('w-full gap-2'):
        for work_kind in (TASK, TICKET):
            ui.button(kind_text(work_kind.name, 'new'), icon=ICONS[work_kind.name],
                      on_click=lambda w=work_kind: _new_item_dialog(actor, w, kind, record, refresh)) \
                .props('outline no-caps').mark(f'record-new-{work_kind.name}')


def _new_item_dialog(actor, work_kind: WorkKind, kind: Kind, record: Record,
                     refresh: Callable[[], Awaitable[None]]) -> None:
    """A small dialog: the title, and the due date of a task or the priority of a ticket."""
    with ui.dialog() as dialog, ui.card().classes('w-[28rem] max-w-full'):
        ui.label(kind_text(work_kind.name, 'new_for', name=record.display_name or _('(no name)'))) \
            .classes('text-h6 break-words max-w-full')
        elements: dict[str, object] = {
            work_kind.title_field: field_style(ui.input(_('Title'))).classes('w-full').mark('new-item-title')}
        if work_kind is TASK:
            elements['due_date'] = field_style(ui.input(_('Due date')).props('type=date stack-label')) \
                .classes('w-full').mark('new-item-due')
        if work_kind is TICKET:
            elements['priority'] = field_style(ui.select({p: work_label(p) for p in PRIORITIES}, label=_('Priority'),
                                                         value='normal')).classes('w-full').mark('new-item-priority')

        async def create() -> None:
            data = {name: element.value or None for name, element in elements.items()}
            data[work_kind.title_field] = elements[work_kind.title_field].value or ''
            item = await attempt(connections.create_linked(work_kind, actor, kind, record.id, data), elements)
            if item is FAILED:
                return
            dialog.close()
            ui.notify(kind_text(work_kind.name, 'created', title=work_kind.title(item)), type='positive')
            await refresh()

        elements[work_kind.title_field].on('keydown.enter', create)
        with ui.row().classes('w-full justify-end'):
            ui.button(_('Cancel'), on_click=dialog.close).props('flat')
            ui.button(_('Create'), on_click=create).mark('new-item-create')
    dialog.on_value_change(lambda e: None if e.value else dialog.delete())  # each opening makes a new one
    dialog.open()


def _work_row(work_kind: WorkKind, link: connections.Link) -> dict:
    item = link.target
    row = {'id': item.id, 'title': work_kind.title(item), 'href': f'/{work_kind.plural}/{item.id}',
           'status': work_label(item.status), 'status_color': STATUS_COLORS.get(item.status, 'grey'),
           'due': due_text(item)}
    if work_kind is TICKET:
        row |= {'priority': work_label(item.priority), 'priority_color': PRIORITY_COLORS.get(item.priority, 'grey')}
    return row


# ---------------------------------------------------------------- the linked records of a project, task or ticket

async def linked_records_section(ctx: PageContext, work_kind: WorkKind, item: WorkItem) -> None:
    """The contacts and companies linked to this item that the viewer may see, a picker to link more, unlink."""
    actor = ctx.membership

    def heading(kind: Kind, count: int) -> None:
        ui.label(HEADINGS[kind.name](count)).classes('text-subtitle1 q-mt-sm') \
            .mark(f'linked-{kind.name}-heading')

    async def search(kind_name: str, query: str) -> list[tuple[int, str]]:
        page = await records.list_records(KINDS[kind_name], actor, q=query, limit=PICKER_RESULTS)
        return [(record.id, record.display_name) for record in page.items]

    await _links_panel(
        actor, mark='linked-records', may_link=ctx.may(Action.LINK_WORK),
        load=lambda: connections.item_connections(actor, work_kind, item.id),
        sections=[Section(k.name, partial(heading, k), f'linked-{k.name}', f'show-all-{k.name}',
                          partial(_record_row, k), RECORD_ROW) for k in KINDS.values()],
        picker_kinds={name: kind_text(name, 'kind') for name in KINDS}, search=search,
        link_ids=lambda kind_name, record_id: {f'{kind_name}_id': record_id, f'{work_kind.name}_id': item.id},
        linked_message=lambda kind_name: kind_text(kind_name, 'linked'))


def _record_row(kind: Kind, link: connections.Link) -> dict:
    record = link.target
    return {'id': record.id, 'title': record.display_name, 'href': f'{RECORD_PATHS[kind.name]}/{record.id}',
            'icon': ICONS[kind.name]}
