"""Settings, in sections with their own navigation (tabs on wide screens, a select on phones): the profile (name,
time zone, language, password), cloud accounts, phones and mail apps (CardDAV) and API tokens for everyone; for
owners and members the organization, members and invitations, the option lists, plan and storage; for owners the
kiosk links.

The open section is in the address (`/settings?section=tokens`), so a link opens it and a reload keeps it.
"""
from __future__ import annotations

import inspect

from nicegui import ui

from models import i18n
from models.access import Action, Role
from models.accounts import service as accounts
from models.mail import outbox
from models.notifications.tables import MailChoice
from models.i18n import N_, _, ngettext
from models.mail import outbox
from models.orgs import service as orgs
from models.orgs.overview import organization_overview
from models.orgs.tables import Invitation

from . import moments
from .cloud_accounts import cloud_accounts_section
from .feedback import FAILED, attempt
from .frame import frame
from .kiosk import kiosk_links_section
from .organization import plan_and_storage
from .phones import phones_section
from .session import PageContext, page_context, to_login
from .widgets import country_select, secret_list, secret_row, section_title, show_once
from .page_route import page

ROLES = {Role.OWNER.value: N_('Owner'), Role.MEMBER.value: N_('Member'), Role.GUEST.value: N_('Guest')}
LIST_TITLES = {'contact_types': N_('Contact types'), 'contact_roles': N_('Contact roles'),
               'company_types': N_('Company types'), 'sectors': N_('Sectors')}
CONTACT_LISTS = ('contact_types', 'contact_roles')  # their values are used by contacts; the others by companies


def _role_options() -> dict[str, str]:
    return {role: _(label) for role, label in ROLES.items()}


def _role_name(role: str) -> str:
    return _(ROLES[role]) if role in ROLES else role


# ------------------------------------------------------------------ profile

def _zone_options() -> dict[str, str]:
    return {'': _("The browser's own"),
            **{zone: zone.replace('_', ' ') for zone in sorted(accounts.time_zone_names())}}


def _language_options() -> dict[str, str]:
    return {'': _("The browser's own"), **i18n.LANGUAGES}  # each language named in itself


def _mail_options() -> dict[str, str]:
    return {MailChoice.IMMEDIATELY.value: _('At once, one mail each'),
            MailChoice.DAILY.value: _('Once a day, gathered in one mail'), MailChoice.NEVER.value: _('Never')}


def profile_section(ctx: PageContext) -> None:
    section_title(_('Profile'))
    with ui.card().classes('w-full'):
        ui.label(_('Email: {email}', email=ctx.user.email)).mark('profile-email')
        name = ui.input(_('Name'), value=ctx.user.name).props('outlined dense').classes('w-full max-w-md') \
            .mark('profile-name')
        zones = _zone_options()
        zone = ui.select(zones, label=_('Time zone'), value=ctx.user.time_zone if ctx.user.time_zone in zones else '',
                         with_input=True).props('outlined dense').classes('w-full max-w-md').mark('profile-time-zone')
        ui.label(_('Dates and times are shown in this zone on every page; by default in the zone your browser '
                   'reports.')).classes('text-caption text-grey-7')
        languages = _language_options()
        language = ui.select(languages, label=_('Language'),
                             value=ctx.user.language if ctx.user.language in languages else '') \
            .props('outlined dense').classes('w-full max-w-md').mark('profile-language')
        ui.label(_('The language of every page; by default the one your browser prefers.')) \
            .classes('text-caption text-grey-7')
        mail = ui.select(_mail_options(), label=_('E-mail me about notifications'),
                         value=ctx.user.notification_mail).props('outlined dense').classes('w-full max-w-md') \
            .mark('profile-notification-mail')
        ui.label(_('Mentions, tasks and tickets given to you, and organizations you are added to: they are always '
                   'under the bell; this is whether they also come by mail.')
                 if outbox.enabled() else
                 _('This server sends no mail yet (whoever runs it has not set it up): notifications are under '
                   'the bell only.')).classes('text-caption text-grey-7').mark('profile-notification-mail-hint')

        async def save() -> None:
            before = (ctx.user.time_zone, ctx.user.language)
            saved = await attempt(accounts.update_profile(user=ctx.user, name=name.value, time_zone=zone.value or '',
                                                          language=language.value or '',
                                                          notification_mail=mail.value),
                                  {'name': name, 'time_zone': zone, 'language': language,
                                   'notification_mail': mail})
            if saved is FAILED:
                return
            ui.notify(_('Saved'), type='positive')
            if (saved.time_zone, saved.language) != before:  # this page was drawn in the old zone or language
                ui.navigate.reload()
        ui.button(_('Save'), on_click=save).mark('profile-save')

    with ui.card().classes('w-full'):
        ui.label(_('Change password')).classes('text-subtitle1')
        current = ui.input(_('Current password'), password=True).classes('w-full max-w-md').mark('password-current')
        new = ui.input(_('New password'), password=True).classes('w-full max-w-md').mark('password-new')

        async def change() -> None:
            done = await attempt(accounts.change_password(user=ctx.user, current=current.value, new=new.value),
                                 {'current_password': current, 'new_password': new})
            if done is not FAILED:
                current.value = new.value = ''
                ui.notify(_('Password changed'), type='positive')
        ui.button(_('Change password'), on_click=change).mark('password-change')


async def tokens_section(ctx: PageContext) -> None:
    section_title(_('API tokens'), _('A personal token lets scripts use the REST API as you: send it as '
                                     '"Authorization: Bearer <token>".'))

    def token_row(token: accounts.ApiToken, refresh) -> None:
        async def revoke() -> None:
            await attempt(accounts.revoke_api_token(user=ctx.user, token_id=token.id))
            refresh()
        last_used = _('never used') if token.last_used_at is None \
            else _('last used {day}', day=moments.day(token.last_used_at))
        secret_row(token.name, token.hint, [(_('created {day}', day=moments.day(token.created_at)), 'text-grey-7'),
                                            (last_used, 'text-grey-7')], revoke, mark='token')

    token_list = secret_list(lambda: accounts.list_api_tokens(ctx.user), token_row, empty=_('No tokens yet.'),
                             empty_mark='no-tokens')

    with ui.card().classes('w-full'):
        with ui.row().classes('items-end gap-2'):
            label = ui.input(_('Token name'), placeholder=_('e.g. Import script')).mark('token-name')

            async def create() -> None:
                created = await attempt(accounts.create_api_token(user=ctx.user, name=label.value), {'name': label})
                if created is FAILED:
                    return
                raw = created[1]  # (the token, its value shown once)
                label.value = ''
                show_once(_('Your new token'), _('Copy it now: it is shown only once.'), raw, mark='token-value')
                token_list.refresh()
            ui.button(_('Create token'), on_click=create).mark('token-create')
        await token_list()


# ------------------------------------------------------------------ organization

def organization_section(ctx: PageContext) -> None:
    org = ctx.org
    section_title(_('Organization'))
    editable = ctx.may(Action.EDIT_ORGANIZATION)
    with ui.card().classes('w-full'):
        name = ui.input(_('Name'), value=org.name).classes('w-full max-w-md').mark('org-name')
        country = country_select(_('Country (default phone region)'), org.country, mark='org-country') \
            .classes('w-full max-w-md')
        if editable:
            async def save() -> None:
                saved = await attempt(orgs.update_organization(actor=ctx.membership, name=name.value,
                                                               country=country.value),
                                      {'name': name, 'country': country})
                if saved is not FAILED:
                    ui.notify(_('Organization saved'), type='positive')
            ui.button(_('Save'), on_click=save).mark('org-save')
        else:
            name.props('readonly')
            country.props('readonly')


async def plan_section(ctx: PageContext) -> None:
    section_title(_('Plan & storage'))
    overview = await attempt(organization_overview(ctx.membership))
    if overview is not FAILED:
        plan_and_storage(overview)
    ui.link(_("The organization's page"), '/organization').mark('plan-organization-link')


def invitation_link_box(email: str, link: str) -> None:
    """An invitation's sign-up link, to send by other means when the server mails none: read-only, with a button
    that copies it."""
    with ui.column().classes('w-full gap-1').mark('invite-link-box'):
        ui.label(_('This server sends no e-mail: send {email} this link yourself. It opens sign-up with the address '
                   'filled in, and works until the invitation is accepted or its link is renewed.', email=email)) \
            .classes('text-grey-8')
        with ui.row().classes('w-full items-center no-wrap gap-2'):
            ui.input(value=link).props('readonly outlined dense').classes('grow font-mono').mark('invite-link')

            def copy() -> None:
                ui.clipboard.write(link)
                ui.notify(_('Copied'), type='positive')
            ui.button(_('Copy'), icon='content_copy', on_click=copy).props('flat').mark('invite-link-copy')


async def members_section(ctx: PageContext) -> None:
    section_title(_('Members & invitations'))
    manage = ctx.may(Action.MANAGE_MEMBERS)

    def show_link(email: str, link: str) -> None:
        """Under the invitation form (shown_link, made below): the link of the invitation just made or renewed."""
        shown_link.clear()
        with shown_link:
            invitation_link_box(email, link)

    @ui.refreshable
    async def member_list() -> None:
        for m in await orgs.list_members(ctx.membership):
            with ui.row().classes('items-center w-full gap-4 flex-wrap').mark('member-row'):
                ui.label(m.user.name).classes('font-medium min-w-[10rem]')
                ui.label(m.user.email).classes('text-grey-8 min-w-[14rem]')
                if manage:
                    async def change(e, user_id: int = m.user_id, before: str = m.role) -> None:
                        if e.value == before:
                            return
                        if await attempt(orgs.change_role(actor=ctx.membership, user_id=user_id, role=e.value)) \
                                is not FAILED:
                            ui.notify(_('Role changed'), type='positive')
                        member_list.refresh()

                    async def remove(user_id: int = m.user_id) -> None:
                        if await attempt(orgs.remove_member(actor=ctx.membership, user_id=user_id)) is not FAILED:
                            ui.notify(_('Member removed'), type='positive')
                        member_list.refresh()
                    ui.select(_role_options(), value=m.role, on_change=change).props('dense outlined') \
                        .mark(f'member-role-{m.user.email}')
                    ui.button(icon='person_remove', on_click=remove).props('flat round color=negative') \
                        .tooltip(_('Remove from the organization')).mark(f'member-remove-{m.user.email}')
                else:
                    ui.label(_role_name(m.role)).mark(f'member-role-label-{m.user.email}')
        invitations = await orgs.list_invitations(ctx.membership)
        if invitations:
            ui.label(_('Pending invitations')).classes('text-subtitle1 q-mt-sm')
        for invitation in invitations:
            with ui.row().classes('items-center gap-4').mark('invitation-row'):
                ui.label(invitation.email)
                ui.label(_role_name(invitation.role)).classes('text-grey-8')
                if manage:
                    async def cancel(invitation_id: int = invitation.id) -> None:
                        await attempt(orgs.cancel_invitation(actor=ctx.membership, invitation_id=invitation_id))
                        member_list.refresh()
                    if not outbox.enabled():
                        async def renew(invitation_id: int = invitation.id, email: str = invitation.email) -> None:
                            link = await attempt(orgs.renew_invitation_link(actor=ctx.membership,
                                                                            invitation_id=invitation_id))
                            if link is not FAILED:
                                show_link(email, link)
                                ui.clipboard.write(link)
                                ui.notify(_('A new link for {email} is copied; the earlier one no longer works',
                                            email=email), type='positive')
                        ui.button(_('Copy new link'), icon='link', on_click=renew).props('flat dense') \
                            .mark('invitation-new-link')
                    ui.button(_('Cancel'), on_click=cancel).props('flat dense').mark('invitation-cancel')

    with ui.card().classes('w-full'):
        await member_list()
        if manage:
            ui.separator()
            with ui.row().classes('items-end gap-2 flex-wrap'):
                email = ui.input(_('Invite by email')).props('type=email').classes('min-w-[16rem]').mark('invite-email')
                role = ui.select(_role_options(), value='member', label=_('Role')).classes('min-w-[8rem]') \
                    .mark('invite-role')

                async def send() -> None:
                    added = await attempt(orgs.invite(actor=ctx.membership, email=email.value, role=role.value),
                                          {'email': email, 'role': role})
                    if added is FAILED:
                        return
                    shown_link.clear()
                    if not isinstance(added, Invitation):
                        message = _('{email} was added', email=added.user.email)
                    elif outbox.enabled():
                        message = _('{email} was invited: a mail with a link is on its way', email=added.email)
                    else:
                        message = _('{email} was invited', email=added.email)
                    ui.notify(message, type='positive')
                    if isinstance(added, Invitation) and added.link:
                        show_link(added.email, added.link)
                    email.value = ''
                    member_list.refresh()
                ui.button(_('Invite'), on_click=send).mark('invite-send')
            shown_link = ui.column().classes('w-full')


async def lists_section(ctx: PageContext) -> None:
    section_title(_('Lists'), _('The values offered for contact and company types, contact roles and sectors.'))
    lists = await orgs.option_lists(ctx.org.id)
    with ui.row().classes('w-full gap-4 items-start'):
        for kind, title in LIST_TITLES.items():
            with ui.card().classes('w-full sm:w-[22rem]'):
                ui.label(_(title)).classes('text-subtitle1')
                option_list_editor(ctx, kind, lists[kind])


def option_list_editor(ctx: PageContext, kind: str, names: list[str]) -> None:
    """Add, rename, reorder and remove the values of one list; each change is saved at once."""
    state = {'names': list(names)}

    async def save(new_names: list[str], renamed: dict[str, str] | None = None) -> bool:
        saved = await attempt(orgs.save_option_list(actor=ctx.membership, kind=kind, names=new_names, renamed=renamed))
        if saved is FAILED:
            return False
        state['names'] = saved
        editor.refresh()
        return True

    async def ask_remove(name: str) -> None:
        """Say how many records use the value and where they go, then remove it (models: orgs.remove_option)."""
        usage = await attempt(orgs.option_usage(actor=ctx.membership, kind=kind))
        if usage is FAILED:
            return
        used = usage.get(name, 0)
        others = [n for n in state['names'] if n != name]
        with ui.dialog(value=True) as dialog, ui.card().classes('max-w-lg').mark('option-remove-dialog'):
            ui.label(_('Remove "{name}" from {list}?', name=name, list=_(LIST_TITLES[kind]).lower())) \
                .classes('text-h6')
            if used:
                ui.label(ngettext('{count} contact you can see uses "{name}". Move every record that has it to '
                                  'another value, or leave it empty:',
                                  '{count} contacts you can see use "{name}". Move every record that has it to '
                                  'another value, or leave it empty:', used, name=name) if kind in CONTACT_LISTS
                         else ngettext('{count} company you can see uses "{name}". Move every record that has it to '
                                       'another value, or leave it empty:',
                                       '{count} companies you can see use "{name}". Move every record that has it '
                                       'to another value, or leave it empty:', used, name=name)) \
                    .mark('option-remove-count')
                move_to = ui.select({'': _('(leave empty)'), **{n: n for n in others}}, value='',
                                    label=_('Move them to')).classes('w-full').mark('option-remove-move-to')
            else:
                ui.label(_('No record you can see uses "{name}".', name=name)).mark('option-remove-count')
                move_to = None

            async def confirm() -> None:
                target = move_to.value if move_to is not None else None
                moved = await attempt(orgs.remove_option(actor=ctx.membership, kind=kind, name=name,
                                                         move_to=target or None))
                dialog.close()
                if moved is FAILED:
                    return
                count = sum(moved.values())
                if not count:
                    message = _('"{name}" removed', name=name)
                elif target:
                    message = ngettext('"{name}" removed; {count} record moved to "{target}"',
                                       '"{name}" removed; {count} records moved to "{target}"', count,
                                       name=name, target=target)
                else:
                    message = ngettext('"{name}" removed; {count} record left empty',
                                       '"{name}" removed; {count} records left empty', count, name=name)
                ui.notify(message, type='positive')
                state['names'] = (await orgs.option_lists(ctx.org.id))[kind]
                editor.refresh()
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=dialog.close).props('flat').mark('option-remove-cancel')
                ui.button(_('Remove'), icon='delete', on_click=confirm).props('color=negative') \
                    .mark('option-remove-confirm')

    @ui.refreshable
    def editor() -> None:
        current = state['names']
        for i, name in enumerate(current):
            with ui.row().classes('items-center w-full no-wrap gap-1').mark(f'option-{kind}'):
                field = ui.input(value=name).props('dense borderless').classes('grow').mark(f'option-{kind}-{i}')

                async def rename(e=None, i: int = i, field=field) -> None:
                    old, new = state['names'][i], (field.value or '').strip()
                    if new != old:
                        if not await save(state['names'][:i] + [new] + state['names'][i + 1:], {old: new}):
                            field.value = old

                field.on('blur', rename)
                field.on('keydown.enter', rename)

                async def move(i: int = i, step: int = -1) -> None:
                    names_now = list(state['names'])
                    j = i + step
                    if 0 <= j < len(names_now):
                        names_now[i], names_now[j] = names_now[j], names_now[i]
                        await save(names_now)
                ui.button(icon='arrow_upward', on_click=lambda i=i: move(i, -1)).props('flat dense round size=sm')
                ui.button(icon='arrow_downward', on_click=lambda i=i: move(i, 1)).props('flat dense round size=sm')
                ui.button(icon='delete', on_click=lambda name=name: ask_remove(name)) \
                    .props('flat dense round size=sm color=negative').tooltip(_('Remove this value')) \
                    .mark(f'option-{kind}-remove-{i}')
        with ui.row().classes('items-center w-full no-wrap gap-1'):
            new = ui.input(placeholder=_('Add a value')).props('dense').classes('grow').mark(f'option-{kind}-new')

            async def add() -> None:
                if (new.value or '').strip() and await save(state['names'] + [new.value]):
                    new.value = ''
            new.on('keydown.enter', add)
            ui.button(icon='add', on_click=add).props('flat dense round').mark(f'option-{kind}-add')

    editor()


SECTIONS = {'profile': N_('Profile'), 'organization': N_('Organization'), 'members': N_('Members & invitations'),
            'lists': N_('Lists'), 'plan': N_('Plan & storage'), 'cloud': N_('Cloud accounts'),
            'phones': N_('Phones and mail apps'), 'tokens': N_('API tokens'), 'kiosk': N_('Kiosk links')}
ICONS = {'profile': 'person', 'organization': 'business', 'members': 'group', 'lists': 'list', 'plan': 'storage',
         'cloud': 'cloud', 'phones': 'smartphone', 'tokens': 'key', 'kiosk': 'tv'}


BUILDERS = {'profile': profile_section, 'organization': organization_section, 'members': members_section,
            'lists': lists_section, 'plan': plan_section, 'cloud': cloud_accounts_section, 'phones': phones_section,
            'tokens': tokens_section, 'kiosk': kiosk_links_section}


def _sections(ctx: PageContext) -> list[str]:
    """The sections this visitor's role opens, in order."""
    shown = ['profile']
    if ctx.membership is not None and ctx.may(Action.VIEW_SETTINGS):
        shown += ['organization', 'members', 'lists', 'plan']
    shown += ['cloud', 'phones', 'tokens']
    if ctx.membership is not None and ctx.may(Action.MANAGE_KIOSK):
        shown.append('kiosk')
    return shown


async def _section(ctx: PageContext, name: str) -> None:
    if name == 'profile' and ctx.membership is not None and not ctx.may(Action.VIEW_SETTINGS):
        ui.label(_('As a guest of this organization you see your own settings only.')) \
            .classes('text-grey-8').mark('guest-settings-note')
    built = BUILDERS[name](ctx)
    if inspect.isawaitable(built):
        await built


@page('/settings', title='Settings · Rubrica')
async def settings_page(section: str = ''):
    ctx = await page_context()
    if ctx is None:
        return to_login(f'/settings?section={section}' if section in SECTIONS else '/settings')
    ui.page_title(_('Settings') + ' · Rubrica')
    with frame(ctx, _('Settings')):
        shown = _sections(ctx)
        current = section if section in shown else shown[0]

        def follow(e) -> None:  # the address names the open section: a link or a reload opens it again
            if e.value in shown:
                ui.navigate.history.replace(f'/settings?section={e.value}')

        with ui.row().classes('w-full items-start gap-4 no-wrap max-md:flex-col'):
            with ui.column().classes('md:w-56 shrink-0 max-md:w-full'):
                # one control per screen width, both holding the open section
                picker = ui.select({name: _(SECTIONS[name]) for name in shown}, value=current, label=_('Section')) \
                    .props('outlined dense').classes('w-full md:hidden').mark('settings-section-select')
                with ui.element('div').classes('w-full max-md:hidden'):  # q-tabs' own display wins over a class
                    with ui.tabs(value=current, on_change=follow).props('vertical dense inline-label no-caps') \
                            .classes('w-full text-grey-9').mark('settings-tabs') as tabs:
                        for name in shown:
                            ui.tab(name, _(SECTIONS[name]), icon=ICONS[name]).props('content-class="justify-start"') \
                                .classes('justify-start').mark(f'settings-tab-{name}')
                picker.bind_value(tabs)
            with ui.tab_panels(tabs, value=current).classes('grow min-w-0 w-full bg-transparent') \
                    .mark('settings-panels'):
                for name in shown:
                    with ui.tab_panel(name).classes('p-0 gap-2').mark(f'settings-section-{name}'):
                        await _section(ctx, name)
