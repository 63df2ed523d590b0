"""The intake benchmark's own parts, fast: the peer project it generates, the wrk
client's counting, and the table and target it prints. The benchmark itself (the
peer's install, the servers, the rounds) is `make bench`'s, never make test's."""

from __future__ import annotations

import json
import shutil
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata

import pytest
from bench import intake, peer
from bench.__main__ import print_subjects, print_table
from django.conf import Settings, settings


def test_the_generated_project_has_valid_settings_for_helpdesks_api_on_the_given_database(
    tmp_path, monkeypatch
):
    project = peer.generate_project(tmp_path)
    database = peer.database_config(
        settings.DATABASES["default"], sqlite_path=tmp_path / "helpdesk.sqlite3"
    )
    monkeypatch.setenv("PEER_DATABASE", json.dumps(database))
    monkeypatch.setenv("PEER_SECRET_KEY", "a-key-for-this-test")
    monkeypatch.syspath_prepend(str(project))
    for name in ("peer_project", "peer_project.settings"):
        monkeypatch.delitem(sys.modules, name, raising=False)

    # Django's own loader reads it as it will in the peer's processes.
    loaded = Settings("peer_project.settings")

    assert "helpdesk" in loaded.INSTALLED_APPS
    assert "rest_framework.authtoken" in loaded.INSTALLED_APPS
    assert loaded.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] == [
        "rest_framework.authentication.TokenAuthentication"
    ]
    assert loaded.HELPDESK_TEAMS_MODE_ENABLED is False  # pinax-teams is not installed
    assert loaded.DEBUG is False
    assert loaded.ROOT_URLCONF == "peer_project.urls"
    assert loaded.DATABASES["default"] == database
    for name in ("urls", "wsgi", "bench"):
        compile((project / "peer_project" / f"{name}.py").read_text(), name, "exec")
    monkeypatch.delitem(sys.modules, "peer_project.settings", raising=False)


def test_the_peers_database_has_rhythms_engine_and_options_and_a_name_of_its_own(tmp_path):
    # Rhythm's SQLite settings as they are without DATABASE_URL, whatever this run uses.
    rhythm_sqlite = {
        "ENGINE": "rhythm.core.sqlite",
        "NAME": str(settings.SQLITE_PATH),
        "CONN_MAX_AGE": None,
        "OPTIONS": settings.SQLITE_OPTIONS,
    }
    sqlite = peer.database_config(rhythm_sqlite, sqlite_path=tmp_path / "helpdesk.sqlite3")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["NAME"] == str(tmp_path / "helpdesk.sqlite3")
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]

    rhythm_pg = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "rhythm_bench",
        "HOST": "127.0.0.1",
        "PORT": 5432,
        "USER": "postgres",
        "CONN_MAX_AGE": 60,
        "OPTIONS": {},
        "TEST": {"NAME": "never copied"},
    }
    pg = peer.database_config(rhythm_pg, sqlite_path=tmp_path / "unused")
    expected = {key: value for key, value in rhythm_pg.items() if key != "TEST"}
    assert pg == {**expected, "NAME": "rhythm_bench_helpdesk"}


def test_the_peer_is_pinned_and_shares_rhythms_django_and_server():
    wanted = peer.requirements()
    assert all("==" in line for line in wanted)
    assert "django-helpdesk==2.6.1" in wanted
    assert f"Django=={metadata.version('Django')}" in wanted
    assert f"gunicorn=={metadata.version('gunicorn')}" in wanted


class _Created(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the servers under test
    received = 0
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        with self.lock:
            type(self).received += 1
            n = type(self).received
        # Every fifth request is refused, as a server saying why would.
        status, body = (409, b'{"detail": "taken"}') if n % 5 == 0 else (201, b'{"id": 1}')
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_the_client_leaves_nothing_in_flight_so_every_request_sent_is_counted(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Created)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        subject = intake.Subject(
            "probe",
            "a server counting what it receives",
            server.server_address[1],
            {"Authorization": "Token t"},
            [("/a", b'{"n": 1}'), ("/b", b'{"n": 2}')],
        )
        phase = intake.drive(subject, clients=3, seconds=1, workdir=tmp_path)
    finally:
        server.shutdown()
        server.server_close()

    refused = [e for e in phase.errors if e == "HTTP 409"]
    assert phase.ok + len(refused) == _Created.received
    assert len(phase.errors) == len(refused) == _Created.received // 5
    assert phase.samples and phase.samples[0].startswith('409 {"detail": "taken"}')
    assert len(phase.latencies_ms) == _Created.received
    assert 1.0 <= phase.seconds < 3.0
    assert phase.client_cpu > 0


def test_a_thread_that_never_reported_and_socket_errors_count_as_errors(tmp_path):
    (tmp_path / "thread-0.txt").write_text(
        "ok 3 start 1000000 end 2500000\nstatus 500 1\nsample 500 oops\n"
        "latencies 1500 2500 900 4000\n"
    )
    report = "  Socket errors: connect 0, read 2, write 0, timeout 1\n"

    phase = intake.read_phase(tmp_path, clients=2, report=report)

    assert phase.ok == 3
    assert phase.seconds == 1.5
    assert phase.latencies_ms == [1.5, 2.5, 0.9, 4.0]
    assert sorted(phase.errors) == [
        "HTTP 500",
        "client thread 1: no answer after the deadline",
        "socket read error",
        "socket read error",
        "socket timeout error",
    ]
    assert phase.samples == ["500 oops"]


SUBJECTS = ("bare", "note", "helpdesk", "helpdesk_sync", "intake")


def _summary(*, intake_rates, helpdesk_rates, sync_rates=None, errors=(), problems=()):
    subjects = [intake.Subject(key, key, 0, {}, []) for key in SUBJECTS]
    rates = {"bare": [2500.0] * 3, "note": [550.0] * 3}
    rates |= {
        "helpdesk": helpdesk_rates,
        "helpdesk_sync": sync_rates or [1.0] * len(helpdesk_rates),
        "intake": intake_rates,
    }
    totals = {}
    for key, values in rates.items():
        total = intake.Totals(rates=list(values), latencies_ms=[5.0, 10.0, 50.0], seconds=30)
        total.acknowledged = 1000
        totals[key] = total
    totals["intake"].errors = list(errors)
    stored = dict.fromkeys(rates, 1000)
    return intake.summarize(
        subjects=subjects,
        totals=totals,
        stored=stored,
        problems=list(problems),
        queries={"bare": 3, "intake": 19},
        scale="16 clients",
    )


def test_the_target_is_the_median_of_the_rounds_ratios_with_no_errors():
    row = _summary(intake_rates=[300, 330, 200], helpdesk_rates=[200, 200, 100])
    assert row["ratio"] == 1.65  # rounds: 1.5, 1.65, 2.0
    assert row["passed"]
    by_key = {subject["key"]: subject for subject in row["subjects"]}
    assert by_key["intake"]["median"] == 300
    assert (by_key["intake"]["min"], by_key["intake"]["max"]) == (200, 330)
    assert by_key["note"]["of_bare"] == 0.22

    assert not _summary(intake_rates=[290] * 3, helpdesk_rates=[200] * 3)["passed"]


def test_each_round_is_measured_against_the_peers_better_server_of_that_round():
    row = _summary(
        intake_rates=[300, 300, 300], helpdesk_rates=[100, 250, 100], sync_rates=[200, 150, 100]
    )
    assert row["ratio"] == 1.5  # rounds against 200, 250 and 100: 1.5, 1.2, 3.0
    assert row["baseline"] == "helpdesk ticket create 150 req/s"  # the better median
    assert row["passed"]
    assert not _summary(intake_rates=[400] * 3, helpdesk_rates=[200] * 3, errors=["HTTP 500"])[
        "passed"
    ]
    assert not _summary(
        intake_rates=[400] * 3, helpdesk_rates=[200] * 3, problems=["intake: 999 rows"]
    )["passed"]


def test_the_table_shows_every_subject_and_the_target_row(capsys):
    row = _summary(intake_rates=[300] * 3, helpdesk_rates=[200] * 3) | {"database": "SQLite 3.40"}
    other = {
        "benchmark": "reconciliation",
        "database": "SQLite 3.40",
        "subject": "reconcile 1.2 s",
        "baseline": "raw SQL 1.0 s",
        "ratio": 1.2,
        "target": "<= 1.5",
        "passed": True,
        "scale": "100,000 cases",
        "notes": [],
    }

    print_subjects([row, other])
    print_table([row, other])

    lines = capsys.readouterr().out.splitlines()
    subjects = [line for line in lines if line.count("|") == 11 and "req/s" not in line]
    assert [line.split("|")[1].strip() for line in subjects] == list(SUBJECTS)
    assert subjects[0].startswith("SQLite 3.40")
    assert any("case intake vs django-helpdesk" in line and "pass" in line for line in lines)
    assert any(line.startswith("reconciliation") for line in lines)
    assert sum("req/s is the median" in line for line in lines) == 1


def test_rows_are_counted_against_the_201s_each_case_with_its_cta_each_ticket_with_its_follow_up():
    totals = {key: intake.Totals(acknowledged=10) for key in SUBJECTS}
    before = {"bare": 5, "note": 0, "intake": 1, "ctas": 1}
    peer_before = {"tickets": 1, "sync": 0, "followups": 1, "without_followup": 0}

    stored, problems = intake.check_stored(
        totals,
        before,
        {"bare": 15, "note": 10, "intake": 11, "ctas": 11},
        peer_before,
        {"tickets": 21, "sync": 10, "followups": 21, "without_followup": 0},
    )
    assert stored == dict.fromkeys(totals, 10)
    assert problems == []

    _stored, problems = intake.check_stored(
        totals,
        before,
        {"bare": 15, "note": 11, "intake": 11, "ctas": 10},
        peer_before,
        {"tickets": 20, "sync": 10, "followups": 20, "without_followup": 2},
    )
    assert problems == [
        "note: 11 rows stored for 10 201s",
        "helpdesk: 9 rows stored for 10 201s",
        "intake: 9 CTAs for 10 cases",
        "helpdesk: 2 tickets without follow-up",
    ]
