"""The frame around every page: header with the organization switcher and user menu, and navigation."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from nicegui import context, ui

from models import i18n
from models.access import Action
from models.accounts import service as accounts
from models.accounts import verification
from models.i18n import N_, _
from models.orgs import service as orgs

from . import moments, session
from .feedback import FAILED, attempt, show_flash
from .global_search import global_search_box
from .jobs import jobs_button
from .notifications import notification_bell
from .session import PageContext
from .widgets import country_select

# labels marked here, translated where the drawer is drawn; each entry's mark keeps the English word (nav-contacts)
NAVIGATION = [
    (N_('Dashboard'), '/', 'dashboard'),
    (N_('Contacts'), '/contacts', 'person'),
    (N_('Companies'), '/companies', 'business'),
    (N_('Projects'), '/projects', 'folder'),
    (N_('Tasks'), '/tasks', 'task_alt'),
    (N_('Tickets'), '/tickets', 'confirmation_number'),
    (N_('Trash'), '/trash', 'delete'),
    (N_('Settings'), '/settings', 'settings'),
]
# what the caller's role must allow (the gate's Action) for a page to be listed; None: every signed-in visitor
LISTED_FOR = {'/': None, '/contacts': Action.SEE_RECORDS, '/companies': Action.SEE_RECORDS,
              '/projects': Action.SEE_WORK, '/tasks': Action.SEE_WORK, '/tickets': Action.SEE_WORK,
              '/trash': Action.SEE_RECORDS, '/settings': None}


def new_organization_dialog(ctx: PageContext) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes('w-96 max-w-full'):
        ui.label(_('New organization')).classes('text-h6')
        name = ui.input(_('Name')).mark('new-org-name').classes('w-full')
        country = country_select(_('Country (default phone region)'), 'IT', mark='new-org-country').classes('w-full')

        async def create() -> None:
            owner = await attempt(orgs.create_organization(user=ctx.user, name=name.value, country=country.value),
                                  {'name': name, 'country': country})
            if owner is FAILED:
                return
            ctx.set_active_org(owner.org_id)
            dialog.close()
            ui.navigate.to('/')

        with ui.row().classes('w-full justify-end'):
            ui.button(_('Cancel'), on_click=dialog.close).props('flat')
            ui.button(_('Create'), on_click=create).mark('new-org-create')
    return dialog


def _switcher(ctx: PageContext) -> None:
    if not ctx.memberships:
        return
    options = {m.org_id: m.org.name for m in ctx.memberships}

    def switch(e) -> None:
        if e.value and e.value != ctx.membership.org_id:
            ctx.set_active_org(e.value)
            ui.navigate.reload()

    # narrower on a phone, where the header keeps one row (a long name is cut with an ellipsis)
    ui.select(options, value=ctx.membership.org_id, on_change=switch) \
        .props('dense outlined dark options-dense') \
        .classes('min-w-[10rem] max-w-[16rem] max-sm:min-w-[5rem] max-sm:max-w-[7.5rem]') \
        .mark('org-switcher')

    preferred = ctx.user.preferred_org_id == ctx.membership.org_id

    async def toggle_star() -> None:
        await orgs.set_preferred_organization(user=ctx.user, org_id=None if preferred else ctx.membership.org_id)
        ui.navigate.reload()

    ui.button(icon='star' if preferred else 'star_border', on_click=toggle_star) \
        .props('flat round dense color=white') \
        .tooltip(_('Preferred organization (opens at login)') if preferred
                 else _('Open this organization at login')) \
        .mark('org-star', 'org-starred' if preferred else 'org-not-starred')


def _user_menu(ctx: PageContext, new_org: NewOrganization) -> None:
    async def logout() -> None:
        await ctx.log_out()
        ui.navigate.to('/login')

    async def speak(language: str) -> None:
        """The language chosen here is the account's, as under Settings; the page is drawn again in it."""
        if await attempt(accounts.update_profile(user=ctx.user, language=language)) is not FAILED:
            ui.navigate.reload()

    with ui.button(icon='account_circle').props('flat round color=white').mark('user-menu'):
        with ui.menu():
            ui.menu_item(ctx.user.name).props('disable')
            if ctx.membership is not None:  # its plan, space and people: the seed's "Page d'informations"
                ui.menu_item(_('Organization'), on_click=lambda: ui.navigate.to('/organization')) \
                    .mark('menu-organization')
            ui.menu_item(_('Profile and settings'), on_click=lambda: ui.navigate.to('/settings'))
            ui.menu_item(_('New organization'), on_click=new_org.open).mark('menu-new-org')
            ui.separator()
            spoken = i18n.current()
            for code, name in i18n.LANGUAGES.items():  # each named in itself: found whatever the page speaks
                current = code == spoken
                with ui.menu_item(on_click=lambda code=code: speak(code)) \
                        .props(f'dense lang={code}' + (' active' if current else '')) \
                        .mark(f'menu-language-{code}', *(['menu-language-current'] if current else [])):
                    with ui.item_section().props('avatar'):
                        ui.icon('check').classes('' if current else 'invisible')
                    ui.item_section(name)
            ui.separator()
            ui.menu_item(_('Log out'), on_click=logout).mark('menu-logout')


class NewOrganization:
    """The dialog that creates an organization, built the first time it is asked for: its country list has a few
    hundred options, which made it the costliest part of every page's build (a third of the server's event loop
    under load, bench/load.py) for a click that seldom comes."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.layout = context.client.layout
        self.dialog: ui.dialog | None = None

    def open(self) -> None:
        if self.dialog is None:
            with self.layout:  # not inside the menu or button that asked: a menu's content goes when it closes
                self.dialog = new_organization_dialog(self.ctx)
        self.dialog.open()


@dataclass
class Frame:
    new_organization: NewOrganization


@contextmanager
def frame(ctx: PageContext, title: str):
    """Header, navigation and a titled content column; the page body goes inside the `with` block.

    The page's visitor is watched from here on: every page action re-checks it (see session.watch).
    """
    session.watch(ctx)
    moments.tell_browser_zone()
    show_flash()
    new_org = NewOrganization(ctx)
    with ui.header().classes('items-center flex-nowrap gap-2 max-sm:gap-0 px-2 py-1 bg-primary'):
        drawer_button = ui.button(icon='menu').props('flat round color=white').classes('lg:hidden')
        ui.link('Rubrica', '/').classes('text-white text-lg font-bold no-underline max-sm:hidden')
        _switcher(ctx)
        ui.space()
        global_search_box(ctx)
        jobs_button(ctx)
        notification_bell(ctx)
        _user_menu(ctx, new_org)
    # an explicit value spares a JavaScript round trip at connect; show-if-above still opens it on wide screens
    with ui.left_drawer(value=False).props('show-if-above bordered :width="200"') as drawer:
        with ui.list().classes('w-full'):
            for label, target, icon in NAVIGATION:
                if LISTED_FOR[target] is None or ctx.may(LISTED_FOR[target]):
                    with ui.item(on_click=lambda t=target: ui.navigate.to(t)).mark(f'nav-{label.lower()}'):
                        with ui.item_section().props('avatar'):
                            ui.icon(icon)
                        ui.item_section(_(label))
    drawer_button.on_click(drawer.toggle)
    with ui.column().classes('w-full max-w-6xl mx-auto p-2 sm:p-4 gap-2'):
        if verification.needs_verification(ctx.user):
            _verification_banner(ctx)
        ui.label(title).classes('text-h5').mark('page-title')
        yield Frame(new_organization=new_org)


def _verification_banner(ctx: PageContext) -> None:
    """An account that has not confirmed its address yet: its invitations wait for it, so say so and offer a new
    link (braked: models/accounts/verification.py)."""
    with ui.row().classes('w-full items-center gap-2 px-3 py-1 rounded bg-amber-1 text-amber-10') \
            .mark('verify-banner'):
        ui.icon('mark_email_unread')
        ui.label(_('Confirm your address: we sent a link to {email}.', email=ctx.user.email)).classes('grow')

        async def resend() -> None:
            if await attempt(verification.resend_verification(user=ctx.user)) not in (FAILED, False):
                ui.notify(_('A new link is on its way to {email}.', email=ctx.user.email), type='positive')
        ui.button(_('Send again'), on_click=resend).props('flat dense no-caps').mark('verify-resend')


def records_allowed(ctx: PageContext, refusal: str = '', action: Action = Action.SEE_RECORDS) -> bool:
    """For a page about contacts and companies, inside its frame: whether the caller has an organization and a role
    that may do this; if not, the page says why (`refusal`, already translated, for a role that may not)."""
    if ctx.membership is None:
        no_access(_('Create or join an organization first.'))
        return False
    if not ctx.may(action):
        no_access(refusal or _('Guests do not see contacts or companies.'))
        return False
    return True


def no_access(message: str) -> None:
    with ui.card().classes('w-full'):
        ui.label(message).mark('no-access')
