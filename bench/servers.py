"""The servers the HTTP benchmarks drive: gunicorn with `rhythm serve`'s workers and
threads, or with sync workers for the peer; started, waited for, stopped."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.db import ROOT

PEER_SYNC_WORKERS = 2  # one per core, as the first measurement served it


def serve_defaults() -> tuple[int, int]:
    """`rhythm serve`'s workers and threads on this database, for both servers."""
    from rhythm.core.management.commands.serve import defaults

    return defaults()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_options(port: int) -> list[str]:
    workers, threads = serve_defaults()
    return [
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",  # as `rhythm serve` runs it, one thread or more
        "--threads",
        str(threads),
        "--keep-alive",
        "30",
        "--no-control-socket",
        "--log-level",
        "warning",
    ]


def sync_worker_options(port: int) -> list[str]:
    """The peer as Django's deployment guide and gunicorn's defaults serve it: sync
    workers, one request each. On SQLite it beats threads by far, since the peer has no
    turn-taking for the write lock (its threads wait out SQLite's busy timeout); the
    target is measured against the better of the peer's two settings."""
    return [
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(PEER_SYNC_WORKERS),
        "--no-control-socket",
        "--log-level",
        "warning",
    ]


def start_server(port: int) -> subprocess.Popen:
    """Rhythm, with the bare view beside it (bench.settings), in gunicorn."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    return start(
        [gunicorn, "bench.wsgi:application", *gunicorn_options(port)],
        port=port,
        probe="/healthz",
        cwd=ROOT,
        env=os.environ.copy(),
    )


def start(
    command: list[str], *, port: int, probe: str, cwd: Path, env: dict[str, str]
) -> subprocess.Popen:
    """Start a server and wait until GET `probe` answers below 500."""
    return wait_until_up(subprocess.Popen(command, cwd=cwd, env=env), port, probe)


def wait_until_up(server: subprocess.Popen, port: int, probe: str) -> subprocess.Popen:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{server.args[0]} exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", probe)
            if conn.getresponse().status < 500:
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"{server.args[0]} did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
