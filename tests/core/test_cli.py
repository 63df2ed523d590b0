"""The `rhythm` command: tokens, checks, and serve with its worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rhythm.core import rules
from rhythm.core.models import ApiToken
from rhythm.people import services as people_services
from tests.factories import AccountFactory

RHYTHM = Path(sys.executable).with_name("rhythm")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def rhythm(*args: str) -> tuple[str, str]:
    """Run a command in-process, as `rhythm ARGS…` would; return (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def isolated_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A process environment of its own: fresh var dir, default SQLite and queue."""
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return {**environ, "RHYTHM_VAR_DIR": str(tmp_path / "var"), **extra}


# --- rhythm token ---------------------------------------------------------------


def test_token_create_prints_a_token_that_works_against_the_api(cast, client):
    AccountFactory(account_owner=cast.account_owner, csm=cast.csm, name="Northwind Labs")
    out, err = rhythm("token", "create", cast.manager.username, "--name", "laptop")

    plain = out.strip()
    assert plain.startswith(rules.TOKEN_PREFIX)
    assert "\n" not in plain  # stdout is the token alone, ready for $(…)
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (cast.manager, "laptop")
    assert f"Token {token.pk} for {cast.manager.username}" in err
    assert "shown once" in err

    response = client.get("/api/v1/accounts", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["items"][0]["name"] == "Northwind Labs"


def test_token_create_for_an_unknown_username_names_the_field(db):
    with pytest.raises(CommandError, match=r"^username: no team member is called 'nobody'"):
        rhythm("token", "create", "nobody")
    assert not ApiToken.objects.exists()


def test_token_create_refuses_an_archived_member(cast):
    people_services.archive_member(cast.cse)
    with pytest.raises(CommandError, match=r"^username: .* archived"):
        rhythm("token", "create", cast.cse.username)
    assert not ApiToken.objects.exists()


def test_token_revoke_makes_the_token_unusable(cast, client):
    plain = rhythm("token", "create", cast.manager.username)[0].strip()
    token = ApiToken.objects.get()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/accounts", headers=headers).status_code == 200

    out, _ = rhythm("token", "revoke", str(token.pk))

    assert f"Token {token.pk}" in out
    assert "revoked" in out
    token.refresh_from_db()
    assert token.is_revoked
    assert client.get("/api/v1/accounts", headers=headers).status_code == 401


def test_token_revoke_of_an_unknown_id_names_the_field(db):
    with pytest.raises(CommandError, match=r"^token_id: no token has id 9999"):
        rhythm("token", "revoke", "9999")


def test_token_list_never_shows_a_secret(cast):
    plain = rhythm("token", "create", cast.cse.username, "--name", "ci")[0].strip()
    rhythm("token", "revoke", str(ApiToken.objects.get().pk))
    out, _ = rhythm("token", "list")
    assert cast.cse.username in out
    assert "revoked" in out
    assert plain[:12] in out
    assert plain not in out


# --- rhythm check, through the real console script --------------------------------


def console(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`rhythm ARGS` as a shell runs it, in an environment of its own."""
    return subprocess.run(
        [str(RHYTHM), *args],
        env=isolated_environment(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_rhythm_help_lists_rhythms_own_commands(tmp_path):
    result = console(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: rhythm COMMAND")
    for command in ("serve", "worker", "token create", "outbox list", "reconcile-ctas", "demo"):
        assert command in result.stdout
    assert "dbshell" not in result.stdout  # Django's own stay behind `rhythm help --commands`


def test_rhythm_check_passes_on_a_good_configuration(tmp_path):
    result = console(tmp_path, "check")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_rhythm_check_explains_a_bad_redis_url(tmp_path):
    result = console(tmp_path, "check", REDIS_URL="localhost:6379")
    assert result.returncode == 1
    assert "rhythm.E002" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_variable_is_one_line_naming_it_not_a_traceback(tmp_path):
    result = console(tmp_path, "check", RHYTHM_DEBUG="perhaps")
    assert result.returncode == 2
    assert result.stderr.startswith("rhythm: configuration error: RHYTHM_DEBUG must be")
    assert "Traceback" not in result.stderr


# --- rhythm serve --with-worker -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _cmdline(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_text().rstrip("\0").split("\0")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status


@pytest.fixture
def serve(tmp_path):
    """Start `rhythm serve --with-worker` on a free port; yields (process, base url)."""
    if not Path("/proc/self/task").exists():
        pytest.skip("needs /proc to see the server's children")
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(RHYTHM), "serve", "--with-worker", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "1"],
            env=isolated_environment(tmp_path),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        assert process.poll() is None, log.read_text()
        try:
            # Both up: the server answers, and the worker has said it consumes.
            if _get(f"{base}/healthz") == 200 and "Huey consumer started" in log.read_text():
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, f"rhythm serve did not come up:\n{log.read_text()}"
        time.sleep(0.2)
    children = _children(process.pid)
    try:
        yield process, base, log
    finally:
        if process.poll() is None:
            process.kill()
        for pid in children:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        process.wait()


def test_serve_runs_gunicorn_and_a_worker_and_sigterm_stops_both(serve):
    process, base, log = serve
    assert _get(f"{base}/healthz") == 200
    assert _get(f"{base}/login/") == 200
    children = _children(process.pid)
    commands = [_cmdline(pid) for pid in children]
    assert any("gunicorn" in cmd and "--no-control-socket" in cmd for cmd in commands)
    assert any(cmd[-1] == "worker" for cmd in commands)

    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)

    output = log.read_text()
    assert process.returncode == 0, output
    assert not [pid for pid in children if _alive(pid)], "a child outlived rhythm serve"
    assert "Consumer exiting" in output  # the worker stopped gracefully
    assert "Shutting down: Master" in output  # and so did gunicorn


def test_serve_stops_the_server_when_the_worker_dies(serve):
    process, _, log = serve
    children = _children(process.pid)
    (worker,) = (pid for pid in children if _cmdline(pid)[-1] == "worker")
    os.kill(worker, signal.SIGKILL)
    process.wait(timeout=60)

    output = log.read_text()
    assert process.returncode == 1, output
    assert "The worker stopped unexpectedly" in output
    assert not [pid for pid in children if _alive(pid)]
