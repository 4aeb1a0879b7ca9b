"""Settings from the environment, and the generated secret. (The operator's command line: test_main.py.)"""
from __future__ import annotations

import stat

import pytest

from settings import SettingsError, load_settings


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
