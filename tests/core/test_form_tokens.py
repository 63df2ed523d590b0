"""Browser forms that create something carry a one-time token (rhythm.core.forms):
the same form sent twice creates once, and the second answer shows the first."""

from __future__ import annotations

import re
import threading
from datetime import time

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from rhythm.core.models import FormSubmission
from rhythm.engagements.models import EngagementRequest
from rhythm.meetings.models import Meeting
from rhythm.officehours import services as officehours
from rhythm.officehours.models import OfficeHourSession, Question
from rhythm.timeline.models import TimelineEntry
from rhythm.timeline.services import NOTE
from tests.engagements_fixtures import TARGET_START

HTMX = {"HX-Request": "true"}
TOKEN = re.compile(r'<input type="hidden" name="form_token" value="([^"]+)">')


def tokens(html: str) -> list[str]:
    return TOKEN.findall(html)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def notes(account) -> list[str]:
    entries = TimelineEntry.objects.filter(account=account, kind=NOTE)
    return list(entries.values_list("title", flat=True))


def test_a_note_sent_twice_is_added_once_and_the_next_form_has_a_fresh_token(cast, account):
    client = signed_in(cast.csm)
    url = reverse("timeline:add-note", args=[account.pk])
    (token,) = tokens(client.get(reverse("timeline:account", args=[account.pk])).content.decode())

    first = client.post(url, {"text": "Met the VP", "form_token": token}, headers=HTMX)
    again = client.post(url, {"text": "Met the VP", "form_token": token}, headers=HTMX)

    assert first.status_code == again.status_code == 200
    assert notes(account) == ["Met the VP"]
    # The refreshed timeline's form is for the next note, not this one again.
    assert token not in tokens(first.content.decode())
    assert token not in tokens(again.content.decode())
    page = client.get(reverse("customers:account-detail", args=[account.pk])).content.decode()
    assert "This form was already sent" in page


def test_a_refused_note_keeps_its_token_for_the_corrected_one(cast, account):
    client = signed_in(cast.csm)
    url = reverse("timeline:add-note", args=[account.pk])
    (token,) = tokens(client.get(reverse("timeline:account", args=[account.pk])).content.decode())
    refused = client.post(url, {"text": "  ", "form_token": token}, headers=HTMX)
    assert tokens(refused.content.decode()) == [token]
    client.post(url, {"text": "Met the VP", "form_token": token}, headers=HTMX)
    assert notes(account) == ["Met the VP"]


def test_a_question_sent_twice_is_asked_once(cast, account):
    session = officehours.save_session(
        cast.cse, {"weekday": 2, "start_time": time(16, 0), "duration_minutes": 60}
    )
    client = signed_in(cast.csm)
    url = reverse("officehours:list")
    page = client.get(url).content.decode()
    assert len(tokens(page)) == 1  # the question form; a CSM hosts no sessions
    data = {
        "q-session": session.pk,
        "q-account": account.pk,
        "q-topic": "Runner autoscaling",
        "q-context": "Their runners queue for 20 minutes every morning.",
        "form_token": tokens(page)[0],
    }
    first = client.post(url, data)
    again = client.post(url, data, follow=True)
    question = Question.objects.get()
    assert first["Location"] == reverse("officehours:question", args=[question.pk])
    assert again.redirect_chain == [(first["Location"], 302)]
    assert "This form was already sent" in again.content.decode()


def test_office_hours_sent_twice_are_added_once(cast):
    client = signed_in(cast.cse)
    token = tokens(client.get(reverse("officehours:list")).content.decode())[0]  # sessions first
    data = {
        "s-title": "CI office hours",
        "s-weekday": 1,
        "s-start_time": "15:00",
        "s-duration_minutes": 60,
    }
    for _ in range(2):
        response = client.post(reverse("officehours:session-create"), {**data, "form_token": token})
        assert response.status_code == 302
    assert OfficeHourSession.objects.count() == 1


def test_an_engagement_request_filed_twice_is_filed_once(cast, account, objective):
    client = signed_in(cast.csm)
    url = reverse("engagements:create", args=[account.pk])
    (token,) = tokens(client.get(url).content.decode())
    data = {
        "form_token": token,
        "objective": objective.pk,
        "title": "CI for three teams",
        "effort_kind": "one_off",
        "hours_per_week": "5",
        "target_start_date": TARGET_START.isoformat(),
        "outcome": "Every team builds on GitLab CI.",
        "metrics": "Pipelines under 10 minutes",
        "deliverables": "Reference pipeline",
        "stakeholders-TOTAL_FORMS": "1",
        "stakeholders-INITIAL_FORMS": "0",
        "stakeholders-0-name": "Ana Costa",
        "stakeholders-0-role_title": "VP Eng",
        "stakeholders-0-responsibilities": "Sponsor",
    }
    first = client.post(url, data)
    again = client.post(url, data, follow=True)
    filed = EngagementRequest.objects.get()
    assert first["Location"] == reverse("engagements:detail", args=[filed.pk])
    assert again.redirect_chain == [(first["Location"], 302)]
    assert "This form was already sent" in again.content.decode()


def test_a_spot_meeting_scheduled_twice_is_one_meeting(cast, account):
    session = officehours.save_session(
        cast.cse, {"weekday": 2, "start_time": time(16, 0), "duration_minutes": 60}
    )
    question = officehours.ask(
        cast.csm, session=session, account_id=account.pk, topic="Monorepos", context="40 repos."
    )
    client = signed_in(cast.cse)
    url = reverse("officehours:question", args=[question.pk])
    (token,) = tokens(
        client.get(url).content.decode()
    )  # the spot form's; an answer creates nothing
    data = {"action": "spot", "scheduled_at": "", "form_token": token}
    first = client.post(url, data)
    again = client.post(url, data, follow=True)
    assert first.status_code == 302
    assert Meeting.objects.count() == 1
    assert "This form was already sent" in again.content.decode()


def test_someone_elses_token_creates_for_them_and_replays_nothing(cast, account):
    url = reverse("timeline:add-note", args=[account.pk])
    for user in (cast.csm, cast.cse):
        signed_in(user).post(url, {"text": f"From {user}", "form_token": "t" * 32}, headers=HTMX)
    assert sorted(notes(account)) == sorted([f"From {cast.csm}", f"From {cast.cse}"])


@pytest.mark.django_db(transaction=True)
def test_a_double_click_racing_itself_adds_one_note(cast, account):
    """Two submissions in flight at once meet on the token's unique row."""
    url = reverse("timeline:add-note", args=[account.pk])
    start = threading.Barrier(2)
    statuses: list[int] = []

    def submit() -> None:
        try:
            client = signed_in(cast.csm)
            start.wait()
            response = client.post(url, {"text": "Once", "form_token": "d" * 32}, headers=HTMX)
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses == [200, 200]
    assert notes(account) == ["Once"]
    assert FormSubmission.objects.count() == 1
