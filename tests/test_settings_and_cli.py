"""Settings from the environment, the generated secret, and the operator's command line."""
from __future__ import annotations

import stat
import subprocess
import sys

import pytest

from models import accounts
from models.accounts import User
from models.orgs import Organization
from settings import SettingsError, load_settings
from tests.server import ROOT, server_env


def test_defaults_follow_api_md(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    assert settings.data_dir == tmp_path / 'data'
    assert settings.database_url == f'sqlite://{tmp_path / "data" / "rubrica.sqlite3"}'
    assert (settings.host, settings.port, settings.signup) == ('127.0.0.1', 8080, 'open')


def test_the_secret_is_generated_once_and_readable_by_its_owner_only(tmp_path):
    env = {'RUBRICA_DATA_DIR': str(tmp_path)}
    first = load_settings(env).secret
    assert len(first) >= 40
    assert stat.S_IMODE((tmp_path / 'secret').stat().st_mode) == 0o600
    assert load_settings(env).secret == first
    assert load_settings(env | {'RUBRICA_SECRET': 'from the environment'}).secret == 'from the environment'


@pytest.mark.parametrize('name, value', [('RUBRICA_PORT', 'eighty'), ('RUBRICA_PORT', '70000'),
                                         ('RUBRICA_SIGNUP', 'closed')])
def test_bad_settings_are_named(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({'RUBRICA_DATA_DIR': str(tmp_path), name: value})


def _admin(*args: str, stdin: str = '', **settings: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, 'main.py', 'admin', *args], cwd=ROOT, env=server_env(**settings),
                          input=stdin, capture_output=True, text=True, timeout=60)


async def test_admin_plan_sets_plan_and_quota(db, make_org):
    acme = await make_org('Acme')
    await db.close()  # the command opens the database itself

    result = _admin('plan', str(acme.id), 'premium')
    assert result.returncode == 0, result.stderr
    assert 'premium' in result.stdout and '10240 MiB' in result.stdout
    result = _admin('plan', str(acme.id), 'premium', '--quota-mb', '500')
    assert result.returncode == 0 and '500 MiB' in result.stdout

    await db.open()
    stored = await Organization.get(id=acme.id)
    assert (stored.plan, stored.storage_quota) == ('premium', 500 * 1024 * 1024)
    await db.close()
    result = _admin('plan', str(acme.id), 'free')
    assert result.returncode == 0 and '100 MiB' in result.stdout
    await db.open()


def test_admin_plan_refuses_an_unknown_organization():
    result = _admin('plan', '4242', 'premium')
    assert result.returncode != 0
    assert 'organization 4242 not found' in result.stderr
    assert _admin('plan', '1', 'gold').returncode != 0


async def test_admin_create_user_gives_an_invite_only_install_its_first_account(db):
    await db.close()  # the command opens the database itself
    result = _admin('create-user', 'Root@Example.com', '--name', 'Rita Root', stdin='a long password\n',
                    RUBRICA_SIGNUP='invite')
    assert result.returncode == 0, result.stderr
    await db.open()
    created = await User.get(email='root@example.com')
    assert f'user {created.id} (root@example.com) created' in result.stdout
    assert 'a long password' not in result.stdout + result.stderr
    assert created.name == 'Rita Root'
    assert (await accounts.authenticate(email='root@example.com', password='a long password', client=None)).id == \
        created.id
    await db.close()

    refused = {
        'already exists': _admin('create-user', 'root@example.com', '--name', 'Again', stdin='a long password\n'),
        'email': _admin('create-user', 'not an address', '--name', 'Bad', stdin='a long password\n'),
        'password: must be at least 8 characters': _admin('create-user', 'short@example.com', '--name', 'Short',
                                                          stdin='short\n'),
    }
    for message, result in refused.items():
        assert result.returncode != 0 and message in result.stderr, (message, result.stderr)
    await db.open()
    assert await User.all().count() == 1
