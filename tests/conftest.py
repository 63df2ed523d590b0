"""Shared fixtures: a cast of users per role, an API client, the queue in immediate mode."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields

import pytest
from django.test import Client
from huey.contrib.djhuey import HUEY

from rhythm.core import services as core_services
from rhythm.people.choices import Role
from tests.factories import AccountFactory, UserFactory

pytest_plugins = ["tests.engagements_fixtures"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs ~0.2 s per user; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def immediate_queue():
    """Tasks run in-process unless a test asks for a real worker (tests/core/test_queue.py)."""
    HUEY.immediate = True
    yield
    HUEY.immediate = False


@dataclass
class Cast:
    account_owner: object
    csm: object
    cse: object
    manager: object
    program_manager: object
    cs_ops: object
    demo_architect: object
    admin: object
    outsider: object  # signed in, but holds no role

    def members(self) -> dict[str, object]:
        return dict(self.__dict__)


# Every member of the cast by name, for tests that loop over the roles.
CAST = tuple(field.name for field in fields(Cast))


def make_cast() -> Cast:
    """A member per role and one with none (fixed usernames: one cast per database)."""
    return Cast(
        account_owner=UserFactory(username="ae", roles=[Role.ACCOUNT_OWNER]),
        csm=UserFactory(username="csm", roles=[Role.CSM]),
        cse=UserFactory(username="cse", roles=[Role.CSE]),
        manager=UserFactory(username="manager", roles=[Role.CSE_MANAGER]),
        program_manager=UserFactory(username="pm", roles=[Role.PROGRAM_MANAGER]),
        cs_ops=UserFactory(username="ops", roles=[Role.CS_OPERATIONS]),
        demo_architect=UserFactory(username="demo", roles=[Role.DEMO_ARCHITECT]),
        admin=UserFactory(username="administrator", roles=[Role.ADMIN]),
        outsider=UserFactory(username="outsider"),
    )


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()


@pytest.fixture
def account(cast):
    """An account owned by the cast's AE and managed by the cast's CSM."""
    return AccountFactory(account_owner=cast.account_owner, csm=cast.csm)


class ApiClient:
    """Speaks to /api/v1/ with a bearer token, as an integration would."""

    def __init__(self, user=None, token: str | None = None):
        self.client = Client()
        if token is None and user is not None:
            _, token = core_services.create_token(user, "tests")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, body=None, **headers):
        kwargs = {"headers": {**self.headers, **headers}}
        if body is not None:
            kwargs["data"] = json.dumps(body, default=str)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body=None, **headers):
        return self._call("post", path, body if body is not None else {}, **headers)

    def patch(self, path: str, body=None, **headers):
        return self._call("patch", path, body or {}, **headers)


@pytest.fixture
def api():
    """api(user) -> a client acting with that user's token."""
    return ApiClient
