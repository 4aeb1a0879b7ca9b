"""/organization: the organization's page (the seed's "Page d'informations"): its name, plan, space used against its
quota, how many people it has in each role, and what the premium plan adds. Reached from the header's user menu.

Everyone in the organization opens it. Owners and members see everything on it; a guest sees the name, their own
role, the plan and its storage (what the REST API's `GET /orgs/{org}` tells every role) but not who is in the
organization, since guests may not see the members (models/orgs/overview.py decides). Owners get a link to the
settings where they change the organization and its members.
"""
from __future__ import annotations

from nicegui import ui

from models.access import Action
from models.i18n import N_, _, ngettext, number
from models.orgs.overview import PREMIUM_DEFAULT_QUOTA_BYTES, Overview, organization_overview
from models.orgs.tables import FREE_QUOTA_BYTES

from .attachments import format_size
from .feedback import FAILED, attempt
from .frame import frame, no_access
from .session import ROLE_NAMES, page_context, to_login
from .page_route import page

PLAN_NAMES = {'free': N_('Free'), 'premium': N_('Premium')}
# how many people have each role, in the reader's language
ROLE_COUNTS = {'owner': lambda n: ngettext('{count} owner', '{count} owners', n),
               'member': lambda n: ngettext('{count} member', '{count} members', n),
               'guest': lambda n: ngettext('{count} guest', '{count} guests', n)}


def premium_adds() -> list[tuple[str, str]]:
    """What premium adds, each with its icon, in the reader's language."""
    return [
        ('cloud', _('Attach files from Google Drive and Dropbox: each person connects their own accounts under '
                    'Settings, and linked files do not count against the quota.')),
        ('storage', _('More space for uploaded files: {premium} instead of {free}, or what the operator sets.',
                      premium=format_size(PREMIUM_DEFAULT_QUOTA_BYTES), free=format_size(FREE_QUOTA_BYTES))),
    ]


def plan_and_storage(overview: Overview) -> None:
    """The plan, the space used with a bar against the quota, and what premium adds (or that the plan has it)."""
    with ui.card().classes('w-full').mark('plan-card'):
        with ui.row().classes('items-center gap-2'):
            ui.label(_('Plan')).classes('text-subtitle1 text-grey-9')
            plan = overview.org.plan
            ui.chip(_(PLAN_NAMES[plan]) if plan in PLAN_NAMES else plan, icon='workspace_premium'
                    if overview.premium else 'inventory_2').props('dense outline').mark('org-plan')
        share = overview.storage_share
        ui.label(_('{used} used of {quota} ({percent}%)', used=format_size(overview.storage_used),
                   quota=format_size(overview.storage_quota), percent=number(round(share * 100)))) \
            .mark('org-storage')
        ui.linear_progress(value=share, show_value=False, size='10px',
                           color='negative' if share >= 0.9 else 'primary').classes('max-w-md').mark('org-storage-bar')
        ui.label(_('Uploaded attachments count against the quota; an upload that would pass it is refused.')) \
            .classes('text-caption text-grey-7')
        ui.separator()
        ui.label(_('Included in your plan') if overview.premium else _('What premium adds')).classes('text-subtitle2') \
            .mark('premium-heading')
        with ui.list().props('dense').classes('w-full'):
            for icon, text in premium_adds():
                with ui.item().mark('premium-feature'):
                    with ui.item_section().props('avatar'):
                        ui.icon('check_circle' if overview.premium else icon,
                                color='positive' if overview.premium else 'grey-7')
                    ui.item_section(text)
        if not overview.premium:
            ui.label(_('The plan is set by whoever runs this Rubrica server: ask them to move the organization '
                       'to premium.')).classes('text-caption text-grey-7').mark('premium-how')


def _people(overview: Overview) -> None:
    with ui.card().classes('w-full').mark('people-card'):
        ui.label(_('People')).classes('text-subtitle1 text-grey-9')
        total = sum(overview.people.values())
        ui.label(ngettext('{count} person', '{count} people', total)).classes('text-h6').mark('people-total')
        with ui.row().classes('gap-2'):
            for role, people in ROLE_COUNTS.items():
                ui.chip(people(overview.people.get(role, 0))).props('dense outline').mark(f'people-{role}')
        if overview.invitations:
            ui.label(ngettext('{count} invitation waiting for a sign-up', '{count} invitations waiting for a sign-up',
                              overview.invitations)) \
                .classes('text-grey-8').mark('people-invitations')


@page('/organization', title='Organization · Rubrica')
async def organization_page():
    ctx = await page_context()
    if ctx is None:
        return to_login('/organization')
    overview = await attempt(organization_overview(ctx.membership)) if ctx.membership else FAILED
    with frame(ctx, overview.org.name if overview is not FAILED else _('Organization')):
        if overview is FAILED:
            ui.page_title(_('Organization') + ' · Rubrica')
            no_access(_('Create or join an organization first.'))
            return
        ui.page_title(f'{overview.org.name} · Rubrica')
        with ui.row().classes('items-center gap-2 w-full'):
            ui.label(_('Your role: {role}', role=_(ROLE_NAMES.get(overview.role, overview.role)))) \
                .classes('text-grey-8').mark('org-role')
            ui.space()
            if ctx.may(Action.EDIT_ORGANIZATION):
                ui.link(_('Change it in Settings'), '/settings?section=organization').mark('org-settings-link')
        with ui.element('div').classes('grid grid-cols-1 lg:grid-cols-2 gap-2 w-full items-start'):
            plan_and_storage(overview)
            if overview.people is not None:
                _people(overview)
