"""Rubrica's composition root: settings, database, pages, API, the operator's command line, and the server."""
from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta

from nicegui import app, ui
from nicegui.storage import Storage

import api
from api.limits import BodyLimit
from models.db import Database
from models.errors import RubricaError
from settings import Settings, SettingsError, load_settings

SESSION_COOKIE_AGE = int(timedelta(days=30).total_seconds())


def configure(settings: Settings) -> None:
    """Wire everything onto NiceGUI's app; called once per process (and once per test)."""
    import integrations
    from models.attachments import clean_up_storage
    from ui import attachments, auth_pages, companies, contacts, dashboard, kiosk, settings_page, work  # noqa: F401
    from ui import duplicates, search_page  # noqa: F401
    from ui import imports as import_page
    from ui.guard import AuthMiddleware, SecurityHeaders

    app.state.settings = settings
    app.state.integrations = integrations.build(settings)
    settings.sessions_dir.mkdir(parents=True, exist_ok=True)
    Storage.path = settings.sessions_dir  # browser sessions survive a restart with the data dir
    database = Database(settings.database_url)

    async def start() -> None:
        await database.open()
        await clean_up_storage(app.state.integrations)  # files no attachment refers to any more

    app.on_startup(start)
    attachments.install_routes(app)
    import_page.install_routes(app)
    app.on_shutdown(database.close)
    api.install(app)
    app.add_middleware(AuthMiddleware)
    # every request body, on every route, is counted against its route's limit as it arrives (api/limits.py);
    # outside the page guard, so that a body past the limit is refused before anything else is decided
    app.add_middleware(BodyLimit, settings=settings, uploads=[*api.UPLOAD_ROUTES, attachments.UPLOAD_ROUTE])
    app.add_middleware(SecurityHeaders)


def serve(settings: Settings) -> None:
    configure(settings)
    ui.run(host=settings.host, port=settings.port, title='Rubrica', storage_secret=settings.secret,
           session_middleware_kwargs={'max_age': SESSION_COOKIE_AGE, 'same_site': 'lax'},
           reload=False, show=False, favicon='📇', fastapi_docs=True, show_welcome_message=False)


async def _admin_plan(settings: Settings, org_id: int, plan: str, quota_mb: int | None) -> str:
    from models.orgs import set_plan

    database = Database(settings.database_url)
    await database.open()
    try:
        org = await set_plan(org_id=org_id, plan=plan, quota_mb=quota_mb)
    finally:
        await database.close()
    return f'organization {org.id} ({org.name}): plan {org.plan}, quota {org.storage_quota // (1024 * 1024)} MiB'


def admin(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog='python main.py admin', description='Operator commands')
    commands = parser.add_subparsers(dest='command', required=True)
    plan = commands.add_parser('plan', help="set an organization's plan")
    plan.add_argument('org_id', type=int)
    plan.add_argument('plan', choices=['free', 'premium'])
    plan.add_argument('--quota-mb', type=int, default=None, help='quota in MiB (premium default: 10240)')
    args = parser.parse_args(argv)
    try:
        print(asyncio.run(_admin_plan(load_settings(), args.org_id, args.plan, args.quota_mb)))
    except (RubricaError, SettingsError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    if argv[1:2] == ['admin']:
        return admin(argv[2:])
    try:
        settings = load_settings()
    except SettingsError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    serve(settings)
    return 0


if __name__ in {'__main__', '__mp_main__'}:
    status = main(sys.argv)
    if status:
        sys.exit(status)
