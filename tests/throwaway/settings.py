"""Rhythm's settings with one more app, declared only by its own apps.py."""

import copy

from rhythm.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.throwaway.apps.ThrowawayConfig"]  # noqa: F405

# A test database of its own: this suite runs inside another one's, whose test
# database it must neither share nor delete at its end.
DATABASES = copy.deepcopy(DATABASES)  # noqa: F405
_test = DATABASES["default"].setdefault("TEST", {})
if "sqlite" in DATABASES["default"]["ENGINE"]:  # noqa: F405
    _test["NAME"] = str(VAR_DIR / "test-throwaway.sqlite3")  # noqa: F405
else:
    _test["NAME"] = f"test_{DATABASES['default']['NAME']}_throwaway"
