"""Settings from the environment, and the generated secret. (The operator's command line: test_main.py.)"""
from __future__ import annotations

import stat

import pytest

from models.mail.smtp import SmtpServer
from settings import SettingsError, load_settings


def test_defaults_follow_api_md(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    assert settings.data_dir == tmp_path / 'data'
    assert settings.database_url == f'sqlite://{tmp_path / "data" / "rubrica.sqlite3"}'
    assert (settings.host, settings.port, settings.signup) == ('127.0.0.1', 8080, 'open')
    assert settings.trash_days == 30


def test_the_trash_keeps_records_the_days_set(tmp_path):
    assert load_settings({'RUBRICA_DATA_DIR': str(tmp_path), 'RUBRICA_TRASH_DAYS': '7'}).trash_days == 7


def test_log_format_and_metrics_token(tmp_path):
    env = {'RUBRICA_DATA_DIR': str(tmp_path)}
    assert (load_settings(env).log_format, load_settings(env).metrics_token) == ('text', '')
    chosen = load_settings(env | {'RUBRICA_LOG_FORMAT': 'JSON', 'RUBRICA_METRICS_TOKEN': ' a-token-of-20-chars '})
    assert (chosen.log_format, chosen.metrics_token) == ('json', 'a-token-of-20-chars')


def test_jobs_run_inside_the_server_on_sqlite_and_in_workers_on_postgresql(tmp_path):
    env = {'RUBRICA_DATA_DIR': str(tmp_path)}
    assert load_settings(env).jobs == 'inside'
    postgres = env | {'RUBRICA_DATABASE_URL': 'postgres://rubrica@db.example.com/rubrica'}
    assert load_settings(postgres).jobs == 'workers'
    assert load_settings(postgres | {'RUBRICA_JOBS': 'Inside'}).jobs == 'inside'


def test_where_the_data_lives_is_read_without_creating_anything(tmp_path):
    from settings import storage_settings

    data_dir, database_url = storage_settings({'RUBRICA_DATA_DIR': str(tmp_path / 'new')})
    assert (data_dir, database_url) == (tmp_path / 'new', f'sqlite://{tmp_path / "new" / "rubrica.sqlite3"}')
    assert not (tmp_path / 'new').exists()


def test_the_secret_is_generated_once_and_readable_by_its_owner_only(tmp_path):
    env = {'RUBRICA_DATA_DIR': str(tmp_path)}
    first = load_settings(env).secret
    assert len(first) >= 40
    assert stat.S_IMODE((tmp_path / 'secret').stat().st_mode) == 0o600
    assert load_settings(env).secret == first
    assert load_settings(env | {'RUBRICA_SECRET': 'from the environment'}).secret == 'from the environment'


@pytest.mark.parametrize('name, value', [('RUBRICA_PORT', 'eighty'), ('RUBRICA_PORT', '70000'),
                                         ('RUBRICA_SIGNUP', 'closed'), ('RUBRICA_TRASH_DAYS', '0'),
                                         ('RUBRICA_TRASH_DAYS', 'a month'), ('RUBRICA_TRASH_DAYS', '-1'),
                                         ('RUBRICA_LOG_FORMAT', 'xml'), ('RUBRICA_METRICS_TOKEN', 'short'),
                                         ('RUBRICA_METRICS_TOKEN', 'long enough but with spaces'),
                                         ('RUBRICA_JOBS', 'threads'), ('RUBRICA_JOBS', 'workers')])
def test_bad_settings_are_named(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({'RUBRICA_DATA_DIR': str(tmp_path), name: value})


@pytest.mark.parametrize('url, server', [
    ('smtp://mailer:p%40ss%2Fword@mail.example.com:2525',
     SmtpServer('mail.example.com', 2525, 'mailer', 'p@ss/word', implicit_tls=False, starttls=False)),
    ('smtps://mail.example.com', SmtpServer('mail.example.com', 465, implicit_tls=True)),
    ('smtp://mail.example.com?starttls=1', SmtpServer('mail.example.com', 587, starttls=True)),
    ('smtp://mail.example.com:25?starttls=0', SmtpServer('mail.example.com', 25)),
])
def test_the_smtp_url_says_where_and_how_mail_goes(tmp_path, url, server):
    settings = load_settings({'RUBRICA_DATA_DIR': str(tmp_path), 'RUBRICA_SMTP_URL': url,
                              'RUBRICA_MAIL_FROM': 'Rubrica <rubrica@example.com>'})
    assert settings.smtp == server
    assert settings.mail_from == 'Rubrica <rubrica@example.com>'


def test_without_an_smtp_url_no_mail_is_sent(tmp_path):
    assert load_settings({'RUBRICA_DATA_DIR': str(tmp_path)}).smtp is None


@pytest.mark.parametrize('url, problem', [
    ('http://mailer:hunter22@mail.example.com', 'smtp:// or smtps://'),
    ('smtp://mailer:hunter22@:25', 'no host'),
    ('smtp://mailer:hunter22@mail.example.com:port', 'port'),
    ('smtp://mailer:hunter22@mail.example.com:70000', 'port'),
    ('smtp://mailer:hunter/22@mail.example.com', 'port'),  # an unescaped / in the password
    ('smtp://mailer:hunter22@mail.example.com?tls=1', "unknown option 'tls'"),
    ('smtp://mailer:hunter22@mail.example.com?starttls=maybe', 'starttls must be 1 or 0'),
    ('smtps://mailer:hunter22@mail.example.com?starttls=1', 'TLS from the start'),
])
def test_a_bad_smtp_url_is_named_without_its_password(tmp_path, url, problem):
    with pytest.raises(SettingsError, match='RUBRICA_SMTP_URL') as refused:
        load_settings({'RUBRICA_DATA_DIR': str(tmp_path), 'RUBRICA_SMTP_URL': url,
                       'RUBRICA_MAIL_FROM': 'rubrica@example.com'})
    assert problem in str(refused.value)
    assert 'hunter' not in str(refused.value)


@pytest.mark.parametrize('mail_from', ['', 'rubrica', 'Rubrica <>'])
def test_mail_needs_a_from_address(tmp_path, mail_from):
    with pytest.raises(SettingsError, match='RUBRICA_MAIL_FROM'):
        load_settings({'RUBRICA_DATA_DIR': str(tmp_path), 'RUBRICA_SMTP_URL': 'smtp://mail.example.com',
                       'RUBRICA_MAIL_FROM': mail_from})


def test_the_smtp_password_is_never_shown(tmp_path):
    settings = load_settings({'RUBRICA_DATA_DIR': str(tmp_path), 'RUBRICA_MAIL_FROM': 'rubrica@example.com',
                              'RUBRICA_SMTP_URL': 'smtp://mailer:hunter22@mail.example.com'})
    assert settings.smtp.password == 'hunter22'
    assert 'hunter22' not in repr(settings.smtp) and 'hunter22' not in repr(settings)


def test_redis_is_off_by_default_and_its_url_is_kept_out_of_the_settings_repr(tmp_path):
    env = {'RUBRICA_DATA_DIR': str(tmp_path)}
    assert (load_settings(env).redis_url, load_settings(env).redis_prefix) == ('', 'rubrica:')
    chosen = load_settings(env | {'RUBRICA_REDIS_URL': ' rediss://app:s3cret@cache.example.com:6380/2 ',
                                  'RUBRICA_REDIS_PREFIX': 'crm-eu:'})
    assert (chosen.redis_url, chosen.redis_prefix) == ('rediss://app:s3cret@cache.example.com:6380/2', 'crm-eu:')
    assert 's3cret' not in repr(chosen)


@pytest.mark.parametrize('url, problem', [
    ('http://cache.example.com', 'must start with redis:// or rediss://'),
    ('redis://:s3cret@', 'names no host'),
    ('redis://:s3cret/x@cache.example.com', 'names no host'),  # a / in the password, not written %2F
    ('redis://:s3cret@cache.example.com:99999', 'the port must be a number'),
    ('redis://:s3cret@cache.example.com/first', 'the database after the host must be a number'),
    ('redis://:s3cret@cache.example.com?colour=red', "unknown option 'colour'"),
    ('redis://:s3cret@cache.example.com?socket_timeout=soon', 'socket_timeout'),
])
def test_a_bad_redis_url_is_named_without_its_password(tmp_path, url, problem):
    with pytest.raises(SettingsError, match='RUBRICA_REDIS_URL') as refused:
        load_settings({'RUBRICA_DATA_DIR': str(tmp_path), 'RUBRICA_REDIS_URL': url})
    assert problem in str(refused.value) and 's3cret' not in str(refused.value)


@pytest.mark.parametrize('prefix', ['with space:', 'x' * 101, 'préfixe:'])
def test_a_bad_redis_prefix_is_named(tmp_path, prefix):
    with pytest.raises(SettingsError, match='RUBRICA_REDIS_PREFIX'):
        load_settings({'RUBRICA_DATA_DIR': str(tmp_path), 'RUBRICA_REDIS_PREFIX': prefix})


def test_sqlite_readers(tmp_path):
    env = {'RUBRICA_DATA_DIR': str(tmp_path)}
    assert load_settings(env).sqlite_readers == 4
    assert load_settings(env | {'RUBRICA_SQLITE_READERS': '0'}).sqlite_readers == 0
    assert load_settings(env | {'RUBRICA_SQLITE_READERS': ' 2 '}).sqlite_readers == 2
    for wrong in ('-1', 'two', '33', '1.5'):
        with pytest.raises(SettingsError, match='RUBRICA_SQLITE_READERS'):
            load_settings(env | {'RUBRICA_SQLITE_READERS': wrong})
