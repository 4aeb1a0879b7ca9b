"""Projects, tasks and tickets: a list page and a card page for each kind, made by one function.

Lists are paginated, searched and filtered in the database; cards edit the item (its description with @mentions,
like a contact's) and list its linked contacts and companies. A card is titled by the item's name, in the page and
in the browser's tab, and asks before an edited form is left unsaved. Statuses and priorities read as words ("To
do", "In progress"); the API keeps their codes. Owners and members create and edit; a guest sees, read-only, what is
assigned to them.
"""
from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ElementFilter, ui

from models.access import Action, sees_only_assigned_work
from models.errors import NotFound
from models.i18n import N_, _, ngettext, number
from models.orgs import service as orgs
from models.work import service as work
from models.work.tables import LABELS, PRIORITIES, PROJECT, TASK, TICKET, WORK_KINDS, WorkItem, WorkKind

from .connections import ICONS, due_label, linked_records_section, priority_badge, status_badge
from .description import DescriptionEditor, description_view
from .feedback import FAILED, attempt, flash
from .frame import frame, no_access
from .leave_guard import LeaveGuard
from .session import PageContext, page_context, still_current
from .page_route import page

PAGE_SIZE = 25
PERSON_LABELS = {'owner': N_('Owner'), 'assignee': N_('Assignee')}
# Every sentence that names the kind, whole for each kind (words change with it: "un progetto", "un'attività").
TEXTS = {
    'project': {
        'list': N_('Projects'), 'one': N_('Project'), 'new': N_('New project'),
        'missing': N_('This project does not exist or is not visible to you.'),
        'assigned': N_('You see the projects assigned to you.'),
        'none': N_('No projects here yet.'), 'no_match': N_('No projects match.'),
        'created': N_('Project created'), 'deleted': N_('Project deleted'), 'this': N_('this project'),
        'delete': N_('Delete this project? Its links to contacts and companies go with it.'),
    },
    'task': {
        'list': N_('Tasks'), 'one': N_('Task'), 'new': N_('New task'),
        'missing': N_('This task does not exist or is not visible to you.'),
        'assigned': N_('You see the tasks assigned to you.'),
        'none': N_('No tasks here yet.'), 'no_match': N_('No tasks match.'),
        'created': N_('Task created'), 'deleted': N_('Task deleted'), 'this': N_('this task'),
        'delete': N_('Delete this task? Its links to contacts and companies go with it.'),
    },
    'ticket': {
        'list': N_('Tickets'), 'one': N_('Ticket'), 'new': N_('New ticket'),
        'missing': N_('This ticket does not exist or is not visible to you.'),
        'assigned': N_('You see the tickets assigned to you.'),
        'none': N_('No tickets here yet.'), 'no_match': N_('No tickets match.'),
        'created': N_('Ticket created'), 'deleted': N_('Ticket deleted'), 'this': N_('this ticket'),
        'delete': N_('Delete this ticket? Its links to contacts and companies go with it.'),
    },
}


def _text(kind: WorkKind, key: str) -> str:
    return _(TEXTS[kind.name][key])


def _labels(codes) -> dict[str, str]:
    """Statuses or priorities, code -> the reader's word."""
    return {code: _(LABELS[code]) for code in codes}
FIELD_STYLE = 'outlined dense'  # as the record card's fields (ui/record_form.py)


def date_field(label: str, value: str = '', *, mark: str) -> ui.input:
    """A text input for YYYY-MM-DD with a calendar; models/ checks what is typed."""
    with ui.input(label, value=value, placeholder=_('YYYY-MM-DD')).props(FIELD_STYLE).mark(mark) as field:
        with ui.menu().props('no-parent-event') as menu:
            with ui.date().bind_value(field):
                with ui.row().classes('justify-end'):
                    ui.button(_('Close'), on_click=menu.close).props('flat')
        with field.add_slot('append'):
            ui.icon('edit_calendar').on('click', menu.open).classes('cursor-pointer')
    return field


async def _project_options(ctx: PageContext) -> dict[int, str]:
    page = await work.list_items(PROJECT, ctx.membership, sort='title', limit=work.MAX_PAGE_SIZE)
    return {p.id: p.name for p in page.items}


class ItemForm:
    """The fields of a project, task or ticket, for the New dialog and the card. `people`: everyone it may be
    assigned to (and whose mentions it shows by name); `mentionable`: whom its description may mention."""

    def __init__(self, ctx: PageContext, kind: WorkKind, item: WorkItem | None, people: dict[int, str],
                 projects: dict[int, str], mentionable: dict[int, str]) -> None:
        self.kind = kind
        self.elements: dict[str, object] = {}
        self.elements[kind.title_field] = ui.input(_('Name') if kind is PROJECT else _('Title'),
                                                   value=kind.title(item) if item else '') \
            .props(FIELD_STYLE).classes('w-full').mark(f'{kind.name}-title')
        with ui.row().classes('w-full gap-2 items-start'):
            self.elements['status'] = ui.select(_labels(kind.statuses), label=_('Status'),
                                                value=item.status if item else kind.statuses[0]) \
                .props(FIELD_STYLE).classes('w-40').mark(f'{kind.name}-status')
            if kind is TICKET:
                self.elements['priority'] = ui.select(_labels(PRIORITIES), label=_('Priority'),
                                                      value=item.priority if item else 'normal') \
                    .props(FIELD_STYLE).classes('w-40').mark('ticket-priority')
            due = f'{item.due_date:%Y-%m-%d}' if item and item.due_date else ''
            self.elements['due_date'] = date_field(_('Due date'), due, mark=f'{kind.name}-due').classes('w-44')
            person = getattr(item, kind.person_id) if item else None
            if person is not None and person not in people:  # someone who has left the organization
                people = people | {person: getattr(item, kind.person_field).name}
            self.elements[kind.person_id] = ui.select(people, label=_(PERSON_LABELS[kind.person_field]),
                                                      value=person, clearable=True, with_input=True) \
                .props(FIELD_STYLE).classes('w-56').mark(f'{kind.name}-person')
            if kind is TASK:
                project = item.project_id if item else None
                self.elements['project_id'] = ui.select(projects, label=_('Project'),
                                                        value=project if project in projects else None,
                                                        clearable=True, with_input=True) \
                    .props(FIELD_STYLE).classes('w-56').mark('task-project')
        self.elements['description'] = DescriptionEditor(item.description if item else '', mentionable, people) \
            .mark(f'{kind.name}-description')

    def data(self) -> dict:
        values = {name: element.value for name, element in self.elements.items()}
        values['due_date'] = values['due_date'] or None
        values['description'] = values['description'] or ''
        return values

    def on_change(self, handler) -> None:
        for element in self.elements.values():
            element.on_value_change(lambda: handler())


async def _form_choices(ctx: PageContext, kind: WorkKind) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """Who an item may be assigned to, its projects (a task's), and whom its description may mention."""
    people = await work.assignable_people(ctx.membership)
    projects = await _project_options(ctx) if kind is TASK else {}
    return people, projects, await orgs.mentionable_people(ctx.membership)


def _register(kind: WorkKind) -> None:
    @page(f'/{kind.plural}', title=f'{kind.plural.capitalize()} · Rubrica')
    async def list_page(status: str = '', q: str = ''):
        ctx = await page_context()
        if ctx is None:
            return RedirectResponse(f'/login?next=/{kind.plural}')
        title = _text(kind, 'list')
        ui.page_title(title + ' · Rubrica')
        with frame(ctx, title):
            if ctx.membership is None:
                no_access(_('Join or create an organization first.'))
                return
            await _list(ctx, kind, status if status in kind.statuses else '', q)

    @page(f'/{kind.plural}/{{item_id}}', title=f'{kind.label} · Rubrica')
    async def card_page(item_id: int):
        ctx = await page_context()
        if ctx is None:
            return RedirectResponse(f'/login?next=/{kind.plural}/{item_id}')
        try:
            item = await work.get_item(kind, ctx.membership, item_id) if ctx.membership else None
        except NotFound:
            item = None
        if item is None:
            ui.page_title(_text(kind, 'one') + ' · Rubrica')
        with frame(ctx, kind.title(item) if item else _text(kind, 'one')):
            if item is None:
                no_access(_text(kind, 'missing'))
                return
            ui.page_title(f'{kind.title(item)} · Rubrica')
            await _card(ctx, kind, item)


async def _list(ctx: PageContext, kind: WorkKind, status: str, q: str) -> None:
    actor = ctx.membership
    state = {'status': status, 'page': 1}
    editable = ctx.may(Action.EDIT_WORK)
    if sees_only_assigned_work(ctx.role):
        ui.label(_text(kind, 'assigned')).classes('text-grey-8').mark('guest-note')

    with ui.row().classes('items-end gap-2 w-full'):
        search = ui.input(_('Search'), value=q, on_change=lambda: show_first_page()).props('clearable debounce=300') \
            .classes('w-64').mark(f'{kind.plural}-search')
        ui.select({'': _('All'), **_labels(kind.statuses)}, value=status, label=_('Status'),
                  on_change=lambda e: filter_status(e.value)).classes('w-40').mark(f'{kind.plural}-status-filter')
        ui.space()
        if editable:
            ui.button(_text(kind, 'new'), icon='add', on_click=lambda: new_dialog()).mark(f'new-{kind.name}')

    @ui.refreshable
    async def rows() -> None:
        offset = (state['page'] - 1) * PAGE_SIZE
        page = await work.list_items(kind, actor, q=search.value or '', status=state['status'], limit=PAGE_SIZE,
                                     offset=offset)
        projects = await work.projects_by_id(actor, [i.project_id for i in page.items]) if kind is TASK else {}
        if not page.items:
            ui.label(_text(kind, 'none') if not (search.value or state['status'])
                     else _text(kind, 'no_match')).classes('text-grey-7').mark(f'no-{kind.plural}')
        with ui.list().props('bordered separator').classes('w-full'):
            for item in page.items:
                with ui.item().mark(f'{kind.name}-row'):
                    with ui.item_section().props('avatar'):
                        ui.icon(ICONS[kind.name])
                    with ui.item_section():
                        ui.link(kind.title(item), f'/{kind.plural}/{item.id}').mark(f'open-{kind.name}-{item.id}')
                        person = getattr(item, kind.person_field) if getattr(item, kind.person_id) else None
                        details = [_person_line(kind, person) if person else _('Unassigned')]
                        if kind is TASK and item.project_id in projects:
                            details.append(_('Project: {name}', name=projects[item.project_id].name))
                        ui.label(' · '.join(details)).classes('text-grey-8 text-sm')
                    with ui.item_section().props('side'):
                        with ui.row().classes('items-center gap-2'):
                            if kind is TICKET:
                                priority_badge(item.priority)
                            status_badge(item.status)
                            due_label(item)
        pages = max(1, -(-page.total // PAGE_SIZE))
        with ui.row().classes('items-center gap-4'):
            shown = ngettext('{first}–{last} of {count}', '{first}–{last} of {count}', page.total,
                             first=number(offset + 1), last=number(offset + len(page.items))) if page.items \
                else ngettext('0 of {count}', '0 of {count}', page.total)
            ui.label(shown).classes('text-grey-8').mark(f'{kind.plural}-count')
            if pages > 1:
                ui.pagination(1, pages, direction_links=True, value=state['page'],
                              on_change=lambda e: go_to(e.value)).mark(f'{kind.plural}-pages')

    async def go_to(number: int | None) -> None:
        if number and number != state['page'] and await still_current():
            state['page'] = number
            await rows.refresh()

    async def show_first_page() -> None:
        if not await still_current():  # removed or demoted since the page opened: it reloads instead
            return
        state['page'] = 1
        await rows.refresh()

    async def filter_status(value: str) -> None:
        state['status'] = value or ''
        await show_first_page()

    async def new_dialog() -> None:
        if not await still_current():
            return
        people, projects, mentionable = await _form_choices(ctx, kind)
        with ui.dialog() as dialog, ui.card().classes('w-[40rem] max-w-full'):
            ui.label(_text(kind, 'new')).classes('text-h6')
            form = ItemForm(ctx, kind, None, people, projects, mentionable)

            async def create() -> None:
                item = await attempt(work.create_item(kind, actor, form.data()), form.elements)
                if item is FAILED:
                    return
                dialog.close()
                flash(_text(kind, 'created'))  # shown by the card it opens
                ui.navigate.to(f'/{kind.plural}/{item.id}')

            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=dialog.close).props('flat')
                ui.button(_('Create'), on_click=create).mark(f'create-{kind.name}')
        dialog.open()

    await rows()


async def _card(ctx: PageContext, kind: WorkKind, item: WorkItem) -> None:
    actor = ctx.membership
    if ctx.may(Action.EDIT_WORK):
        people, projects, mentionable = await _form_choices(ctx, kind)
        guard = LeaveGuard(_text(kind, 'this'))
        with ui.card().classes('w-full'):
            form = ItemForm(ctx, kind, item, people, projects, mentionable)
            saved_state = {'version': item.version, 'data': form.data()}
            form.on_change(lambda: setattr(guard, 'dirty', form.data() != saved_state['data']))

            async def save() -> None:
                data = form.data()
                saved = await attempt(work.update_item(kind, actor, item.id, data, saved_state['version']),
                                      form.elements)
                if saved is FAILED:
                    return
                saved_state.update(version=saved.version, data=data)
                guard.dirty = False
                ui.notify(_('Saved'), type='positive')
                _retitle(kind.title(saved))

            async def delete() -> None:
                if await attempt(work.delete_item(kind, actor, item.id)) is not FAILED:
                    guard.release()
                    flash(_text(kind, 'deleted'))  # shown by the list it opens
                    ui.navigate.to(f'/{kind.plural}')

            with ui.dialog() as confirm, ui.card():
                ui.label(_text(kind, 'delete'))
                with ui.row().classes('w-full justify-end'):
                    ui.button(_('Cancel'), on_click=confirm.close).props('flat')
                    ui.button(_('Delete'), on_click=delete).props('color=negative').mark(f'confirm-delete-{kind.name}')
            with ui.row().classes('w-full justify-between'):
                ui.button(_('Save'), icon='save', on_click=save).mark(f'save-{kind.name}')
                ui.button(_('Delete'), icon='delete', on_click=confirm.open).props('flat color=negative') \
                    .mark(f'delete-{kind.name}')
    else:
        _read_only(ctx, kind, item)

    if ctx.may(Action.SEE_RECORDS):  # guests never see contacts or companies, not even linked ones
        with ui.card().classes('w-full'):
            ui.label(_('Contacts and companies')).classes('text-h6')
            await linked_records_section(ctx, kind, item)


def _person_line(kind: WorkKind, person) -> str:
    return _('Owner: {name}', name=person.name) if kind is PROJECT else _('Assignee: {name}', name=person.name)


def _person_nobody(kind: WorkKind) -> str:
    return _('Owner: nobody') if kind is PROJECT else _('Assignee: nobody')


def _retitle(title: str) -> None:
    """A renamed item: its new name in the page's heading and the browser's tab."""
    for heading in ElementFilter(kind=ui.label, marker='page-title'):
        heading.text = title
    ui.page_title(f'{title} · Rubrica')


def _read_only(ctx: PageContext, kind: WorkKind, item: WorkItem) -> None:
    with ui.card().classes('w-full'):
        with ui.row().classes('items-center gap-3'):
            status_badge(item.status).mark(f'{kind.name}-status-text')
            if kind is TICKET:
                priority_badge(item.priority)
            due_label(item)
        person = getattr(item, kind.person_field) if getattr(item, kind.person_id) else None
        ui.label(_person_line(kind, person) if person else _person_nobody(kind)).classes('text-grey-8')
        # a guest may not list the members: mentions read as the names they were written with
        description_view(item.description, {})


for _kind in WORK_KINDS.values():
    _register(_kind)
