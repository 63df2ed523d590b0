"""The intake benchmark's peer: django-helpdesk 2.6.1, installed and served at bench time.

`prepare()` installs django-helpdesk into a virtualenv of its own under
var/bench/peer/venv/ from the package index (pinned below; reused while the pins
are unchanged), copies our minimal project (bench/peer_project/) beside it, gives
it a database of its own on the engine Rhythm runs on, with Rhythm's connection
options (SQLite: var/bench/peer/helpdesk.sqlite3; PostgreSQL: BENCH_DATABASE_URL's
database name plus "_helpdesk", dropped and recreated), migrates it and makes a
queue and a staff agent with a DRF token. `Peer.server_command()` serves it with
the same gunicorn options as Rhythm.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from bench.db import VAR_DIR

HELPDESK_VERSION = "2.6.1"
PEER_DIR = VAR_DIR / "peer"
PROJECT_SOURCE = Path(__file__).resolve().parent / "peer_project"
TICKETS_PATH = "/api/tickets/"

# django-helpdesk and what it needs, pinned (the versions pip resolved for 2.6.1).
HELPDESK_REQUIREMENTS = (
    f"django-helpdesk=={HELPDESK_VERSION}",
    "djangorestframework==3.18.3",
    "django-cleanup==9.0.0",
    "django-model-utils==5.0.0",
    "email-reply-parser==0.5.12",
    "Markdown==3.11.3",
    "beautifulsoup4==4.15.0",
    "soupsieve==4.1.3",
    "nh3==0.3.8",
    "oauthlib==4.0.1",
    "requests-oauthlib==2.0.0",
    "requests==2.34.2",
    "certifi==2026.10.19.post1",
    "charset-normalizer==3.5.3",
    "idna==3.20",
    "urllib3==2.8.0",
)
# What both serve on is pinned at Rhythm's own versions: the same framework, server
# and driver under both subjects.
SHARED_WITH_RHYTHM = (
    "Django",
    "asgiref",
    "sqlparse",
    "gunicorn",
    "packaging",
    "psycopg",
    "psycopg-binary",
    "typing_extensions",
)


def requirements() -> list[str]:
    shared = []
    for name in SHARED_WITH_RHYTHM:
        try:
            shared.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return sorted([*HELPDESK_REQUIREMENTS, *shared], key=str.lower)


def ensure_venv(log, root: Path = PEER_DIR) -> Path:
    """The peer's virtualenv, installed once; its Python's path."""
    venv = root / "venv"
    python = venv / "bin" / "python"
    marker = venv / ".bench-requirements"
    wanted = "\n".join(requirements()) + "\n"
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    log(f"peer: installing django-helpdesk {HELPDESK_VERSION} into {venv} (once)")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    with (root / "requirements.txt").open("w") as out:
        out.write(wanted)
    subprocess.run([*pip, "install", "-r", str(root / "requirements.txt")], check=True)
    marker.write_text(wanted)
    return python


def generate_project(dest: Path) -> Path:
    """Our project files, afresh, in dest/peer_project/; returns dest."""
    target = dest / "peer_project"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for source in PROJECT_SOURCE.glob("*.py"):
        shutil.copyfile(source, target / source.name)
    return dest


def database_config(rhythm: dict, *, sqlite_path: Path) -> dict:
    """The peer's database: Rhythm's engine and connection options, its own name."""
    config = {
        key: rhythm[key]
        for key in (
            "ENGINE",
            "OPTIONS",
            "CONN_MAX_AGE",
            "CONN_HEALTH_CHECKS",
            "ATOMIC_REQUESTS",
            "HOST",
            "PORT",
            "USER",
            "PASSWORD",
        )
        if key in rhythm
    }
    if "sqlite" in rhythm["ENGINE"]:
        # Django's own SQLite: the peer has no Rhythm to import the turn-taking from.
        config["ENGINE"] = "django.db.backends.sqlite3"
        config["NAME"] = str(sqlite_path)
    else:
        config["NAME"] = f"{rhythm['NAME']}_helpdesk"
    return config


@dataclass(frozen=True)
class Peer:
    python: Path
    project: Path
    env: dict[str, str]
    token: str
    queue: int

    def server_command(self, gunicorn_options: list[str]) -> list[str]:
        gunicorn = self.python.parent / "gunicorn"
        return [str(gunicorn), "peer_project.wsgi:application", *gunicorn_options]

    def count(self) -> dict[str, int]:
        """Tickets and follow-ups stored, read by the peer itself."""
        return json.loads(self._run("count"))

    def queries(self, body: bytes) -> int:
        """The statements of one ticket create, through Django's test client."""
        answer = json.loads(self._run("queries", self.token, body.decode()))
        if answer["status"] != 201:
            raise RuntimeError(f"helpdesk answered {answer['status']} to a ticket create")
        return answer["queries"]

    def _run(self, command: str, *args: str) -> str:
        done = subprocess.run(
            [str(self.python), "-m", "peer_project.bench", command, *args],
            cwd=self.project,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip().splitlines()[-1]


def peer_env(project: Path, database: dict) -> dict[str, str]:
    """The peer processes' environment: nothing of Rhythm's settings or virtualenv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH", "VIRTUAL_ENV"}
        and not key.startswith("RHYTHM_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="peer_project.settings",
        PYTHONPATH=str(project),
        PEER_DATABASE=json.dumps(database),
        PEER_SECRET_KEY=secrets.token_urlsafe(40),
    )
    return env


def prepare(log) -> Peer:
    """Install (once), generate, create the database, migrate, make queue and agent.

    Called where Django is set up with the bench's settings, so it reads Rhythm's
    database settings."""
    from django.conf import settings

    from bench.db import recreate_postgresql

    python = ensure_venv(log)
    project = generate_project(PEER_DIR / "project")
    database = database_config(
        settings.DATABASES["default"], sqlite_path=PEER_DIR / "helpdesk.sqlite3"
    )
    if database["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database['NAME']}{suffix}").unlink(missing_ok=True)
    else:
        url = urlsplit(os.environ["DATABASE_URL"])
        recreate_postgresql(
            url._replace(path=f"/{database['NAME']}").geturl(),
            marker="bench",
            variable="BENCH_DATABASE_URL",
        )
    env = peer_env(project, database)
    peer = Peer(python=python, project=project, env=env, token="", queue=0)
    made = json.loads(peer._run("setup"))
    return Peer(python=python, project=project, env=env, token=made["token"], queue=made["queue"])
