"""Apps declare themselves (core.registry): the central lists are loops over them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

from rhythm.api import api
from rhythm.core import registry

ROOT = Path(__file__).resolve().parents[2]


def test_a_new_app_plugs_in_by_declaring_itself():
    """tests/throwaway is an app no other file names; under settings that install
    it, it is in the menu, the API, the timeline and the account page."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.throwaway.settings"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/throwaway/check_plugs_in.py",
            "-p",
            "no:cacheprovider",
            "-q",
            "--ds=tests.throwaway.settings",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout


def test_every_menu_entry_and_url_mount_resolves():
    for item in registry.navigation():
        assert reverse(item.url_name).startswith("/")
    prefixes = [prefix for prefix, _ in registry.url_mounts()]
    assert len(prefixes) == len(set(prefixes))


def test_every_app_router_is_mounted_once():
    mounted = {id(router) for _, router in api._routers}
    declared = registry.api_routers()
    assert declared and all(id(router) in mounted for _, router in declared)


def test_timeline_kinds_come_from_the_apps_that_write_them():
    kinds = registry.timeline_kinds()
    assert set(kinds) == {
        "case",
        "cta",
        "request",
        "transition",
        "meeting",
        "followup",
        "question",
        "survey",
        "note",
        "community",
        "escalation",
        "campaign",
    }
    assert all(kind.icon.startswith("bi-") for kind in kinds.values())
