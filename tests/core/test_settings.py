"""Settings from the environment, and the system checks that explain a bad one."""

from __future__ import annotations

import importlib.util
import itertools
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

import rhythm.settings
from rhythm import env
from rhythm.env import ConfigError

SETTINGS_FILE = Path(rhythm.settings.__file__)
# Every variable the settings read that a developer's shell or CI might carry.
DEPLOYMENT_VARIABLES = [
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "DATABASE_PASSWORD",
    "DATABASE_PASSWORD_FILE",
    "EMAIL_HOST",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_HOST_PASSWORD_FILE",
    "EMAIL_BACKEND",
    "RHYTHM_DEBUG",
    "RHYTHM_QUEUE_NAME",
    "ALLOWED_HOSTS",
    "RHYTHM_DATABASE_PREPARED",
]
_fresh = itertools.count()


@pytest.fixture
def load_settings(monkeypatch, tmp_path):
    """load_settings(VAR=value, …) -> the settings module, executed afresh in that environment.

    A private copy: Django's own settings, already configured, stay untouched.
    """

    def load(**environ: str):
        for name in DEPLOYMENT_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("RHYTHM_VAR_DIR", str(tmp_path / "var"))
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        spec = importlib.util.spec_from_file_location(
            f"rhythm_settings_{next(_fresh)}", SETTINGS_FILE
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


# --- parsers ------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", " yes ", "on"])
def test_booleans_read_true(monkeypatch, raw):
    monkeypatch.setenv("RHYTHM_FLAG", raw)
    assert env.env_bool("RHYTHM_FLAG", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off"])
def test_booleans_read_false(monkeypatch, raw):
    monkeypatch.setenv("RHYTHM_FLAG", raw)
    assert env.env_bool("RHYTHM_FLAG", True) is False


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_an_unset_or_blank_boolean_takes_its_default(monkeypatch, raw):
    monkeypatch.delenv("RHYTHM_FLAG", raising=False)
    if raw is not None:
        monkeypatch.setenv("RHYTHM_FLAG", raw)
    assert env.env_bool("RHYTHM_FLAG", True) is True
    assert env.env_bool("RHYTHM_FLAG", False) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "y", "enabled"])
def test_a_bad_boolean_names_its_variable(monkeypatch, raw):
    monkeypatch.setenv("RHYTHM_FLAG", raw)
    with pytest.raises(ConfigError, match=r"^RHYTHM_FLAG must be one of .*got '"):
        env.env_bool("RHYTHM_FLAG")


def test_integers(monkeypatch):
    monkeypatch.setenv("RHYTHM_NUMBER", " 42 ")
    assert env.env_int("RHYTHM_NUMBER", 7) == 42
    monkeypatch.setenv("RHYTHM_NUMBER", "")
    assert env.env_int("RHYTHM_NUMBER", 7) == 7
    monkeypatch.delenv("RHYTHM_NUMBER")
    assert env.env_int("RHYTHM_NUMBER", 7) == 7


@pytest.mark.parametrize("raw", ["forty", "4.5", "1e3", "0x10"])
def test_a_bad_integer_names_its_variable(monkeypatch, raw):
    monkeypatch.setenv("RHYTHM_NUMBER", raw)
    with pytest.raises(ConfigError, match=rf"^RHYTHM_NUMBER must be an integer; got '{raw}'"):
        env.env_int("RHYTHM_NUMBER", 7)


def test_lists_and_strings(monkeypatch):
    monkeypatch.setenv("RHYTHM_ITEMS", " a.example , b.example,, ")
    assert env.env_list("RHYTHM_ITEMS", ["x"]) == ["a.example", "b.example"]
    monkeypatch.setenv("RHYTHM_ITEMS", " ")
    assert env.env_list("RHYTHM_ITEMS", ["x"]) == ["x"]
    monkeypatch.setenv("RHYTHM_TEXT", "  padded  ")
    assert env.env_str("RHYTHM_TEXT") == "padded"
    monkeypatch.delenv("RHYTHM_TEXT")
    assert env.env_str("RHYTHM_TEXT", "fallback") == "fallback"


NORMS = {"cta.open": 1, "request.review": 2}


def test_a_map_of_whole_numbers_overrides_its_defaults_key_by_key(monkeypatch):
    monkeypatch.delenv("RHYTHM_NORMS", raising=False)
    assert env.env_int_map("RHYTHM_NORMS", NORMS) == NORMS
    monkeypatch.setenv("RHYTHM_NORMS", " request.review = 5 ,, cta.open=, request.started=20")
    parsed = env.env_int_map("RHYTHM_NORMS", NORMS, keys=frozenset({"request.started"}))
    # "cta.open=" drops that norm: a state without one never ages by time.
    assert parsed == {"request.review": 5, "request.started": 20}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("request.reveiw=5", r"'request.reveiw=5' is not key=number with a key of cta.open, "),
        ("request.review", r"'request.review' is not key=number"),
        ("request.review=two", r"request.review must be a whole number; got 'two'"),
        ("request.review=-1", r"request.review must be 0 or more; got '-1'"),
    ],
)
def test_a_bad_map_names_its_variable_and_the_key(monkeypatch, raw, message):
    monkeypatch.setenv("RHYTHM_NORMS", raw)
    with pytest.raises(ConfigError, match=rf"^RHYTHM_NORMS: {message}"):
        env.env_int_map("RHYTHM_NORMS", NORMS)


def test_the_aging_norms_come_from_the_environment(load_settings):
    loaded = load_settings(RHYTHM_AGING_NORMS="request.review=4")
    assert loaded.RHYTHM_AGING_NORMS["request.review"] == 4
    assert loaded.RHYTHM_AGING_NORMS["cta.open"] == 1
    with pytest.raises(ConfigError, match="RHYTHM_AGING_NORMS"):
        load_settings(RHYTHM_AGING_NORMS="review=4")


def test_a_bad_setting_stops_the_settings_with_its_name(load_settings):
    with pytest.raises(ConfigError, match="RHYTHM_DEBUG"):
        load_settings(RHYTHM_DEBUG="sometimes")
    with pytest.raises(ConfigError, match="EMAIL_PORT"):
        load_settings(EMAIL_HOST="smtp.example", EMAIL_PORT="smtp")


# --- SECRET_KEY ---------------------------------------------------------------


def test_secret_key_is_generated_once_into_the_var_dir_and_reused(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    var = tmp_path / "var"
    first = env.secret_key(var)
    key_file = var / "secret_key"
    assert len(first) >= 50
    assert key_file.read_text() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # readable by its owner only
    assert env.secret_key(var) == first
    assert [p.name for p in var.iterdir()] == ["secret_key"]  # no drafts left behind
    assert env.secret_key(tmp_path / "elsewhere") != first  # random, not derived


def test_secret_key_from_the_environment_wins_and_writes_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert env.secret_key(tmp_path) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_an_empty_key_file_is_a_config_error(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("\n")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        env.secret_key(tmp_path)


def test_settings_keep_their_generated_key_across_starts(load_settings, tmp_path):
    first = load_settings()
    again = load_settings()
    assert first.SECRET_KEY == again.SECRET_KEY
    assert (tmp_path / "var" / "secret_key").read_text() == first.SECRET_KEY


# --- secrets from files ---------------------------------------------------------


def test_a_secret_comes_from_its_variable_or_from_the_file_its_file_variable_names(
    monkeypatch, tmp_path
):
    monkeypatch.delenv("RHYTHM_TOKEN_FILE", raising=False)
    monkeypatch.setenv("RHYTHM_TOKEN", "from-the-variable")
    assert env.env_secret("RHYTHM_TOKEN") == "from-the-variable"
    monkeypatch.delenv("RHYTHM_TOKEN")
    assert env.env_secret("RHYTHM_TOKEN", "fallback") == "fallback"
    secret = tmp_path / "token"
    secret.write_text("from-the-file\n")  # as `echo` and most editors write it
    monkeypatch.setenv("RHYTHM_TOKEN_FILE", str(secret))
    assert env.env_secret("RHYTHM_TOKEN") == "from-the-file"


def test_a_secret_set_both_ways_is_a_config_error_naming_both(monkeypatch, tmp_path):
    secret = tmp_path / "token"
    secret.write_text("from-the-file")
    monkeypatch.setenv("RHYTHM_TOKEN", "from-the-variable")
    monkeypatch.setenv("RHYTHM_TOKEN_FILE", str(secret))
    with pytest.raises(ConfigError, match="^RHYTHM_TOKEN and RHYTHM_TOKEN_FILE are both set"):
        env.env_secret("RHYTHM_TOKEN")


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda path: None, "cannot be read"),  # missing
        (lambda path: path.mkdir(), "cannot be read"),  # a directory
        (lambda path: path.write_text(" \n"), "is empty"),
        (lambda path: path.write_bytes(b"\xff\xfe"), "not UTF-8"),
    ],
)
def test_a_secret_file_that_cannot_be_used_is_a_config_error_naming_its_variable(
    monkeypatch, tmp_path, make, problem
):
    path = tmp_path / "token"
    make(path)
    monkeypatch.delenv("RHYTHM_TOKEN", raising=False)
    monkeypatch.setenv("RHYTHM_TOKEN_FILE", str(path))
    with pytest.raises(ConfigError, match=f"^RHYTHM_TOKEN_FILE names '{path}', which .*{problem}"):
        env.env_secret("RHYTHM_TOKEN")


def test_settings_read_the_secret_key_from_a_file_and_generate_none(load_settings, tmp_path):
    key = tmp_path / "secret_key.txt"
    key.write_text("key-from-a-mounted-secret\n")
    settings = load_settings(SECRET_KEY_FILE=str(key))
    assert settings.SECRET_KEY == "key-from-a-mounted-secret"
    assert not (tmp_path / "var" / "secret_key").exists()


def test_settings_read_the_smtp_password_from_a_file(load_settings, tmp_path):
    password = tmp_path / "smtp"
    password.write_text("smtp-secret\n")
    settings = load_settings(EMAIL_HOST="smtp.example", EMAIL_HOST_PASSWORD_FILE=str(password))
    assert settings.EMAIL_HOST_PASSWORD == "smtp-secret"


@pytest.mark.parametrize("variable", ["SECRET_KEY_FILE", "EMAIL_HOST_PASSWORD_FILE"])
def test_settings_stop_at_start_on_a_missing_secret_file_naming_its_variable(
    load_settings, tmp_path, variable
):
    with pytest.raises(ConfigError, match=f"^{variable} names .*cannot be read"):
        load_settings(EMAIL_HOST="smtp.example", **{variable: str(tmp_path / "missing")})


def test_settings_refuse_a_secret_key_set_both_ways(load_settings, tmp_path):
    key = tmp_path / "secret_key.txt"
    key.write_text("from-the-file")
    with pytest.raises(ConfigError, match="^SECRET_KEY and SECRET_KEY_FILE are both set"):
        load_settings(SECRET_KEY="from-the-variable", SECRET_KEY_FILE=str(key))


def test_the_database_password_file_fills_the_password_of_database_url(load_settings, tmp_path):
    password = tmp_path / "db"
    password.write_text("p@ss:w/rd#1\n")  # characters a URL would need quoted
    settings = load_settings(
        DATABASE_URL="postgres://rhythm@db.example:5432/rhythm",
        DATABASE_PASSWORD_FILE=str(password),
    )
    db = settings.DATABASES["default"]
    assert (db["USER"], db["PASSWORD"], db["HOST"]) == ("rhythm", "p@ss:w/rd#1", "db.example")
    plain = load_settings(
        DATABASE_URL="postgres://rhythm@db.example:5432/rhythm", DATABASE_PASSWORD="plain"
    )
    assert plain.DATABASES["default"]["PASSWORD"] == "plain"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgres://rhythm:secret@db.example:5432/rhythm", "has a password and DATABASE_PASSWORD"),
        ("sqlite:///var/other.sqlite3", "SQLite, which takes no password"),
        ("", "DATABASE_URL is not"),
    ],
)
def test_a_database_password_with_nowhere_to_go_is_a_config_error(
    load_settings, tmp_path, url, problem
):
    password = tmp_path / "db"
    password.write_text("secret")
    environ = {"DATABASE_PASSWORD_FILE": str(password)}
    if url:
        environ["DATABASE_URL"] = url
    with pytest.raises(ConfigError, match=problem):
        load_settings(**environ)


def test_a_missing_database_password_file_names_its_variable(load_settings, tmp_path):
    with pytest.raises(ConfigError, match="^DATABASE_PASSWORD_FILE names .*cannot be read"):
        load_settings(
            DATABASE_URL="postgres://rhythm@db.example:5432/rhythm",
            DATABASE_PASSWORD_FILE=str(tmp_path / "missing"),
        )


# --- databases, queue, email ----------------------------------------------------


def test_by_default_sqlite_in_wal_mode_under_var(load_settings, tmp_path):
    settings = load_settings()
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "rhythm.core.sqlite"  # Django's, its writers taking turns
    assert db["NAME"] == str(tmp_path / "var" / "rhythm.sqlite3")
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert db["OPTIONS"]["timeout"] > 0


def test_database_url_selects_postgresql(load_settings):
    settings = load_settings(DATABASE_URL="postgres://rhythm:secret@db.example:5432/rhythm")
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == (
        "db.example",
        5432,
        "rhythm",
        "rhythm",
    )
    assert "OPTIONS" not in db or "init_command" not in db["OPTIONS"]


def test_postgresql_binds_parameters_on_the_server_unless_a_pooler_forbids_it(load_settings):
    url = "postgres://rhythm@db.example:5432/rhythm"
    assert load_settings(DATABASE_URL=url).DATABASES["default"]["OPTIONS"] == {
        "server_side_binding": True
    }
    pooled = load_settings(DATABASE_URL=url, RHYTHM_DATABASE_PREPARED="0")
    assert pooled.DATABASES["default"]["OPTIONS"]["server_side_binding"] is False
    assert "server_side_binding" not in load_settings().DATABASES["default"]["OPTIONS"]


def test_a_sqlite_database_url_gets_the_same_wal_setup(load_settings, tmp_path):
    settings = load_settings(DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite3")
    db = settings.DATABASES["default"]
    assert db["NAME"] == f"{tmp_path}/other.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize(
    "url",
    ["not a url", "mysql://root@db.example/rhythm", "postgres://db.example:port/rhythm"],
)
def test_a_bad_database_url_is_a_config_error_naming_it(load_settings, url):
    with pytest.raises(ConfigError, match="^DATABASE_URL"):
        load_settings(DATABASE_URL=url)


def test_the_queue_is_a_sqlite_file_under_var_by_default(load_settings, tmp_path):
    huey = load_settings().HUEY
    assert huey["huey_class"] == "huey.SqliteHuey"
    assert huey["filename"] == str(tmp_path / "var" / "queue.sqlite3")
    assert huey["immediate"] is False
    assert huey["results"] is False


def test_redis_url_moves_the_queue_to_redis(load_settings):
    huey = load_settings(
        REDIS_URL="redis://cache.example:6379/3", RHYTHM_QUEUE_NAME="rhythm-eu"
    ).HUEY
    assert huey["huey_class"] == "huey.RedisHuey"
    assert huey["url"] == "redis://cache.example:6379/3"
    assert huey["name"] == "rhythm-eu"
    assert huey["immediate"] is False


def test_a_bad_redis_url_still_lets_django_start_so_the_check_can_explain(load_settings):
    settings = load_settings(REDIS_URL="cache.example:6379")
    assert settings.REDIS_URL_PROBLEM
    assert settings.HUEY["huey_class"] == "huey.MemoryHuey"


def test_email_goes_to_files_under_var_by_default_and_smtp_by_env(load_settings, tmp_path):
    default = load_settings()
    assert default.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend"
    assert tmp_path / "var" / "sent-mail" == default.EMAIL_FILE_PATH
    smtp = load_settings(EMAIL_HOST="smtp.example", EMAIL_PORT="2525", EMAIL_USE_TLS="off")
    assert smtp.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    assert (smtp.EMAIL_PORT, smtp.EMAIL_USE_TLS) == (2525, False)
    assert smtp.EMAIL_TIMEOUT > 0  # a hung SMTP server must not hold a claim forever


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("redis://127.0.0.1:6379/15", ""),
        ("rediss://user:secret@cache.example:6380/0", ""),
        ("unix:///run/redis.sock", ""),
        ("http://cache.example", "schemes"),
        ("cache.example:6379", "schemes"),
        ("redis://cache.example:port", "Port"),
        ("redis://cache.example/queue", "database must be a number"),
        ("redis://", "no host"),
    ],
)
def test_redis_url_problems(url, problem):
    found = env.redis_url_problem(url)
    assert (found == "") if not problem else (problem in found)


# --- system checks ------------------------------------------------------------


def _check_ids(**check_options) -> str:
    try:
        call_command("check", **check_options)
    except SystemCheckError as exc:
        return str(exc)
    return ""


def test_check_passes_on_a_good_configuration(capsys):
    call_command("check")
    assert "System check identified no issues" in capsys.readouterr().out


@pytest.mark.parametrize("url", ["http://cache.example:6379", "redis://cache.example:port"])
def test_check_reports_a_bad_redis_url(settings, url):
    settings.REDIS_URL = url
    report = _check_ids()
    assert "rhythm.E002" in report
    assert "REDIS_URL" in report


def test_check_reports_missing_front_end_packages(settings, tmp_path):
    settings.NODE_MODULES = tmp_path / "node_modules"
    report = _check_ids()
    assert "rhythm.E004" in report
    assert "npm ci" in report


def test_check_reports_an_unsupported_database(monkeypatch):
    from rhythm.core import checks

    # Not through Django's settings: the test database's connection reads them too.
    oracle = SimpleNamespace(DATABASES={"default": {"ENGINE": "django.db.backends.oracle"}})
    monkeypatch.setattr(checks, "settings", oracle)
    assert [m.id for m in checks.check_database_url(None)] == ["rhythm.E001"]


def test_check_reports_smtp_without_a_sender(settings):
    from rhythm.core import checks

    settings.EMAIL_HOST = "smtp.example"
    settings.DEFAULT_FROM_EMAIL = ""
    assert [m.id for m in checks.check_email(None)] == ["rhythm.E003"]


def test_check_warns_when_the_queue_runs_in_immediate_mode(settings):
    from rhythm.core import checks

    settings.HUEY = {**settings.HUEY, "immediate": True}
    assert "rhythm.W001" in [m.id for m in checks.check_queue(None)]


def test_deploy_check_warns_about_debug_and_plain_http_cookies(settings):
    from rhythm.core import checks

    settings.DEBUG = True
    settings.SESSION_COOKIE_SECURE = False
    assert [m.id for m in checks.check_production_secrets(None)] == ["rhythm.W002", "rhythm.W003"]


# --- request size ---------------------------------------------------------------


def test_an_oversized_body_is_refused_with_413_before_anything_reads_it(client, settings):
    response = client.post(
        "/login/",
        data=b"x" * 16,
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "body"
