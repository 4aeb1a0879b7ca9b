"""The dashboard: where a user lands after logging in.

Every figure comes from models/records/dashboard.py, counted by the database through the access gate; a guest sees
no contact or company, so no figures at all.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar

from nicegui import app, ui

from models.access import Action
from models.i18n import N_, _, ngettext, number
from models.records import dashboard as figures
from models.records.dashboard import Entry, TypeCount, WorkItem

from . import moments
from .frame import frame
from .session import ROLE_NAMES, PageContext, page_context, to_login
from .page_route import page

NO_TYPE = N_('(no type)')
T = TypeVar('T')


# A chart narrower than this (a phone) has no room for names around the ring: it shows the counts inside, and the
# legend below names the types. ECharts applies it by the chart's own width, also when the window is resized.
NARROW_CHART = {'query': {'maxWidth': 480},
                'option': {'series': [{'radius': ['35%', '65%'], 'label': {'position': 'inside', 'formatter': '{c}'},
                                       'labelLine': {'show': False}}]}}


def type_chart(title: str, counts: list[TypeCount], mark: str) -> None:
    """A doughnut of records by type. Type names are user text: ECharts draws them on the canvas (rich-text
    tooltips too), never as HTML. No animation: screen readers and screenshots see the final chart at once."""
    data = [{'name': t.type or _(NO_TYPE), 'value': t.count} for t in counts]
    ui.echart({
        'animation': False,
        'tooltip': {'trigger': 'item', 'renderMode': 'richText'},
        'legend': {'type': 'scroll', 'bottom': 0},
        'series': [{'name': title, 'type': 'pie', 'radius': ['40%', '70%'], 'center': ['50%', '45%'],
                    'avoidLabelOverlap': True, 'label': {'formatter': '{b}: {c}'}, 'data': data}],
        'media': [NARROW_CHART],
    }).classes('w-full h-72').mark(mark)


def figure(label: str, value: int, mark: str, icon: str) -> None:
    """One of the three figures side by side; on a phone without its icon, so that the three stay in one row."""
    with ui.card().classes('min-w-0 max-sm:p-3'):
        with ui.row().classes('items-center no-wrap gap-3'):
            ui.icon(icon, size='2rem').classes('text-primary max-sm:hidden')
            with ui.column().classes('gap-0'):
                ui.label(number(value)).classes('text-h5').mark(mark)
                ui.label(label).classes('text-grey-8')


def entry_row(entry: Entry, mark: str) -> None:
    with ui.row().classes('items-center no-wrap gap-2 w-full').mark(mark, f'{mark}-{entry.kind}-{entry.id}'):
        ui.icon('person' if entry.kind == 'contact' else 'business').classes('text-grey-7')
        with ui.column().classes('gap-0 min-w-0'):
            ui.link(entry.name or '—', entry.path).classes('font-medium break-words')
            when = moments.moment(entry.updated_at)
            updated = _('updated {moment} by {name}', moment=when, name=entry.updated_by) if entry.updated_by \
                else _('updated {moment}', moment=when)
            ui.label(f'{entry.type} · {updated}' if entry.type else updated).classes('text-caption text-grey-7')


def work_row(item: WorkItem) -> None:
    with ui.row().classes('items-start no-wrap gap-2 w-full').mark('work-item', f'work-{item.kind}-{item.id}'):
        ui.icon('task_alt' if item.kind == 'task' else 'confirmation_number').classes('text-grey-7')
        with ui.column().classes('gap-0 min-w-0'):
            ui.link(item.title, f'/{item.kind}s/{item.id}').classes('font-medium break-words')
            details = [item.status, _('due {day}', day=moments.day(item.due_date)) if item.due_date else '',
                       item.priority]
            ui.label(' · '.join(d for d in details if d)).classes('text-caption text-grey-7')
            with ui.row().classes('gap-2'):
                for contact_id, name in item.contacts:
                    ui.link(name or '—', f'/contacts/{contact_id}').classes('text-caption')


def list_card(title: str, items: Sequence[T], row: Callable[[T], None], empty: str, empty_mark: str,
              classes: str = '') -> None:
    """A card with a title and a row for each item, or a line saying there are none."""
    with ui.card().classes(f'w-full {classes}'.strip()):
        ui.label(title).classes('text-subtitle1')
        for item in items:
            row(item)
        if not items:
            ui.label(empty).classes('text-grey-7').mark(empty_mark)


# The first steps: what each one says, and where it is done
STEP_TEXTS = {
    'contact': (N_('Add a contact'), '/contacts/new'),
    'company': (N_('Add a company'), '/companies/new'),
    'import': (N_('Import a file of contacts or companies (CSV or vCard)'), '/import'),
    'invite': (N_('Invite a colleague'), '/settings'),
    'options': (N_('Review your lists: contact types, roles, company types, sectors'), '/settings'),
}
DISMISSED = 'first_steps_dismissed'  # in the browser's storage: the organizations whose first steps were hidden


def first_steps_card(ctx: PageContext, steps: figures.FirstSteps) -> None:
    """A checklist for a new or still empty organization: each step ticked as the data says, each a link to where
    it is done; gone once every step is done, or for good once hidden (in this browser)."""
    if not steps.offered or ctx.org.id in app.storage.user.get(DISMISSED, []):
        return
    with ui.card().classes('w-full').mark('first-steps') as card:
        with ui.row().classes('w-full items-center no-wrap'):
            ui.label(_('Getting started')).classes('text-subtitle1 grow')
            done = sum(steps.done.values())
            ui.label(_('{done} of {total} done', done=number(done), total=number(len(steps.done)))) \
                .classes('text-grey-8').mark('first-steps-count')

            def dismiss() -> None:
                app.storage.user[DISMISSED] = [*app.storage.user.get(DISMISSED, []), ctx.org.id]
                card.delete()
            hide = _('Hide the checklist')
            dismiss_button = ui.button(icon='close', on_click=dismiss).props('flat round dense') \
                .tooltip(hide).mark('first-steps-dismiss')
            dismiss_button.props['aria-label'] = hide
        for step, finished in steps.done.items():
            text, path = STEP_TEXTS[step]
            state = 'first-step-done' if finished else 'first-step-todo'
            with ui.row().classes('items-center no-wrap gap-3').mark('first-step', f'first-step-{step}', state):
                icon = ui.icon('check_circle' if finished else 'radio_button_unchecked') \
                    .classes('text-positive' if finished else 'text-grey-6')
                icon.props['aria-label'] = _('done') if finished else _('to do')
                ui.link(_(text), path).classes('no-underline' + (' line-through text-grey-7' if finished else '')) \
                    .mark(f'{state}-link')


@page('/', title='Dashboard · Rubrica')
async def dashboard_page():
    ctx = await page_context()
    if ctx is None:
        return to_login('/')
    ui.page_title(_('Dashboard') + ' · Rubrica')
    with frame(ctx, _('Dashboard')) as parts:
        if ctx.membership is None:
            with ui.card().classes('w-full'):
                ui.label(_('You are not in any organization yet.')).mark('no-org')
                ui.label(_('Create one, or ask an owner of an existing organization to invite you.'))
                ui.button(_('Create an organization'), on_click=parts.new_organization.open) \
                    .mark('create-first-org')
            return
        ui.label(_('Welcome, {name}', name=ctx.user.name)).classes('text-subtitle1').mark('welcome')
        ui.label(_('{organization} · your role: {role}', organization=ctx.org.name,
                   role=_(ROLE_NAMES.get(ctx.role, ctx.role)))).classes('text-grey-8').mark('active-org')
        if not ctx.may(Action.SEE_RECORDS):
            ui.label(_('As a guest of this organization you do not see its contacts and companies.')) \
                .classes('text-grey-8').mark('guest-dashboard-note')
            return
        data = await figures.dashboard(ctx.membership)
        first_steps_card(ctx, await figures.first_steps(ctx.membership))

        with ui.element('div').classes('w-full grid grid-cols-3 gap-2 sm:gap-4'):
            # the word under each figure agrees with it: '1 contatto', '3 contatti'
            figure(ngettext('contact', 'contacts', data.contacts_total), data.contacts_total,
                   'dash-contacts-total', 'person')
            figure(ngettext('company', 'companies', data.companies_total), data.companies_total,
                   'dash-companies-total', 'business')
            figure(ngettext('mentions you', 'mention you', data.mentions_total), data.mentions_total,
                   'dash-mentions-total', 'alternate_email')

        with ui.element('div').classes('w-full grid grid-cols-1 md:grid-cols-2 gap-4'):
            for title, counts, mark, empty in (
                    (_('Contacts by type'), data.contacts_by_type, 'chart-contacts-by-type', _('No contacts yet.')),
                    (_('Companies by type'), data.companies_by_type, 'chart-companies-by-type',
                     _('No companies yet.'))):
                with ui.card().classes('w-full'):
                    ui.label(title).classes('text-subtitle1')
                    if counts:
                        type_chart(title, counts, mark)
                    else:
                        ui.label(empty).classes('text-grey-7').mark(f'{mark}-empty')

        with ui.element('div').classes('w-full grid grid-cols-1 md:grid-cols-2 gap-4'):
            list_card(_('Recently updated'), data.recent, partial(entry_row, mark='recent-item'),
                      _('Nothing yet.'), 'no-recent')
            list_card(_('Mentioning you'), data.mentions, partial(entry_row, mark='mention-item'),
                      _('No record mentions you.'), 'no-mentions')
            list_card(_('Your open tasks and tickets linked to contacts'), data.work, work_row,
                      _('No open task or ticket of yours is linked to a contact.'), 'no-work', 'md:col-span-2')
