"""The committed migrations describe the models exactly: a model changed without a migration fails here."""
from __future__ import annotations

import os
from contextlib import asynccontextmanager

from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from models.db import APP_LABEL, app_config, tortoise_config
from tests.helpers import on_postgres


async def test_no_model_change_is_missing_a_migration():
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config('sqlite://:memory:'))
        changes = await MigrationAutodetector(ctx.apps, {APP_LABEL: app_config()}).changes()
    missing = [operation.describe() for writer in changes for operation in writer.operations]
    assert not missing, ('models differ from models/migrations; run '
                         f'`.venv/bin/tortoise -c models.db.TORTOISE_ORM makemigrations`: {missing}')


async def _scratch_database(tmp_path):
    """An empty database of the dialect this run tests, outside the one the tests share: (url, drop)."""
    from urllib.parse import urlsplit, urlunsplit

    if not on_postgres():
        return f'sqlite://{tmp_path / "upgrade.sqlite3"}', None
    import asyncpg

    parts = urlsplit(os.environ['RUBRICA_DATABASE_URL'])
    name = parts.path.lstrip('/') + '_upgrade'
    admin_url = urlunsplit(parts._replace(scheme='postgres', path='/postgres'))

    async def run(statement: str) -> None:
        connection = await asyncpg.connect(admin_url)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()
    await run(f'DROP DATABASE IF EXISTS "{name}"')
    await run(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f'/{name}')), lambda: run(f'DROP DATABASE IF EXISTS "{name}"')


@asynccontextmanager
async def _upgraded_from(tmp_path, migration: str):
    """A scratch database migrated up to `migration`, with one organization (Acme, id 1), as a server that is about
    to be upgraded in place holds it: yields the connection; the block then runs the remaining migrations."""
    from tortoise import connections
    from tortoise.contrib.fastapi import RegisterTortoise
    from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

    url, drop = await _scratch_database(tmp_path)
    orm = RegisterTortoise(config=tortoise_config(url))
    await orm.init_orm()
    try:
        client = connections.get('default')
        await MigrationExecutor(client, {APP_LABEL: app_config()}).migrate([MigrationTarget(APP_LABEL, migration)])
        await client.execute_script("INSERT INTO organizations (name, country, plan, storage_quota, storage_used, "
                                    "created_at) VALUES ('Acme', 'IT', 'free', 1, 0, CURRENT_TIMESTAMP)")
        yield client
    finally:
        await orm.close_orm()
        if drop is not None:
            await drop()


async def test_a_database_with_merge_logs_is_upgraded_and_its_logs_get_the_gate_columns(tmp_path):
    """0010_merge_log_gate on a database that already has merge logs (as a server upgraded in place): the columns
    are added to the existing rows, filled in from each log's snapshots, and their mentions become rows; a creator
    or mentioned user whose account is gone is left out."""
    import json

    from tortoise import connections
    from tortoise.contrib.fastapi import RegisterTortoise
    from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

    from models.db import migrate, tortoise_config

    url, drop = await _scratch_database(tmp_path)
    orm = RegisterTortoise(config=tortoise_config(url))
    await orm.init_orm()
    try:
        client = connections.get('default')
        await MigrationExecutor(client, {APP_LABEL: app_config()}).migrate(
            [MigrationTarget(APP_LABEL, '0009_search_bulk_index')])
        mark = '$1' if client.capabilities.dialect == 'postgres' else '?'
        for email in ('olga@example.com', 'mario@example.com'):
            await client.execute_insert('INSERT INTO users (email, name, password_hash, created_at) '
                                        f"VALUES ({mark}, 'U', 'x', CURRENT_TIMESTAMP)", [email])
        await client.execute_script("INSERT INTO organizations (name, country, plan, storage_quota, storage_used, "
                                    "created_at) VALUES ('Acme', 'IT', 'free', 1, 0, CURRENT_TIMESTAMP)")

        def snapshot(visibility: str, creator: int | None, mentions: list) -> str:
            return json.dumps({'columns': {'visibility': visibility, 'created_by_id': creator, 'version': 1},
                               'mentions': mentions})
        for kept, removed in ((snapshot('public', 1, []), snapshot('private', 2, [1, 99])),
                              (snapshot('private', 99, [2]), snapshot('public', None, []))):
            await client.execute_insert(
                'INSERT INTO merge_logs (org_id, kind, kept_id, removed_id, kept_name, removed_name, kept_before, '
                "removed_before, kept_version, moved, dropped, created_at) VALUES (1, 'contact', 1, 2, 'K', 'R', "
                f"{mark}, {mark.replace('1', '2')}, 2, '{{}}', '{{}}', CURRENT_TIMESTAMP)", [kept, removed])

        await migrate()

        logs = await client.execute_query_dict('SELECT kept_visibility, kept_created_by_id, removed_visibility, '
                                               'removed_created_by_id FROM merge_logs ORDER BY id')
        assert [tuple(log.values()) for log in logs] == [('public', 1, 'private', 2), ('private', None, 'public', None)]
        mentions = await client.execute_query_dict('SELECT log_id, user_id, side FROM merge_log_mentions '
                                                   'ORDER BY log_id, user_id')
        assert [tuple(m.values()) for m in mentions] == [(1, 1, 'removed'), (2, 2, 'kept')]
    finally:
        await orm.close_orm()
        if drop is not None:
            await drop()


async def test_companies_saved_before_0013_get_their_name_key(tmp_path):
    """0013_company_name_keys on a database upgraded in place: a company's sort_name, saved as the plain folded name,
    becomes text.company_name_key, so import, copy and the duplicates scan find "Acme S.r.l." as "ACME srl"."""
    from models.db import migrate

    async with _upgraded_from(tmp_path, '0012_search_word_starts') as client:
        for name, folded in (('Officine Meccaniche Lombarde S.r.l.', 'officine meccaniche lombarde s.r.l.'),
                             ('Rossi', 'rossi')):
            await client.execute_script(
                'INSERT INTO companies (org_id, name, type, description, emails, pec, phones, addresses, vat_number, '
                'visibility, version, created_at, updated_at, sort_name, search_text, sector) VALUES '
                f"(1, '{name}', '', '', '[]', '', '[]', '[]', '', 'public', 1, CURRENT_TIMESTAMP, "
                f"CURRENT_TIMESTAMP, '{folded}', '{folded}', '')")

        await migrate()

        rows = await client.execute_query_dict('SELECT sort_name FROM companies ORDER BY id')
        assert [r['sort_name'] for r in rows] == ['officine meccaniche lombarde', 'rossi']


async def test_kiosk_links_made_before_0014_show_the_default_fields(tmp_path):
    """A link made before links chose their fields no longer shows everything once upgraded: it gets the default
    (name, company, role, sector, work email and phone)."""
    from models.db import migrate
    from models.kiosk.tables import DEFAULT_FIELDS, KioskLink

    async with _upgraded_from(tmp_path, '0013_company_name_keys') as client:
        await client.execute_script("INSERT INTO kiosk_links (org_id, name, token_hash, hint, idle_seconds, "
                                    "frame_origins, created_at) VALUES (1, 'Hall', 'h', 'kiosk_ab', 60, '[]', "
                                    "CURRENT_TIMESTAMP)")
        await migrate()
        assert (await KioskLink.get(name='Hall')).shown_fields == DEFAULT_FIELDS


async def test_companies_saved_before_0020_have_no_sdi_code_nor_register_number(tmp_path):
    """0020_company_local_fields on a database upgraded in place: existing companies get the two columns, empty."""
    from models.db import migrate
    from models.records.tables import Company

    async with _upgraded_from(tmp_path, '0019_outbox_and_password_resets') as client:
        await client.execute_script(
            'INSERT INTO companies (org_id, name, type, description, emails, pec, phones, addresses, vat_number, '
            'visibility, version, created_at, updated_at, sort_name, search_text, sector) VALUES '
            "(1, 'Rossi', '', '', '[]', '', '[]', '[]', '', 'public', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
            "'rossi', 'rossi', '')")
        await migrate()
        company = await Company.get(name='Rossi')
        assert (company.sdi_code, company.registration_number) == ('', '')


async def test_accounts_made_before_0022_count_as_verified(tmp_path):
    """0022_invitation_links_and_verification on a database upgraded in place: the accounts already there count as
    verified (nothing they had is taken back), and the invitations waiting there have no link yet."""
    from models.accounts.tables import User
    from models.db import migrate
    from models.orgs.tables import Invitation

    async with _upgraded_from(tmp_path, '0020_company_local_fields') as client:
        await client.execute_script("INSERT INTO users (email, name, password_hash, time_zone, language, created_at) "
                                    "VALUES ('olga@example.com', 'Olga', 'x', '', '', CURRENT_TIMESTAMP)")
        await client.execute_script("INSERT INTO invitations (org_id, email, role, created_at) "
                                    "VALUES (1, 'carol@example.com', 'member', CURRENT_TIMESTAMP)")
        await migrate()
        assert (await User.get(email='olga@example.com')).email_verified_at is not None
        assert (await Invitation.get(email='carol@example.com')).token_hash is None


async def test_records_saved_before_0031_are_counted_by_type(tmp_path):
    """0031_record_type_counts on a database upgraded in place: the public contacts outside the trash already there
    are counted once by type, and the triggers keep counting from there."""
    from models.db import migrate
    from models.records.tables import RecordTypeCount

    async with _upgraded_from(tmp_path, '0029_import_bulk') as client:
        columns = ('org_id, type, description, emails, pec, phones, addresses, vat_number, visibility, version, '
                   'created_at, updated_at, deleted_at, first_name, last_name, sort_name, search_text, role')
        for record_type, visibility, deleted in (('Client', 'public', 'NULL'), ('Client', 'public', 'NULL'),
                                                 ('', 'public', 'NULL'), ('Lead', 'private', 'NULL'),
                                                 ('Lead', 'public', 'CURRENT_TIMESTAMP')):
            await client.execute_script(
                f"INSERT INTO contacts ({columns}) VALUES (1, '{record_type}', '', '[]', '', '[]', '[]', '', "
                f"'{visibility}', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, {deleted}, 'A', 'B', 'b a', 'a b', '')")
        await migrate()
        counted = {row['type']: row['public'] for row in await RecordTypeCount.filter(
            org_id=1, kind='contact', public__gt=0).values('type', 'public')}
        assert counted == {'Client': 2, '': 1}
        await client.execute_script("UPDATE contacts SET type = 'Lead' WHERE type = ''")
        counted = {row['type']: row['public'] for row in await RecordTypeCount.filter(
            org_id=1, kind='contact', public__gt=0).values('type', 'public')}
        assert counted == {'Client': 2, 'Lead': 1}
