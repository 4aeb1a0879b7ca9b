"""The committed migrations describe the models exactly: a model changed without a migration fails here."""
from __future__ import annotations

from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from models.db import APP_LABEL, app_config, tortoise_config


async def test_no_model_change_is_missing_a_migration():
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config('sqlite://:memory:'))
        changes = await MigrationAutodetector(ctx.apps, {APP_LABEL: app_config()}).changes()
    missing = [operation.describe() for writer in changes for operation in writer.operations]
    assert not missing, ('models differ from models/migrations; run '
                         f'`.venv/bin/tortoise -c models.db.TORTOISE_ORM makemigrations`: {missing}')



async def test_merge_logs_written_before_the_gate_columns_get_them_from_their_snapshots(db):
    """0010_merge_log_gate fills in the visibility, creators and mentions of the logs already there from their
    snapshots. (Its backfill is run on a log whose gate columns are reset to what AddField leaves: rolling the
    schema back first is not reliable with Tortoise's SQLite table rebuilds.)"""
    import importlib
    from types import SimpleNamespace

    from tortoise import connections

    from models import records
    from models.duplicates import MergeLog, MergeLogMention, merge
    from models.orgs import Membership
    from models.records import CONTACT
    from tests.helpers import add_member, make_org, make_user

    owner, mario = await make_user(name='Olga Owner'), await make_user(name='Mario Member')
    org = await make_org(owner)
    await add_member(org, mario, 'member')
    as_mario = await Membership.get(user_id=mario.id, org_id=org.org_id).select_related('org')
    kept = await records.create_record(CONTACT, org, {'last_name': 'Neri'})
    removed = await records.create_record(CONTACT, as_mario, {
        'last_name': 'Neri', 'visibility': 'private', 'description': f'@[Olga Owner](user:{owner.id})'})
    log_id = (await merge(CONTACT, as_mario, kept.id, removed.id)).log.id
    gone = await make_user()
    await MergeLog.filter(id=log_id).update(kept_visibility='private', kept_created_by_id=None,
                                            removed_visibility='private', removed_created_by_id=None)
    await MergeLogMention.filter(log_id=log_id).delete()
    before = (await MergeLog.get(id=log_id)).removed_before
    before['mentions'].append(gone.id)  # a mentioned user whose account was deleted since is left out
    await MergeLog.filter(id=log_id).update(removed_before=before)
    await gone.delete()

    migration = importlib.import_module('models.migrations.0010_merge_log_gate')
    await migration.backfill(None, SimpleNamespace(client=connections.get('default')))

    log = await MergeLog.get(id=log_id)
    assert (log.kept_visibility, log.kept_created_by_id, log.removed_visibility, log.removed_created_by_id) == (
        'public', owner.id, 'private', mario.id)
    assert await MergeLogMention.filter(log_id=log_id).values_list('side', 'user_id') == [('removed', owner.id)]
