"""Log in, sign up (also through an invitation's link), confirm an address with its mailed link, and a forgotten
password: ask for a link by mail, then choose a new password with it."""
from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from models.accounts import resets, verification
from models.accounts import service as accounts
from models.errors import RateLimited, RubricaError
from models.i18n import _
from models.mail import outbox
from models.orgs import service as orgs
from web.client import client_address
from web.session import session_key, signed_in_user

from . import language, moments, session
from .feedback import FAILED, attempt, flash
from .page_route import page


def _centered_card():
    return ui.card().classes('absolute-center w-96 max-w-[95vw]')


@page('/login', title='Log in · Rubrica')
async def login_page(request: Request, next: str = '/'):  # noqa: A002 - the query parameter is called next
    target = session.safe_next(next)
    if await signed_in_user() is not None:
        return RedirectResponse(target)
    session.forget_ended_session(request)
    client = client_address(request)
    storage = session.browser_storage()
    moments.tell_browser_zone()  # the pages after logging in show times in it
    language.set_page_language()
    ui.page_title(_('Log in') + ' · Rubrica')

    with _centered_card():
        ui.label('Rubrica').classes('text-h5')
        ui.label(_('Log in to your account')).classes('text-subtitle2 text-grey-8')
        email = ui.input(_('Email')).props('type=email autocomplete=username').classes('w-full').mark('login-email')
        password = ui.input(_('Password'), password=True).props('autocomplete=current-password') \
            .classes('w-full').mark('login-password')
        problem = ui.label().classes('text-negative').mark('login-error')
        problem.set_visibility(False)

        async def submit() -> None:
            try:
                user = await accounts.authenticate(email=email.value, password=password.value, client=client)
            except RubricaError as e:  # a wrong pair, or too many attempts (RateLimited says for how long)
                problem.text = e.message
            else:
                ui.navigate.to(session.begin_login(storage, user, target))
                return
            problem.set_visibility(True)

        password.on('keydown.enter', submit)
        ui.button(_('Log in'), on_click=submit).classes('w-full').mark('login-submit')
        with ui.row().classes('w-full justify-center'):
            ui.link(_('Forgot password?'), '/forgot-password').mark('forgot-password-link')
        with ui.row().classes('w-full justify-center'):
            ui.label(_('No account yet?'))
            ui.link(_('Sign up'), '/signup').mark('signup-link')


@page(session.COMPLETE_PATH, title='Log in · Rubrica')
async def complete_login(request: Request, ticket: str = '', next: str = '/'):  # noqa: A002
    """The browser comes here right after its password was checked; the answer carries its new, logged-in cookie."""
    if await session.finish_login(request, ticket):
        return RedirectResponse(session.safe_next(next), status_code=303)
    return RedirectResponse(f'/login?next={quote(session.safe_next(next), safe="")}', status_code=303)


@page(orgs.SIGNUP_PATH, title='Sign up · Rubrica')
async def signup_page(request: Request, invitation: str = ''):
    """Sign-up; opened with an invitation's link (`?invitation=…`), for the address it was sent to only, and the
    account joins the organization at once (the link came to that mailbox: models/accounts/service.sign_up)."""
    if await signed_in_user() is not None:
        return RedirectResponse('/')
    settings = app.state.settings
    client = client_address(request)
    storage = session.browser_storage()
    language.set_page_language()
    ui.page_title(_('Sign up') + ' · Rubrica')
    invited = await orgs.invitation_for_link(invitation) if invitation else None

    with _centered_card():
        ui.label(_('Create your Rubrica account')).classes('text-h6')
        if invitation and invited is None:
            ui.label(accounts.invitation_link_dead()).classes('text-negative').mark('invitation-link-dead')
            with ui.row().classes('w-full justify-center'):
                ui.link(_('Log in'), '/login')
            return
        if invited is not None:
            ui.label(_('{name} invites you to join {organization}.', organization=invited.org.name,
                       name=invited.invited_by.name if invited.invited_by else _('An owner'))) \
                .classes('text-grey-8').mark('signup-invitation')
        elif settings.signup == 'invite':
            ui.label(_('Sign-up is by invitation: use the email address you were invited with.')) \
                .classes('text-grey-8')
        name = ui.input(_('Name')).props('autocomplete=name').classes('w-full').mark('signup-name')
        email = ui.input(_('Email'), value=invited.email if invited else '') \
            .props('type=email autocomplete=username' + (' readonly' if invited else '')) \
            .classes('w-full').mark('signup-email')
        password = ui.input(_('Password'), password=True).props('autocomplete=new-password') \
            .classes('w-full').mark('signup-password')
        ui.label(_('At least 8 characters.')).classes('text-caption text-grey-7')

        async def submit() -> None:
            user = await attempt(accounts.sign_up(email=invited.email if invited else email.value,
                                                  password=password.value, name=name.value,
                                                  signup_mode=settings.signup, client=client,
                                                  invitation=invitation or None),
                                 {'email': email, 'password': password, 'name': name})
            if user is FAILED:
                return
            ui.navigate.to(session.begin_login(storage, user, '/'))

        ui.button(_('Create account'), on_click=submit).classes('w-full').mark('signup-submit')
        with ui.row().classes('w-full justify-center'):
            ui.label(_('Already registered?'))
            ui.link(_('Log in'), '/login')


@page(verification.VERIFY_PATH, title='Confirm your address · Rubrica')
async def verify_email_page(token: str = ''):
    """The link of the confirmation mail: the address is confirmed, the account's invitations become memberships,
    and the browser goes on to the dashboard (or logs in first). A dead link says so."""
    language.set_page_language()
    try:
        await verification.verify_email(token=token)
    except RubricaError as e:
        ui.page_title(_('Confirm your address') + ' · Rubrica')
        with _centered_card():
            ui.label(_('Confirm your address')).classes('text-h6')
            ui.label(e.message).mark('verify-link-dead')
            with ui.row().classes('w-full justify-center'):
                ui.link(_('Log in'), '/login')
        return None
    flash(_('Your address is confirmed.'))
    return RedirectResponse('/', status_code=303)


@page('/forgot-password', title='Forgot password · Rubrica')
async def forgot_password_page(request: Request):
    client = client_address(request)
    language.set_page_language()
    ui.page_title(_('Forgot password') + ' · Rubrica')

    with _centered_card():
        ui.label(_('Forgot your password?')).classes('text-h6')
        if not outbox.enabled():
            ui.label(_('This server sends no e-mail, so it cannot send you a link to choose a new password. '
                       'Ask the person who runs Rubrica for help.')).mark('reset-unavailable')
            ui.link(_('Back to log in'), '/login')
            return
        ui.label(_('Enter the email of your account: we will send you a link to choose a new password.')) \
            .classes('text-grey-8')
        email = ui.input(_('Email')).props('type=email autocomplete=username').classes('w-full').mark('reset-email')
        sent = ui.label().classes('text-positive').mark('reset-sent')
        sent.set_visibility(False)

        async def submit() -> None:
            address = (email.value or '').strip()
            email.error = None if address else _('Enter the email of your account')
            if not address:
                return
            try:
                await resets.request_reset(email=address, client=client)
            except RateLimited as e:
                ui.notify(_('Too many requests: try again in {seconds} seconds.', seconds=e.retry_after),
                          type='negative')
                return
            # the same words whether or not an account has this email
            sent.text = _('If an account uses {email}, a mail with a link is on its way. The link works for one '
                          'hour.', email=address)
            sent.set_visibility(True)

        email.on('keydown.enter', submit)
        ui.button(_('Send the link'), on_click=submit).classes('w-full').mark('reset-send')
        with ui.row().classes('w-full justify-center'):
            ui.link(_('Back to log in'), '/login')


@page(resets.RESET_PATH, title='New password · Rubrica')
async def reset_password_page(token: str = ''):
    storage = session.browser_storage()
    key = session_key()  # a browser logged in as the account keeps this session
    language.set_page_language()
    ui.page_title(_('New password') + ' · Rubrica')

    with _centered_card():
        ui.label(_('Choose a new password')).classes('text-h6')
        if not await resets.link_works(token):
            ui.label(_('This link has expired or was already used: ask for a new one.')).mark('reset-link-dead')
            with ui.row().classes('w-full justify-center'):
                ui.link(_('Ask for a new link'), '/forgot-password')
            return
        password = ui.input(_('New password'), password=True).props('autocomplete=new-password') \
            .classes('w-full').mark('reset-password')
        ui.label(_('At least 8 characters. Every other session and every API token of the account will end.')) \
            .classes('text-caption text-grey-7')

        async def submit() -> None:
            user = await attempt(resets.reset_password(token=token, password=password.value, keep_session=key),
                                 {'password': password})
            if user is FAILED:
                return
            current = await accounts.user_for_session(key)
            if current is not None and current.id == user.id:
                ui.navigate.to('/')
            else:
                ui.navigate.to(session.begin_login(storage, user, '/'))

        password.on('keydown.enter', submit)
        ui.button(_('Set the new password'), on_click=submit).classes('w-full').mark('reset-submit')
