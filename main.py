"""Rubrica's composition root: settings, database, pages, API, the operator's command line, and the server."""
from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import multiprocessing
import sys
from pathlib import Path

from models.db import Database
from models.errors import RubricaError
from settings import Settings, SettingsError, load_settings


def install_live_events(settings: Settings):
    """The relay that carries live events (models/events.py) between this process and the others, installed, when
    RUBRICA_REDIS_URL is set; None (this process alone) when not. Every process, a server or a worker, calls it once,
    then `await relay.start()` in its event loop and `await relay.stop()` at its end."""
    from models import events

    if not settings.redis_url:
        events.install_relay(None)
        return None
    from integrations.redis_relay import RedisRelay

    relay = RedisRelay(settings.redis_url, channel=f'{settings.redis_prefix}events', deliver=events.deliver)
    events.install_relay(relay)
    return relay


def configure(settings: Settings) -> None:
    """Wire everything onto NiceGUI's app; called once per process (and once per test)."""
    # The web stack is loaded here rather than at the top: the operator's commands (`main.py admin …`) need none
    # of it and start in half the time.
    from nicegui import app
    from nicegui.storage import Storage

    import api
    import dav
    import integrations
    from models.files.storage import clean_up_storage
    from models.imports.recovery import recover_interrupted_imports
    from models.imports.workers import shutdown_workers, start_workers
    from models.jobs import queue as jobs
    from models.mail import outbox
    from ui import attachments, auth_pages, companies, contacts, dashboard, kiosk, settings_page, work  # noqa: F401
    from ui import duplicates, search_page  # noqa: F401
    from ui import organization, trash_page  # noqa: F401
    from ui import imports as import_page
    from web.errors import install_error_handlers
    from ui import language
    from web.headers import SecurityHeaders
    from web.language import RequestLanguage
    from web.limits import BodyLimit
    from web import browser_storage, operations
    from web.session import AuthMiddleware
    from web.startup import WaitForStart

    app.state.settings = settings
    app.state.integrations = integrations.build(settings)
    settings.sessions_dir.mkdir(parents=True, exist_ok=True)
    Storage.path = settings.sessions_dir  # browser sessions survive a restart with the data dir
    browser_storage.configure(settings.redis_url, settings.redis_prefix)  # with Redis: NiceGUI's Redis storage
    relay = app.state.redis_relay = install_live_events(settings)
    database = Database(settings.database_url, settings.sqlite_readers)
    started = asyncio.Event()
    outbox.configure(settings.smtp, sender=settings.mail_from, public_url=settings.public_url)

    async def start() -> None:
        try:
            await database.open()
            await recover_interrupted_imports()  # an import cut off by a crash is taken back, before any request
            start_workers()  # the processes that read import files, started in the background
            await clean_up_storage(app.state.integrations)  # files no attachment refers to any more
            # background jobs (imports), the mail, the trash purge, the daily mails and the sweep of files: run by
            # this process (RUBRICA_JOBS=inside, after taking back what a crash cut off), else only queued here
            await jobs.open_queue(mode=settings.jobs, database_url=settings.database_url,
                                  trash_days=settings.trash_days, integrations=app.state.integrations)
            if settings.jobs == jobs.INSIDE:
                await jobs.start_inside()
            if not gc.get_freeze_count():  # once per process
                # what start-up built lives as long as the server: out of the collector's way, a full collection
                # stays short instead of pausing every request for a few hundred milliseconds under load
                gc.freeze()
        finally:
            started.set()

    if relay is not None:
        app.on_startup(relay.start)  # before `start`: pages opened once it is done hear the other processes
        app.on_shutdown(relay.stop)
    app.on_startup(start)
    attachments.install_routes(app)
    import_page.install_routes(app)
    app.on_shutdown(jobs.close_queue)  # before the database closes, which the running jobs use
    app.on_shutdown(database.close)
    app.on_shutdown(shutdown_workers)  # the processes that read import files
    api.install(app)
    dav.install(app)  # CardDAV under /dav/, with HTTP Basic and app passwords
    install_error_handlers(app)  # the same answer to a models/ error on every route, the pages' and the API's
    app.add_middleware(AuthMiddleware)
    # every request body, on every route, is counted against its route's limit as it arrives (web/limits.py);
    # outside the page guard, so that a body past the limit is refused before anything else is decided
    app.add_middleware(BodyLimit, settings=settings, uploads=[*api.UPLOAD_ROUTES, attachments.UPLOAD_ROUTE])
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLanguage)  # the API's messages and a page being built speak the client's language
    language.install()
    operations.install(app, started=started)  # /healthz, /readyz, /metrics, and a log line per request
    app.add_middleware(WaitForStart, started=started)


def serve(settings: Settings) -> None:
    from nicegui import ui

    from web import logs
    from web.session import session_cookie

    logs.configure(settings.log_format)
    configure(settings)
    ui.run(host=settings.host, port=settings.port, title='Rubrica', storage_secret=settings.secret,
           session_middleware_kwargs=session_cookie(settings),
           reload=False, show=False, favicon='📇', fastapi_docs=True, show_welcome_message=False,
           **logs.uvicorn_options())


def work(settings: Settings) -> int:
    """`python main.py worker`: run the background jobs and the periodic work (RUBRICA_JOBS=workers) until stopped."""
    if settings.jobs != 'workers':
        print('error: RUBRICA_JOBS is inside: the server runs the background jobs itself, so no worker is needed. '
              'Workers run them with RUBRICA_JOBS=workers and PostgreSQL (RUBRICA_DATABASE_URL=postgres://…).',
              file=sys.stderr)
        return 2
    import integrations
    from models.imports.workers import shutdown_workers
    from models.jobs import queue as jobs
    from models.mail import outbox
    from web import logs

    logs.configure(settings.log_format)

    async def run() -> None:
        database = Database(settings.database_url, settings.sqlite_readers)
        await database.open()
        outbox.configure(settings.smtp, sender=settings.mail_from, public_url=settings.public_url)
        # a job's progress (and what its work tells people) reaches the pages of every server process
        relay = install_live_events(settings)
        if relay is not None:
            await relay.start()
        try:
            await jobs.open_queue(mode=settings.jobs, database_url=settings.database_url,
                                  trash_days=settings.trash_days, integrations=integrations.build(settings))
            try:
                await jobs.work()
            finally:
                await jobs.close_queue()
        finally:
            if relay is not None:
                await relay.stop()
            await shutdown_workers()
            await database.close()
    asyncio.run(run())
    return 0


async def _admin_plan(settings: Settings, org_id: int, plan: str, quota_mb: int | None) -> str:
    from models.orgs.service import set_plan

    database = Database(settings.database_url, settings.sqlite_readers)
    await database.open()
    try:
        org = await set_plan(org_id=org_id, plan=plan, quota_mb=quota_mb)
    finally:
        await database.close()
    return f'organization {org.id} ({org.name}): plan {org.plan}, quota {org.storage_quota // (1024 * 1024)} MiB'


async def _admin_create_user(settings: Settings, email: str, name: str, password: str) -> str:
    from models.accounts.service import sign_up

    database = Database(settings.database_url, settings.sqlite_readers)
    await database.open()
    try:
        # whatever RUBRICA_SIGNUP says: this is how an invite-only install gets its first account
        user = await sign_up(email=email, password=password, name=name, signup_mode='open', client=None,
                             verified=True)  # the operator vouches for the address
    finally:
        await database.close()
    return f'user {user.id} ({user.email}) created'


def _admin_backup_or_restore(command: str, directory: str) -> str:
    """Back up the install the settings name into `directory`, or restore it from there (into an empty one: its
    settings are read without creating anything, not even the secret a server would generate)."""
    from models import backup
    from settings import SECRET_FILE, UPLOADS_DIR, storage_settings

    data_dir, database_url = storage_settings()
    install = backup.Install(data_dir=data_dir, database_url=database_url, uploads_dir=data_dir / UPLOADS_DIR,
                             secret_file=data_dir / SECRET_FILE)
    where = Path(directory).resolve()
    if command == 'backup':
        manifest = asyncio.run(backup.backup(install=install, target=where))
        return f'backup of the {manifest["database"]["kind"]} database and {len(manifest["files"])} files in {where}'
    manifest = asyncio.run(backup.restore(install=install, source=where))
    return (f'restored the backup of {manifest["created_at"]} ({len(manifest["files"])} files) into '
            f'{install.data_dir}')


def _read_password() -> str:
    """From a prompt (asked twice) at a terminal, else the first line of standard input (a script, a pipe)."""
    if sys.stdin.isatty():
        password = getpass.getpass('Password: ')
        if getpass.getpass('Password (again): ') != password:
            raise RubricaError('the two passwords differ')
        return password
    return sys.stdin.readline().rstrip('\r\n')


def admin(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog='python main.py admin', description='Operator commands')
    commands = parser.add_subparsers(dest='command', required=True)
    plan = commands.add_parser('plan', help="set an organization's plan")
    plan.add_argument('org_id', type=int)
    plan.add_argument('plan', choices=['free', 'premium'])
    plan.add_argument('--quota-mb', type=int, default=None, help='quota in MiB (premium default: 10240)')
    create_user = commands.add_parser('create-user', help='create an account, whatever the sign-up mode',
                                      description='The password is asked for at a terminal, else read from the '
                                                  'first line of standard input.')
    create_user.add_argument('email')
    create_user.add_argument('--name', required=True, help="the person's display name")
    for command, help_text in (('backup', 'a consistent snapshot of the database, the uploaded files and the secret '
                                          'into a new or empty directory, while the server runs'),
                               ('restore', 'a backup into an empty data directory and database')):
        commands.add_parser(command, help=help_text).add_argument('directory')
    args = parser.parse_args(argv)
    try:
        if args.command in ('backup', 'restore'):
            print(_admin_backup_or_restore(args.command, args.directory))
        elif args.command == 'create-user':
            password = _read_password()
            print(asyncio.run(_admin_create_user(load_settings(), args.email, args.name, password)))
        else:
            print(asyncio.run(_admin_plan(load_settings(), args.org_id, args.plan, args.quota_mb)))
    except (RubricaError, SettingsError, OSError) as e:  # OSError: a directory the command may not write
        print(f'error: {e}', file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        print('error: no password given', file=sys.stderr)
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
    if argv[1:2] == ['worker']:
        # the import workers' forkserver loads this module again as __mp_main__: it must not become a worker too
        return work(settings) if multiprocessing.current_process().name == 'MainProcess' else 0
    serve(settings)
    return 0


if __name__ in {'__main__', '__mp_main__'}:
    status = main(sys.argv)
    if status:
        sys.exit(status)
