"""The benchmark's own database: never the developer's var/rhythm.sqlite3.

SQLite lives in var/bench/ (RHYTHM_VAR_DIR); PostgreSQL is the database named by
BENCH_DATABASE_URL, which is dropped and created afresh, so its name must say
"bench".
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var" / "bench"
BARE_TABLE = "bench_bare_insert"


def child_env(database_url: str | None) -> dict[str, str]:
    """The environment of every process of one benchmark run on one database."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "RHYTHM_DEBUG"):
        env.pop(name, None)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env["RHYTHM_VAR_DIR"] = str(VAR_DIR)
    env["RHYTHM_LOG_LEVEL"] = "WARNING"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def recreate() -> None:
    """An empty database, before Django connects to it."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            (VAR_DIR / f"rhythm.sqlite3{suffix}").unlink(missing_ok=True)
        return
    recreate_postgresql(url, marker="bench", variable="BENCH_DATABASE_URL")


def recreate_postgresql(url: str, *, marker: str, variable: str) -> None:
    """Drop and create the PostgreSQL database `url` names, refusing one whose name
    does not say `marker` (it is someone's data otherwise)."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    name = config["NAME"]
    if marker not in name:
        sys.exit(
            f"{marker}: {variable} names {name!r}; it is dropped and recreated,"
            f" so its name must say '{marker}'."
        )
    with psycopg.connect(
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def migrate() -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    key = "BIGSERIAL" if connection.vendor == "postgresql" else "INTEGER"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {BARE_TABLE} "
            f"(id {key} PRIMARY KEY, body TEXT NOT NULL, created_at TIMESTAMP NOT NULL)"
        )


def describe() -> str:
    """The database as the table shows it: engine and server version."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def vacuum(tables: list[str]) -> None:
    """Fresh statistics (and, on PostgreSQL, no dead rows) before a timed run."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
