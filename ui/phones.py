"""Settings' "Phones and mail apps" section: what to enter on iOS and macOS, Android (DAVx5) and Thunderbird to see
the organization's directory in the phone's own address book (CardDAV, dav/), and a button that makes the app
password for it: a personal API token with the device's name, shown once, revocable with the other tokens."""
from __future__ import annotations

from urllib.parse import urlsplit

from nicegui import app, ui

from models.accounts import service as accounts
from models.carddav import books

from models.i18n import _

from .feedback import FAILED, attempt
from .session import PageContext
from .widgets import section_title, show_once


def _address_row(label: str, value: str, mark: str) -> None:
    with ui.row().classes('items-center gap-2 w-full no-wrap'):
        ui.label(label).classes('text-grey-8 min-w-[9rem]')
        ui.label(value).classes('font-mono break-all').mark(mark)

        def copy() -> None:
            ui.clipboard.write(value)
            ui.notify(_('Copied'), type='positive')
        ui.button(icon='content_copy', on_click=copy).props('flat dense round size=sm').tooltip(_('Copy'))


async def phones_section(ctx: PageContext) -> None:
    section_title(_('Phones and mail apps'),
                  _("See your organizations' contacts and companies in your phone's own address book, so you know "
                    'who is calling. Make an app password below for each device, then add a CardDAV account there '
                    'with your email and that password.'))
    base = app.state.settings.public_url
    server = urlsplit(base).netloc
    with ui.card().classes('w-full'):
        ui.label(_('iPhone, iPad and Mac')).classes('text-subtitle1')
        ui.label(_('Settings → Contacts → Accounts → Add Account → Other → Add CardDAV Account (on a Mac: '
                   'Contacts → Add Account → Other Contacts Account → CardDAV, manual).')).classes('text-grey-8')
        _address_row(_('Server'), server, 'dav-ios-server')
        _address_row(_('User name'), ctx.user.email, 'dav-user-name')
        ui.separator()
        ui.label(_('Android (DAVx5)')).classes('text-subtitle1')
        ui.label(_('In DAVx5, add an account with "Log in with URL and user name".')).classes('text-grey-8')
        _address_row(_('Base URL'), f'{base}/', 'dav-android-url')
        ui.separator()
        ui.label(_('Thunderbird')).classes('text-subtitle1')
        ui.label(_('Address Book → New Address Book → Add CardDAV Address Book, with the address of the '
                   'organization you want:')).classes('text-grey-8')
        listed = await books.address_books(ctx.user)
        for membership in listed:
            _address_row(membership.org.name, f'{base}/dav/books/{membership.org_id}/',
                         f'dav-book-{membership.org_id}')
        if not listed:
            ui.label(_('You are owner or member of no organization yet: there is no address book to show.')) \
                .classes('text-grey-8').mark('dav-no-books')

    with ui.card().classes('w-full'):
        with ui.row().classes('items-end gap-2'):
            label = ui.input(_('Device'), value=_('My phone')).mark('dav-device')

            async def create() -> None:
                created = await attempt(accounts.create_api_token(user=ctx.user, name=label.value), {'name': label})
                if created is FAILED:
                    return
                show_once(_('The app password for {device}', device=created[0].name),
                          _('Enter it on the device now: it is shown only once. Revoke it under API tokens.'),
                          created[1], mark='dav-app-password')
            ui.button(_('Make an app password'), on_click=create).mark('dav-create-password')
