"""Settings › Cloud accounts: connect, disconnect and reconnect Google Drive and Dropbox (OAuth 2).

`/cloud/{provider}/connect` sends the browser to the provider's consent page; the provider sends it back to
`/cloud/{provider}/callback`, which checks the state kept in the browser's server-side storage, trades the
code for tokens (models/files/cloud.py) and returns to Settings with a message.
"""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from models.errors import RubricaError
from models.files import cloud
from models.i18n import N_, _
from web.session import signed_in_user

from . import language, moments, session
from .session import PageContext
from .widgets import section_title

PENDING_KEY = 'cloud_oauth'
MESSAGE_KEY = 'cloud_message'
STATUS_TEXT = {'connected': N_('Connected'), 'revoked': N_('The provider no longer accepts this account: reconnect it'),
               'disconnected': N_('Not connected')}


def _storage():
    return app.storage.user


def _tell(kind: str, text: str) -> RedirectResponse:
    _storage()[MESSAGE_KEY] = {'type': kind, 'text': text}
    return RedirectResponse('/settings?section=cloud', status_code=303)


def install_routes(fastapi_app: FastAPI) -> None:
    @fastapi_app.get('/cloud/{provider}/connect', include_in_schema=False)
    async def connect(provider: str, request: Request):
        ctx = await session.page_context()
        if ctx is None or ctx.membership is None:
            return RedirectResponse('/login?next=/settings%3Fsection%3Dcloud', status_code=303)
        try:
            authorization = await cloud.start_connection(actor=ctx.membership, provider=provider,
                                                         integrations=request.app.state.integrations)
        except RubricaError as e:
            return _tell('negative', e.message)
        _storage()[PENDING_KEY] = {'provider': provider, 'state': authorization.state,
                                   'code_verifier': authorization.code_verifier}
        return RedirectResponse(authorization.url, status_code=303)

    @fastapi_app.get('/cloud/{provider}/callback', include_in_schema=False)
    async def callback(provider: str, request: Request, code: str = '', state: str = '', error: str = ''):
        user = await signed_in_user()
        if user is None:
            return RedirectResponse('/login?next=/settings%3Fsection%3Dcloud', status_code=303)
        language.set_page_language(user.language)  # the message is shown on their Settings page
        pending = _storage().pop(PENDING_KEY, None)
        integrations = request.app.state.integrations
        label = cloud.store_for(integrations, provider).label if provider in cloud.PROVIDERS else _('The provider')
        if error:
            return _tell('warning', _('{store} was not connected: access was not allowed', store=label))
        try:
            await cloud.finish_connection(user=user, provider=provider, code=code, state=state, pending=pending,
                                          integrations=integrations)
        except RubricaError as e:
            return _tell('negative', _('{store} was not connected: {reason}', store=label, reason=e.message))
        return _tell('positive', _('{store} is connected', store=label))


async def cloud_accounts_section(ctx: PageContext) -> None:
    """Each of the user's cloud accounts with connect / disconnect / reconnect (premium organizations)."""
    section_title(_('Cloud accounts'))
    message = _storage().pop(MESSAGE_KEY, None)
    with ui.card().classes('w-full').mark('cloud-accounts'):
        if isinstance(message, dict):
            ui.label(str(message.get('text', ''))) \
                .classes({'positive': 'text-positive', 'warning': 'text-warning'}.get(message.get('type'),
                                                                                       'text-negative')) \
                .mark('cloud-message')
        if ctx.org is None or ctx.org.plan != 'premium':
            ui.label(_('Attaching files from Google Drive and Dropbox is available to premium organizations.')) \
                .classes('text-grey-8').mark('cloud-not-premium')
            return
        ui.label(_('Connect your own accounts to attach files from them to contacts and companies. Linked files '
                   'do not count against the organization\'s storage.')).classes('text-grey-8')

        @ui.refreshable
        async def accounts() -> None:
            for state in await cloud.account_states(user=ctx.user, integrations=app.state.integrations):
                with ui.row().classes('items-center w-full gap-4').mark(f'cloud-{state.provider}'):
                    ui.label(state.label).classes('font-medium min-w-[8rem]')
                    if not state.configured:
                        ui.label(_('Not set up on this server')).classes('text-grey-7') \
                            .mark(f'cloud-{state.provider}-status')
                        continue
                    text = _(STATUS_TEXT[state.status])
                    if state.status == 'connected' and state.connected_at:
                        text = _('Connected since {day}', day=moments.day(state.connected_at))
                    ui.label(text).classes('text-warning' if state.status == 'revoked' else 'text-grey-8') \
                        .mark(f'cloud-{state.provider}-status', f'cloud-{state.status}')
                    if state.status != 'connected':
                        ui.button(_('Reconnect') if state.status == 'revoked' else _('Connect'),
                                  on_click=lambda p=state.provider: ui.navigate.to(f'/cloud/{p}/connect')) \
                            .mark(f'cloud-{state.provider}-connect')
                    if state.status != 'disconnected':
                        async def forget(p: str = state.provider) -> None:
                            if not await session.still_current():  # logged out elsewhere since the page opened
                                return
                            await cloud.disconnect(user=ctx.user, provider=p)
                            ui.notify(_('Disconnected'), type='positive')
                            accounts.refresh()
                        ui.button(_('Disconnect'), on_click=forget).props('flat color=negative') \
                            .mark(f'cloud-{state.provider}-disconnect')

        await accounts()
