"""docs/kpis.md is the registry's, and `rhythm kpis` counts what the API counts."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rhythm.kpis import definitions, docs
from tests.kpis.conftest import NOV

DOCS = Path(__file__).resolve().parents[2] / "docs" / "kpis.md"


def test_docs_kpis_md_is_written_from_the_registry():
    assert DOCS.read_text() == docs.markdown(), (
        "docs/kpis.md is out of date: run `rhythm kpis --write-docs docs/kpis.md`."
    )
    for kpi in definitions.KPIS:
        assert kpi.definition in DOCS.read_text()
    readme = (DOCS.parents[1] / "README.md").read_text()
    assert "docs/kpis.md" in readme


@pytest.mark.usefixtures("frozen")
def test_the_cli_prints_the_apis_figures(team, api):
    out = StringIO()
    call_command("kpis", "--as", team.cast.manager.username, "--period", NOV, "--json", stdout=out)
    printed = json.loads(out.getvalue())
    answered = api(team.cast.manager).get("/kpis", period=NOV).json()
    assert printed == answered
    text = StringIO()
    call_command("kpis", "--as", team.cast.manager.username, "--period", NOV, stdout=text)
    assert "Requests by region: 5 — requests filed in November 2026" in text.getvalue()


def test_the_cli_names_a_bad_filter_and_its_rule(team):
    with pytest.raises(CommandError, match=r"--period: .* \(invalid_period\)"):
        call_command("kpis", "--as", team.cast.manager.username, "--period", "soon")
    with pytest.raises(CommandError, match="--as: no active team member 'nobody'"):
        call_command("kpis", "--as", "nobody")
