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

from models.access import Action
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
TITLES = {'contact': 'Contacts', 'company': 'Companies'}


def status_badge(status: str):
    return ui.badge(LABELS.get(status, status), color=STATUS_COLORS.get(status, 'grey')).props('outline')


def priority_badge(priority: str):
    return ui.badge(LABELS.get(priority, priority), color=PRIORITY_COLORS.get(priority, 'grey'))


def due_label(item: WorkItem):
    return ui.label(f'due {moments.day(item.due_date)}' if item.due_date else 'no due date') \
        .classes('text-grey-8 text-sm min-w-[7rem]')


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
            ui.label('Nothing found').classes('text-grey-7').mark('link-nothing-found')
        already = linked()
        for target_id, label in found:
            with ui.row().classes('items-center gap-2 w-full').mark('link-result'):
                ui.icon(ICONS[kind]).classes('text-grey-7')
                ui.label(label).classes('grow')
                if (kind, target_id) in already:
                    ui.label('linked').classes('text-grey-7 text-sm').mark(f'already-linked-{kind}-{target_id}')
                else:
                    async def choose(target_id: int = target_id) -> None:
                        if await pick(kind, target_id) is not FAILED:
                            await results.refresh()
                    ui.button('Link', icon='link', on_click=choose).props('flat dense') \
                        .mark(f'link-{kind}-{target_id}')

    async def kind_changed(e) -> None:
        state['kind'] = e.value
        await results.refresh()

    with ui.row().classes('items-end gap-2 w-full'):
        ui.select(kinds, value=state['kind'], on_change=kind_changed, label='Link a').classes('w-36').mark('link-kind')
        search_input = ui.input('Search', placeholder='type a name or title',
                                on_change=lambda: results.refresh()).props('clearable debounce=250') \
            .classes('grow').mark('link-search')
    with ui.column().classes('w-full gap-1'):
        await results()


# ---------------------------------------------------------------- what both sides share

@dataclass(frozen=True)
class Section:
    """One kind of linked thing in a panel: its key in what models/connections returns, its heading, its plural
    (for "No linked …" and "Show all … …"), the mark of its "Show all" button and how a row is drawn."""
    name: str
    heading: Callable[[int], object]  # draws the heading, given how many are linked
    plural: str
    show_all_mark: str
    row: Callable[[connections.Link, Callable | None], None]  # a row, with the unlink handler or None


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
        unlinking = unlink if may_link else None
        for section in sections:
            links = found.links[section.name]
            section.heading(len(links))
            if not links:
                ui.label(f'No linked {section.plural}').classes('text-grey-7 text-sm')
            with ui.column().classes('w-full gap-0') as group:
                for link in links[:PREVIEW]:
                    section.row(link, unlinking)
            if len(links) > PREVIEW:
                _show_all_button(group, f'Show all {len(links)} {section.plural}', section.show_all_mark,
                                 lambda s=section, rest=links[PREVIEW:]: [s.row(link, unlinking) for link in rest])

    async def unlink(connection_id: int) -> None:
        if await attempt(connections.unlink(actor, connection_id)) is not FAILED:
            ui.notify('Unlinked', type='positive')
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


def _show_all_button(group, label: str, mark: str, draw_rest) -> None:
    def show_all() -> None:
        with group:
            draw_rest()
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
            ui.label(f'{work_kind.plural.capitalize()} ({count})').classes('text-subtitle1') \
                .mark(f'connections-{work_kind.plural}-heading')

    async def search(work_name: str, query: str) -> list[tuple[int, str]]:
        work_kind = WORK_KINDS[work_name]
        page = await work.list_items(work_kind, actor, q=query, limit=PICKER_RESULTS)
        return [(item.id, f'{work_kind.title(item)} · {LABELS[item.status]}') for item in page.items]

    await _links_panel(
        actor, mark='connections-panel', may_link=ctx.may(Action.LINK_WORK),
        load=lambda: connections.record_connections(actor, kind, record.id),
        sections=[Section(w.name, partial(heading, w), w.plural, f'show-all-{w.plural}', partial(_work_row, w))
                  for w in WORK_KINDS.values()],
        picker_kinds={w.name: w.label for w in WORK_KINDS.values()}, search=search,
        link_ids=lambda work_name, item_id: {f'{kind.name}_id': record.id, f'{work_name}_id': item_id},
        linked_message=lambda work_name: f'Linked to the {work_name}',
        actions=partial(_new_item_buttons, actor, kind, record) if ctx.may(Action.EDIT_WORK) else None)


def _new_item_buttons(actor, kind: Kind, record: Record, refresh: Callable[[], Awaitable[None]]) -> None:
    """"New task" and "New ticket": made for this record, and linked to it, in one step."""
    with ui.row().classes('w-full gap-2'):
        for work_kind in (TASK, TICKET):
            ui.button(f'New {work_kind.name}', icon=ICONS[work_kind.name],
                      on_click=lambda w=work_kind: _new_item_dialog(actor, w, kind, record, refresh)) \
                .props('outline no-caps').mark(f'record-new-{work_kind.name}')


def _new_item_dialog(actor, work_kind: WorkKind, kind: Kind, record: Record,
                     refresh: Callable[[], Awaitable[None]]) -> None:
    """A small dialog: the title, and the due date of a task or the priority of a ticket."""
    with ui.dialog() as dialog, ui.card().classes('w-[28rem] max-w-full'):
        ui.label(f'New {work_kind.name} for {record.display_name or "this " + kind.name}') \
            .classes('text-h6 break-words max-w-full')
        elements: dict[str, object] = {
            work_kind.title_field: field_style(ui.input('Title')).classes('w-full').mark('new-item-title')}
        if work_kind is TASK:
            elements['due_date'] = field_style(ui.input('Due date').props('type=date stack-label')) \
                .classes('w-full').mark('new-item-due')
        if work_kind is TICKET:
            elements['priority'] = field_style(ui.select({p: LABELS[p] for p in PRIORITIES}, label='Priority',
                                                         value='normal')).classes('w-full').mark('new-item-priority')

        async def create() -> None:
            data = {name: element.value or None for name, element in elements.items()}
            data[work_kind.title_field] = elements[work_kind.title_field].value or ''
            item = await attempt(connections.create_linked(work_kind, actor, kind, record.id, data), elements)
            if item is FAILED:
                return
            dialog.close()
            ui.notify(f'{work_kind.label} “{work_kind.title(item)}” created and linked', type='positive')
            await refresh()

        elements[work_kind.title_field].on('keydown.enter', create)
        with ui.row().classes('w-full justify-end'):
            ui.button('Cancel', on_click=dialog.close).props('flat')
            ui.button('Create', on_click=create).mark('new-item-create')
    dialog.on_value_change(lambda e: None if e.value else dialog.delete())  # each opening makes a new one
    dialog.open()


def _work_row(work_kind: WorkKind, link: connections.Link, unlink) -> None:
    item = link.target
    with ui.row().classes('items-center gap-3 w-full no-wrap').mark(f'linked-{work_kind.name}'):
        ui.link(work_kind.title(item), f'/{work_kind.plural}/{item.id}').classes('grow') \
            .mark(f'open-{work_kind.name}-{item.id}')
        status_badge(item.status).mark(f'status-{work_kind.name}-{item.id}')
        if work_kind is TICKET:
            priority_badge(item.priority)
        due_label(item).mark(f'due-{work_kind.name}-{item.id}')
        if unlink is not None:
            ui.button(icon='link_off', on_click=lambda c=link.connection_id: unlink(c)) \
                .props('flat round dense aria-label=Unlink title=Unlink').mark(f'unlink-{work_kind.name}-{item.id}')


# ---------------------------------------------------------------- the linked records of a project, task or ticket

async def linked_records_section(ctx: PageContext, work_kind: WorkKind, item: WorkItem) -> None:
    """The contacts and companies linked to this item that the viewer may see, a picker to link more, unlink."""
    actor = ctx.membership

    def heading(kind: Kind, count: int) -> None:
        ui.label(f'{TITLES[kind.name]} ({count})').classes('text-subtitle1 q-mt-sm').mark(f'linked-{kind.name}-heading')

    async def search(kind_name: str, query: str) -> list[tuple[int, str]]:
        page = await records.list_records(KINDS[kind_name], actor, q=query, limit=PICKER_RESULTS)
        return [(record.id, record.display_name) for record in page.items]

    await _links_panel(
        actor, mark='linked-records', may_link=ctx.may(Action.LINK_WORK),
        load=lambda: connections.item_connections(actor, work_kind, item.id),
        sections=[Section(k.name, partial(heading, k), TITLES[k.name].lower(), f'show-all-{k.name}',
                          partial(_record_row, k)) for k in KINDS.values()],
        picker_kinds={'contact': 'Contact', 'company': 'Company'}, search=search,
        link_ids=lambda kind_name, record_id: {f'{kind_name}_id': record_id, f'{work_kind.name}_id': item.id},
        linked_message=lambda kind_name: f'Linked the {kind_name}')


def _record_row(kind: Kind, link: connections.Link, unlink) -> None:
    record = link.target
    with ui.row().classes('items-center gap-3 w-full no-wrap').mark(f'linked-{kind.name}'):
        ui.icon(ICONS[kind.name]).classes('text-grey-7')
        ui.link(record.display_name, f'{RECORD_PATHS[kind.name]}/{record.id}').classes('grow') \
            .mark(f'open-{kind.name}-{record.id}')
        if unlink is not None:
            ui.button(icon='link_off', on_click=lambda c=link.connection_id: unlink(c)) \
                .props('flat round dense aria-label=Unlink title=Unlink').mark(f'unlink-{kind.name}-{record.id}')
