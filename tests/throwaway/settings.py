"""Rhythm's settings with one more app, declared only by its own apps.py."""

from rhythm.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.throwaway.apps.ThrowawayConfig"]  # noqa: F405
