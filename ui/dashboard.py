"""The dashboard: where a user lands after logging in."""
from __future__ import annotations

from nicegui import ui

from .frame import frame
from .session import page_context, to_login


@ui.page('/', title='Dashboard · Rubrica')
async def dashboard_page():
    ctx = await page_context()
    if ctx is None:
        return to_login('/')
    with frame(ctx, 'Dashboard') as parts:
        if ctx.membership is None:
            with ui.card().classes('w-full'):
                ui.label('You are not in any organization yet.').mark('no-org')
                ui.label('Create one, or ask an owner of an existing organization to invite you.')
                ui.button('Create an organization', on_click=parts.new_organization.open) \
                    .mark('create-first-org')
            return
        ui.label(f'Welcome, {ctx.user.name}').classes('text-subtitle1').mark('welcome')
        ui.label(f'{ctx.org.name} · your role: {ctx.role}').classes('text-grey-8').mark('active-org')
