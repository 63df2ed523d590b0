"""Webinars over the API and the pages: the lab's walk through the API, the codes
seen only by those who need them (page, API, admin), and the public pages: field
errors, no word on who is registered, and the rate limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.utils import timezone

from rhythm.people.models import User
from rhythm.surveys.services import ensure_rate_limit_table
from rhythm.webinars.models import Registration, Webinar
from tests.conftest import CAST
from tests.core.test_api_auth_and_errors import assert_error
from tests.webinars import helpers

CODE_READERS = {"program_manager", "demo_architect", "cse"}  # the cast's CSE is the DRI


@pytest.fixture
def lab(cast):
    lab = helpers.published_lab(cast.program_manager, cast.cse)
    helpers.ready_environment(lab, cast.cse, cast.demo_architect)
    return lab


def test_a_lab_through_the_api(cast, api):
    pm, cse, da = api(cast.program_manager), api(cast.cse), api(cast.demo_architect)
    template = helpers.template()
    created = pm.post(
        "/webinars",
        {
            "title": "CI lab",
            "kind": "lab",
            "region": "APAC",
            "starts_at": (timezone.now() + timedelta(days=8, hours=1)).isoformat(),
            "time_zone": "Australia/Sydney",
            "lab_template": template.pk,
        },
    )
    assert created.status_code == 201, created.content
    lab = created.json()
    assert lab["access_days"] == 2 and lab["deck_name"].startswith(
        "Security and Compliance Lab - APAC - "
    )
    assert_error(
        pm.post(f"/webinars/{lab['id']}/move", {"to": "published"}), 422, "host", "required"
    )
    assert (
        cse.post(f"/webinars/{lab['id']}/sign-ups", {"role": "host"}).json()["host"] == cast.cse.pk
    )
    assert (
        pm.post(f"/webinars/{lab['id']}/move", {"to": "published"}).json()["status"] == "published"
    )
    filed = cse.post(f"/webinars/{lab['id']}/environment-request", {})
    assert filed.status_code == 201 and filed.json()["late"] is False
    env = filed.json()["id"]
    da.post(f"/environment-requests/{env}/move", {"to": "in_progress"})
    assert_error(
        da.post(f"/environment-requests/{env}/move", {"to": "ready"}), 422, "production_code"
    )
    ready = da.post(
        f"/environment-requests/{env}/move",
        {"to": "ready", "production_code": "P-1", "testing_code": "T-1"},
    )
    assert ready.json()["status"] == "ready"
    assert cse.get(f"/environment-requests/{env}/codes").json() == {
        "production_code": "P-1",
        "testing_code": "T-1",
    }
    assert "production_code" not in ready.json()  # the request itself never shows them
    webinar = Webinar.objects.get(pk=lab["id"])
    helpers.confirmed(webinar, "ada@x.example")
    registrations = pm.get(f"/webinars/{lab['id']}/registrations").json()["items"]
    assert [r["email"] for r in registrations] == ["ada@x.example"]
    attended = pm.post(
        f"/webinars/{lab['id']}/attendance", {"emails": ["ADA@x.example", "z@y.example"]}
    )
    assert attended.json() == {"marked": 1, "unknown": ["z@y.example"]}
    cancelled = pm.post(f"/registrations/{registrations[0]['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"


def test_a_request_5_days_ahead_is_late_with_its_reason_over_the_api(cast, api):
    start = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)  # 16:00 in Berlin
    with time_machine.travel(start - timedelta(days=5), tick=False):
        lab = helpers.published_lab(cast.program_manager, cast.cse, start)
        refused = api(cast.cse).post(f"/webinars/{lab.pk}/environment-request", {})
        body = assert_error(refused, 422, "late_reason", "required")
        assert body["errors"][0]["message"] == (
            "Filed 5 days before delivery, under the 7 required: say why it is late."
        )
        filed = api(cast.cse).post(
            f"/webinars/{lab.pk}/environment-request", {"late_reason": "New DRI this week."}
        )
    assert (filed.json()["late"], filed.json()["late_reason"]) == (True, "New DRI this week.")


@pytest.mark.parametrize("role", CAST)
def test_codes_only_for_demo_architects_the_dri_and_program_managers(cast, api, lab, role):
    member = getattr(cast, role)
    env = lab.environment_request
    response = api(member).get(f"/environment-requests/{env.pk}/codes")
    page = Client()
    page.force_login(member)
    shown = page.get(f"/webinars/{lab.pk}/")
    if role in CODE_READERS:
        assert response.json()["production_code"] == "PROD-7F3K"
        assert b"PROD-7F3K" in shown.content
    else:
        assert response.status_code == 403
        assert b"PROD-7F3K" not in shown.content and b"TEST-9Q2L" not in shown.content
    board = page.get("/webinars/requests/")
    assert (b"PROD-7F3K" in board.content) == (role == "demo_architect")


def test_the_admin_shows_codes_only_to_those_who_may_see_them(cast, lab):
    env = lab.environment_request
    for user, sees in ((cast.demo_architect, True), (cast.admin, False)):
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user = User.objects.get(pk=user.pk)
        user.user_permissions.add(Permission.objects.get(codename="view_environmentrequest"))
        client = Client()
        client.force_login(user)
        response = client.get(f"/admin/webinars/environmentrequest/{env.pk}/change/")
        assert response.status_code == 200
        assert (b"PROD-7F3K" in response.content) == sees


def test_the_public_registration_names_bad_fields_and_tells_nothing_of_who_is_registered(cast, lab):
    client = Client()
    refused = client.post(f"/webinars/{lab.pk}/register/", {"email": "nope"})
    assert refused.status_code == 422
    assert (
        b"Enter a valid email address." in refused.content
        and b'data-rule="invalid"' in refused.content
    )
    data = {"name": "Ada", "email": "ada@x.example", "company": "X", "consent": "on"}
    first = client.post(f"/webinars/{lab.pk}/register/", data)
    again = client.post(f"/webinars/{lab.pk}/register/", data)
    stranger = client.post(f"/webinars/{lab.pk}/register/", {**data, "email": "new@x.example"})
    assert first.status_code == again.status_code == stranger.status_code == 200
    for response in (first, again, stranger):
        # One answer, whether the email was registered or not (a nonce differs, no more).
        body = response.content.decode()
        assert 'data-testid="check-inbox"' in body and "already" not in body
    assert Registration.objects.filter(webinar=lab).count() == 2
    # Redeeming: an unknown email and a wrong code read the same.
    with_unknown = client.post(
        f"/webinars/{lab.pk}/redeem/", {"email": "x@y.example", "code": "PROD-7F3K"}
    )
    assert with_unknown.status_code == 422


def test_public_pages_are_rate_limited(cast, lab, settings):
    settings.RHYTHM_WEBINAR_RATE = "3/m"
    client = Client()
    statuses = [client.get(f"/webinars/{lab.pk}/register/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    feed = [client.get("/webinars/calendar.ics").status_code for _ in range(4)]
    assert feed == [200, 200, 200, 429]  # each page counts on its own


def test_a_registrant_confirms_and_cancels_through_the_link(cast, lab):
    client = Client()
    client.post(
        f"/webinars/{lab.pk}/register/",
        {"name": "Ada", "email": "ada@x.example", "company": "X", "consent": "on"},
    )
    token = helpers.token_in_outbox("ada@x.example")
    assert b"Confirm my registration" in client.get(f"/webinars/r/{token}/").content
    client.post(f"/webinars/r/{token}/", {"action": "confirm"})
    assert Registration.objects.get(email="ada@x.example").status == "confirmed"
    client.post(f"/webinars/r/{token}/", {"action": "cancel"})
    assert Registration.objects.get(email="ada@x.example").status == "cancelled"
    assert client.get("/webinars/r/" + "x" * 43 + "/").status_code == 404


def test_migrate_makes_the_rate_limits_table_under_the_caches_name(db, settings):
    """The public pages count in it: a fresh site must have it (a regression: the
    table was once made under the cache's alias)."""
    table = settings.CACHES[settings.RATELIMIT_USE_CACHE]["LOCATION"]
    ensure_rate_limit_table()
    assert table in connection.introspection.table_names()
