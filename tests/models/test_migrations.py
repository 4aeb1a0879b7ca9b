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
