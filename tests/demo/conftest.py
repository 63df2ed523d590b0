"""Fixtures for the demo data: loaded once per module, rolled back after it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from rhythm.demo import data

# A fixed "today", so renewal and close dates are the same on every run.
TODAY = date(2026, 1, 15)
# The demo hashes fifteen passwords; the default hasher makes that seconds.
FAST_PASSWORDS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_on_today(**kwargs) -> dict[str, int]:
    """The demo as if loaded on TODAY: what it books "two days ahead" is ahead then."""
    with time_machine.travel(datetime.combine(TODAY, datetime.min.time(), UTC), tick=True):
        return data.load(today=TODAY, **kwargs)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_PASSWORDS


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for a module's tests, which each roll back their own changes."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_PASSWORDS),
        transaction.atomic(),
    ):
        created = load_on_today()
        yield created
        transaction.set_rollback(True)
