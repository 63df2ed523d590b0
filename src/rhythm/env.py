"""Small typed parsers for settings read from the environment.

Each parser names the variable in its error, so a bad deployment fails at start
with a message that says what to fix.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url


class ConfigError(ValueError):
    pass


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_secret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file that NAME_FILE names (Healthchecks' envsecret).

    The file form keeps the secret out of the process environment, as Docker and
    Kubernetes secrets are mounted. Setting both is refused rather than one quietly
    winning: a deployment that sets both has a stale value somewhere.
    """
    file_name = f"{name}_FILE"
    path = os.environ.get(file_name, "").strip()
    if not path:
        return env_str(name, default)
    if os.environ.get(name, "").strip():
        raise ConfigError(f"{name} and {file_name} are both set; set only one of them.")
    try:
        value = Path(path).read_text().strip()
    except OSError as exc:
        raise ConfigError(
            f"{file_name} names {path!r}, which cannot be read: {exc.strerror}."
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file_name} names {path!r}, which is not UTF-8 text.") from exc
    if not value:
        raise ConfigError(f"{file_name} names {path!r}, which is empty.")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer; got {raw!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int_map(
    name: str, default: dict[str, int], keys: frozenset[str] = frozenset()
) -> dict[str, int]:
    """`key=N,key=N` over the defaults; a key given with no number ("key=") drops
    its default. A key that is neither a default's nor one of `keys` is a typo,
    refused by name."""
    known_keys = set(default) | keys
    raw = os.environ.get(name)
    values = dict(default)
    if raw is None or raw.strip() == "":
        return values
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        key, sep, number = (piece.strip() for piece in item.partition("="))
        if not sep or key not in known_keys:
            known = ", ".join(sorted(known_keys))
            raise ConfigError(f"{name}: {item!r} is not key=number with a key of {known}.")
        if not number:
            values.pop(key, None)
            continue
        try:
            values[key] = int(number)
        except ValueError as exc:
            raise ConfigError(f"{name}: {key} must be a whole number; got {number!r}.") from exc
        if values[key] < 0:
            raise ConfigError(f"{name}: {key} must be 0 or more; got {number!r}.")
    return values


SUPPORTED_DATABASE_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}


def env_database(
    name: str, *, conn_max_age: int = 0, password: str = "DATABASE_PASSWORD"
) -> dict[str, Any] | None:
    """A database URL as Django's DATABASES entry, or None when the variable is unset.

    Only the two databases Rhythm is tested on are accepted: any other would fail
    later, while Django loads, with a traceback about a missing driver. The URL's
    password may come from its own variable or file instead (`password`, read by
    env_secret), so the URL itself need not be a secret.
    """
    raw = env_str(name)
    separate_password = env_secret(password)
    if not raw:
        if separate_password:
            raise ConfigError(f"{password} is set but {name} is not; it fills {name}'s password.")
        return None
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(raw, conn_max_age=conn_max_age))
    except ValueError as exc:
        raise ConfigError(
            f"{name} is not a database URL: {exc} "
            "Use postgres://user:password@host:5432/name or sqlite:///path/to/file."
        ) from exc
    if config["ENGINE"] not in SUPPORTED_DATABASE_ENGINES:
        raise ConfigError(
            f"{name} selects {config['ENGINE']!r}; Rhythm runs on PostgreSQL "
            "(postgres://…) and SQLite (sqlite:///…)."
        )
    if not config.get("NAME"):
        raise ConfigError(f"{name} names no database; add it after the last slash.")
    if separate_password:
        if config["ENGINE"] == "django.db.backends.sqlite3":
            raise ConfigError(f"{password} is set but {name} is SQLite, which takes no password.")
        if config.get("PASSWORD"):
            raise ConfigError(f"{name} has a password and {password} is set; set only one of them.")
        # Set on the entry, not spliced into the URL: a password needs no quoting here.
        config["PASSWORD"] = separate_password
    return config


def redis_url_problem(url: str) -> str:
    """What is wrong with a REDIS_URL, or "" when redis-py can use it as given."""
    from redis.connection import parse_url

    try:
        parse_url(url)
    except ValueError as exc:
        return str(exc)
    parts = urlsplit(url)
    if parts.scheme in {"redis", "rediss"}:
        if not parts.hostname:
            return "it names no host"
        # redis-py ignores a database that is not a number; say so instead.
        database = parts.path.strip("/")
        if database and not database.isdigit():
            return f"the database must be a number, as in /0; got /{database}"
    return ""


def secret_key(var_dir: Path) -> str:
    """SECRET_KEY (or SECRET_KEY_FILE) from the environment, else one generated once into var/.

    The generated key survives restarts (sessions and signed links stay valid)
    and never enters the repository, since var/ is ignored.
    """
    from_env = env_secret("SECRET_KEY")
    if from_env:
        return from_env
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        # Written whole to a private file, then linked into place: two processes
        # starting at once agree on the first key, and neither can read a file
        # the other has created but not yet written.
        draft = var_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass  # another process won; use its key
        finally:
            draft.unlink()
    key = key_file.read_text().strip()
    if not key:
        raise ConfigError(f"SECRET_KEY: {key_file} is empty; delete it or set SECRET_KEY.")
    return key
