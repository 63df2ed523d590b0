"""The optional GitLab mirror of an environment request: off by default; configured,
one issue per request after commit, its address kept and shown, an outage retried,
and a retry after a lost answer finds the issue it opened. GitLab is faked at the
HTTP boundary (responses), as Slack is for escalations."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import responses
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from rhythm.core import events
from rhythm.core.choices import DeliveryStatus
from rhythm.core.models import EventDelivery
from rhythm.webinars import services
from rhythm.webinars.checks import check_gitlab_settings
from rhythm.webinars.models import EnvironmentRequest
from tests.webinars import helpers

START = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)
FILED = START - timedelta(days=8)
GITLAB = "https://gitlab.example"
ISSUES = f"{GITLAB}/api/v4/projects/demo-architects%2Flab-requests/issues"
ISSUE_URL = "https://gitlab.example/demo-architects/lab-requests/-/issues/42"
CONFIGURED = override_settings(
    RHYTHM_GITLAB_URL=GITLAB,
    RHYTHM_GITLAB_TOKEN="glpat-test",
    RHYTHM_GITLAB_PROJECT="demo-architects/lab-requests",
)


def delivery() -> EventDelivery:
    return EventDelivery.objects.get(
        event="environment.requested", subscriber__endswith="mirror_on_gitlab"
    )


def file(cast, capture):
    lab = helpers.published_lab(cast.program_manager, cast.cse, START)
    with time_machine.travel(FILED, tick=False), capture(execute=True):
        return services.file_environment_request(lab, actor=cast.cse, notes="Two runners.")


def test_off_by_default(cast, django_capture_on_commit_callbacks):
    with responses.RequestsMock() as gitlab:
        request = file(cast, django_capture_on_commit_callbacks)
    assert len(gitlab.calls) == 0
    request.refresh_from_db()
    assert request.gitlab_issue_url == "" and delivery().status == DeliveryStatus.DELIVERED


@CONFIGURED
def test_filing_opens_one_issue_after_commit_and_keeps_its_address(
    cast, django_capture_on_commit_callbacks
):
    with responses.RequestsMock() as gitlab:
        gitlab.get(ISSUES, json=[])
        gitlab.post(ISSUES, json={"iid": 42, "web_url": ISSUE_URL}, status=201)
        request = file(cast, django_capture_on_commit_callbacks)
        assert [c.request.method for c in gitlab.calls] == ["GET", "POST"]
        sent = gitlab.calls[1].request
        assert sent.headers["PRIVATE-TOKEN"] == "glpat-test"
        body = json.loads(sent.body)
        assert body["title"] == f"Lab environment: {request.webinar.deck_name}"
        assert "Two runners." in body["description"] and body["labels"] == "lab-environment"
        assert "PROD" not in body["description"]  # the codes never leave Rhythm
    request.refresh_from_db()
    assert request.gitlab_issue_url == ISSUE_URL
    # Shown on the event page and the board, and over the API.
    page = Client()
    page.force_login(cast.demo_architect)
    assert ISSUE_URL in page.get(f"/webinars/{request.webinar_id}/").text
    assert ISSUE_URL in page.get("/webinars/requests/").text
    # Filing again (a retry of the DRI's) files nothing and opens nothing.
    with responses.RequestsMock() as gitlab, django_capture_on_commit_callbacks(execute=True):
        services.file_environment_request(request.webinar, actor=cast.cse)
    assert len(gitlab.calls) == 0 and EventDelivery.objects.count() >= 1


@CONFIGURED
def test_an_outage_is_retried_and_a_lost_answer_opens_no_second_issue(
    cast, django_capture_on_commit_callbacks
):
    with responses.RequestsMock() as gitlab:
        gitlab.get(ISSUES, json=[])
        gitlab.post(ISSUES, status=503)
        request = file(cast, django_capture_on_commit_callbacks)
    pending = delivery()
    assert pending.status == DeliveryStatus.PENDING and "503" in pending.last_error
    assert EnvironmentRequest.objects.get(pk=request.pk).gitlab_issue_url == ""
    # The retry: GitLab had opened the issue after all (its answer was lost); the
    # search by the delivery's key finds it, and no second issue is opened.
    key = f"rhythm:environment.requested:{pending.pk}"
    with responses.RequestsMock() as gitlab:
        gitlab.get(ISSUES, json=[{"web_url": ISSUE_URL, "description": f"… <!-- {key} -->"}])
        EventDelivery.objects.filter(pk=pending.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )
        assert events.deliver(pending.pk)
        assert [c.request.method for c in gitlab.calls] == ["GET"]
        assert "search=rhythm" in gitlab.calls[0].request.url
    assert EnvironmentRequest.objects.get(pk=request.pk).gitlab_issue_url == ISSUE_URL
    assert delivery().status == DeliveryStatus.DELIVERED


@pytest.mark.parametrize("missing", ["RHYTHM_GITLAB_URL", "RHYTHM_GITLAB_TOKEN"])
def test_half_configured_is_off(cast, django_capture_on_commit_callbacks, settings, missing):
    settings.RHYTHM_GITLAB_URL = GITLAB
    settings.RHYTHM_GITLAB_TOKEN = "glpat-test"
    settings.RHYTHM_GITLAB_PROJECT = "demo-architects/lab-requests"
    setattr(settings, missing, "")
    with responses.RequestsMock() as gitlab:
        file(cast, django_capture_on_commit_callbacks)
    assert len(gitlab.calls) == 0


def test_a_half_configured_mirror_is_named_by_the_system_check(settings):
    settings.RHYTHM_GITLAB_URL = GITLAB
    settings.RHYTHM_GITLAB_TOKEN = ""
    settings.RHYTHM_GITLAB_PROJECT = ""
    (warning,) = check_gitlab_settings(None)
    assert warning.id == "rhythm.webinars.W001"
    assert "RHYTHM_GITLAB_TOKEN, RHYTHM_GITLAB_PROJECT" in warning.msg
    settings.RHYTHM_GITLAB_URL = ""
    assert check_gitlab_settings(None) == []
