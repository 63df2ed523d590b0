"""Office hours through the HTTP client: sessions, questions, the async answer, and
the spot engagement with its meeting page."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from rhythm.core.models import OutboundMessage
from rhythm.meetings.models import Meeting
from rhythm.officehours import services
from rhythm.officehours.choices import QuestionStatus
from rhythm.officehours.models import OfficeHourSession, Question
from rhythm.people.choices import Role
from rhythm.timeline.models import TimelineEntry
from tests.conftest import CAST
from tests.factories import UserFactory

# Calls are booked ahead: a fixed date would become a past one, which is refused.
NEXT_WEEK = date.today() + timedelta(days=7)
VIEWERS = frozenset(CAST) - {"outsider"}
ASKERS = frozenset({"csm", "admin"})  # officehours.add_question
HOSTS = frozenset({"cse", "manager", "admin"})  # officehours.add_officehoursession
HANDLERS = frozenset({"cse", "manager", "admin"})  # the session's CSE, or a manager


def _as(client, user):
    client.force_login(user)
    return client


def _field_errors(html: str, field: str) -> str:
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


@pytest.fixture
def session(cast):
    return services.save_session(
        cast.cse, {"weekday": 2, "start_time": time(16, 0), "duration_minutes": 60}
    )


@pytest.fixture
def question(cast, session, account):
    return services.ask(
        cast.csm,
        session=session,
        account_id=account.pk,
        topic="Monorepo pipelines",
        context="They build 40 services from one repository.",
    )


def _ask(session, account, **changes) -> dict:
    data = {
        "q-session": session.pk,
        "q-account": account.pk,
        "q-topic": "Runner autoscaling",
        "q-context": "Their runners queue for 20 minutes every morning.",
    }
    data.update(changes)
    return data


SESSION = {"s-title": "CI office hours", "s-weekday": 1, "s-start_time": "15:00"}
SESSION_FULL = {**SESSION, "s-duration_minutes": 60, "s-recurring": "on"}


# --- Permissions, looped over the cast ----------------------------------------


def test_anonymous_is_sent_to_sign_in(client, session, account, question):
    for method, url, data in [
        ("get", reverse("officehours:list"), None),
        ("post", reverse("officehours:list"), _ask(session, account)),
        ("post", reverse("officehours:session-create"), SESSION_FULL),
        ("get", reverse("officehours:question", args=[question.pk]), None),
        (
            "post",
            reverse("officehours:question", args=[question.pk]),
            {"action": "answer", "answer": "Use autoscaling."},
        ),
        ("get", reverse("meetings:detail", args=[1]), None),
    ]:
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{reverse('login')}?next="), url
    assert Question.objects.count() == 1 and OfficeHourSession.objects.count() == 1


@pytest.mark.parametrize("who", CAST)
def test_who_sees_office_hours_and_brings_questions(client, cast, session, account, who):
    _as(client, getattr(cast, who))
    listing = client.get(reverse("officehours:list"))
    assert listing.status_code == (200 if who in VIEWERS else 403)
    if who in VIEWERS:
        html = listing.content.decode()
        assert ('data-testid="question-form"' in html) == (who in ASKERS)
        assert ('data-testid="session-form"' in html) == (who in HOSTS)
    asked = client.post(reverse("officehours:list"), _ask(session, account))
    if who in ASKERS:
        assert asked.status_code == 302
        assert Question.objects.get().asked_by == getattr(cast, who)
    else:
        assert asked.status_code == 403
        assert not Question.objects.exists()


@pytest.mark.parametrize("who", CAST)
def test_who_holds_office_hours(client, cast, who):
    _as(client, getattr(cast, who))
    response = client.post(reverse("officehours:session-create"), SESSION_FULL)
    if who in HOSTS:
        assert response.status_code == 302
        assert OfficeHourSession.objects.get().cse == getattr(cast, who)
    else:
        assert response.status_code == 403
        assert not OfficeHourSession.objects.exists()


@pytest.mark.parametrize("who", CAST)
def test_who_answers_a_question(client, cast, question, who):
    _as(client, getattr(cast, who))
    url = reverse("officehours:question", args=[question.pk])
    page = client.get(url)
    assert page.status_code == (200 if who in VIEWERS else 403)
    if who in VIEWERS:
        assert ('data-testid="answer-form"' in page.content.decode()) == (who in HANDLERS)
    answered = client.post(url, {"action": "answer", "answer": "Autoscale on queue depth."})
    question.refresh_from_db()
    if who in HANDLERS:
        assert answered.status_code == 302
        assert question.status == QuestionStatus.ANSWERED
    else:
        assert answered.status_code == 403
        assert question.status == QuestionStatus.OPEN


def test_another_cse_may_read_but_not_handle_the_question(client, question):
    other = UserFactory(roles=[Role.CSE])
    _as(client, other)
    url = reverse("officehours:question", args=[question.pk])
    html = client.get(url).content.decode()
    assert 'data-testid="waiting"' in html and 'data-testid="answer-form"' not in html
    assert client.post(url, {"action": "spot"}).status_code == 403
    question.refresh_from_db()
    assert question.status == QuestionStatus.OPEN and not Meeting.objects.exists()


@pytest.mark.parametrize("role", [Role.ACCOUNT_OWNER, Role.CSM])
def test_a_question_about_an_account_someone_does_not_own_or_manage_is_not_found(
    client, session, account, question, role
):
    stranger = UserFactory(roles=[role])
    _as(client, stranger)
    assert client.get(reverse("officehours:question", args=[question.pk])).status_code == 404
    assert question.topic not in client.get(reverse("officehours:list")).content.decode()
    if role == Role.CSM:
        # Not offered, and refused beside the field when sent anyway.
        form = client.get(reverse("officehours:list")).content.decode()
        accounts = re.search(r'<select name="q-account".*?</select>', form, re.S).group(0)
        assert account.name not in accounts
        response = client.post(reverse("officehours:list"), _ask(session, account))
        assert "No account with id" in _field_errors(response.content.decode(), "q-account")
    assert Question.objects.count() == 1


# --- Forms name their errors beside the field ------------------------------------


def test_a_question_without_topic_and_context_is_refused_beside_them(
    client, cast, session, account
):
    _as(client, cast.csm)
    response = client.post(
        reverse("officehours:list"), _ask(session, account, **{"q-topic": "", "q-context": " "})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "required" in _field_errors(html, "q-topic")
    assert "required" in _field_errors(html, "q-context")
    assert _field_errors(html, "q-account") == ""
    assert not Question.objects.exists() and not TimelineEntry.objects.exists()


def test_a_session_with_bad_fields_is_refused_beside_them(client, cast):
    _as(client, cast.cse)
    response = client.post(
        reverse("officehours:session-create"),
        {**SESSION, "s-duration_minutes": 5, "s-weekday": 6},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "greater than or equal to 15" in _field_errors(html, "s-duration_minutes")
    assert "valid choice" in _field_errors(html, "s-weekday")
    assert re.search(r"<details[^>]* open>", html)  # the form is shown, not folded away
    assert 'value="CI office hours"' in html
    assert not OfficeHourSession.objects.exists()


def test_an_empty_answer_is_refused_beside_it_and_the_spot_form_stays_clean(client, cast, question):
    _as(client, cast.cse)
    url = reverse("officehours:question", args=[question.pk])
    response = client.post(url, {"action": "answer", "answer": ""})
    html = response.content.decode()
    assert "required" in _field_errors(html, "answer")
    assert _field_errors(html, "scheduled_at") == ""
    bad_time = client.post(url, {"action": "spot", "scheduled_at": "tomorrow-ish"})
    html = bad_time.content.decode()
    assert "valid date/time" in _field_errors(html, "scheduled_at")
    assert _field_errors(html, "answer") == ""
    question.refresh_from_db()
    assert question.status == QuestionStatus.OPEN and not Meeting.objects.exists()


def test_the_empty_states_say_what_to_do(client, cast):
    _as(client, cast.csm)
    html = client.get(reverse("officehours:list")).content.decode()
    assert "No sessions yet." in html and "A CSE sets them up." in html
    assert 'data-testid="no-sessions"' in html
    assert "No open questions." in html


# --- Question → answer, question → spot engagement → meeting ------------------------


def test_a_question_answered_asynchronously(client, cast, session, account):
    _as(client, cast.csm)
    asked = client.post(reverse("officehours:list"), _ask(session, account))
    question = Question.objects.get()
    assert asked["Location"] == reverse("officehours:question", args=[question.pk])
    assert "Waiting for" in client.get(asked["Location"]).content.decode()
    _as(client, cast.cse)
    listing = client.get(reverse("officehours:list")).content.decode()
    assert "Runner autoscaling" in listing
    answered = client.post(
        asked["Location"], {"action": "answer", "answer": "Autoscale on queue depth."}, follow=True
    )
    html = answered.content.decode()
    assert "Answered; the CSM has been emailed." in html
    assert 'data-testid="answer"><p>Autoscale on queue depth.</p>' in html
    email = OutboundMessage.objects.get(idempotency_key=f"office-hours-answer:{question.pk}")
    assert email.to == [cast.csm.email]
    assert "Runner autoscaling" not in client.get(reverse("officehours:list")).content.decode()


def test_a_question_turned_into_a_spot_engagement(client, cast, question, account):
    _as(client, cast.cse)
    url = reverse("officehours:question", args=[question.pk])
    response = client.post(
        url, {"action": "spot", "scheduled_at": f"{NEXT_WEEK}T16:00"}, follow=True
    )
    meeting = Meeting.objects.get()
    assert meeting.name == "CSE: Monorepo pipelines"
    html = response.content.decode()
    assert "Spot engagement scheduled: CSE: Monorepo pipelines." in html
    assert f'href="{reverse("meetings:detail", args=[meeting.pk])}"' in html
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'data-testid="meeting-title">CSE: Monorepo pipelines<' in page
    participants = re.search(r'data-testid="participants">(.*?)</dd>', page, re.S).group(1)
    assert str(cast.cse) in participants and str(cast.csm) in participants
    held = client.post(
        reverse("meetings:held", args=[meeting.pk]), {"notes": "Split the pipeline."}, follow=True
    )
    assert "Logged on the account timeline as a CSE Engagement." in held.content.decode()
    assert TimelineEntry.objects.filter(
        account=account, kind="meeting", title="CSE: Monorepo pipelines held (CSE Engagement)"
    ).exists()
    # Done once: a second decision is refused, with the reason.
    again = client.post(url, {"action": "answer", "answer": "Late answer"}, follow=True)
    assert "The question is already spot engagement." in again.content.decode()
    question.refresh_from_db()
    assert question.answer == ""


def test_a_meeting_of_an_invisible_account_is_not_found(client, cast, question):
    services.make_spot_engagement(question, actor=cast.cse)
    meeting = Meeting.objects.get()
    _as(client, UserFactory(roles=[Role.CSM]))
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    held = client.post(reverse("meetings:held", args=[meeting.pk]))
    assert held.status_code == 403  # a CSM does not log meetings


def test_a_spot_call_booked_without_a_time_gets_one_on_its_meeting_page(
    client, cast, question, account, api
):
    """The CSM books through the CSE's link; the CSE sets the time once it is known."""
    services.make_spot_engagement(question, actor=cast.cse)
    meeting = Meeting.objects.get()
    assert meeting.scheduled_at is None
    _as(client, cast.cse)
    page = reverse("meetings:detail", args=[meeting.pk])
    assert "Set the time" in client.get(page).content.decode()

    refused = client.post(reverse("meetings:schedule", args=[meeting.pk]), {"scheduled_at": ""})
    assert "Give the date and time of the call." in _field_errors(
        refused.content.decode(), "scheduled_at"
    )
    nonsense = client.post(
        reverse("meetings:schedule", args=[meeting.pk]), {"scheduled_at": "soon"}
    )
    assert "valid date/time" in _field_errors(nonsense.content.decode(), "scheduled_at")
    meeting.refresh_from_db()
    assert meeting.scheduled_at is None

    done = client.post(
        reverse("meetings:schedule", args=[meeting.pk]),
        {"scheduled_at": f"{NEXT_WEEK}T16:00"},
        follow=True,
    )
    assert "Scheduled; the account timeline shows the time." in done.content.decode()
    meeting.refresh_from_db()
    assert meeting.scheduled_at is not None
    assert "Move the call" in done.content.decode()
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="next-call"' in home and "CSE: Monorepo pipelines" in home
    assert TimelineEntry.objects.filter(
        account=account,
        title__startswith=f"CSE: Monorepo pipelines scheduled for {NEXT_WEEK:%d %b %Y}",
    ).exists()

    # Through the API: moved, then refused once the call is held.
    moved = api(cast.cse).post(
        f"/meetings/{meeting.pk}/schedule",
        {"scheduled_at": f"{NEXT_WEEK + timedelta(days=1)}T09:30:00+00:00"},
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["scheduled_at"].startswith(f"{NEXT_WEEK + timedelta(days=1)}T09:30")
    missing = api(cast.cse).post(f"/meetings/{meeting.pk}/schedule", {})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "scheduled_at"
    client.post(reverse("meetings:held", args=[meeting.pk]))
    late = api(cast.cse).post(
        f"/meetings/{meeting.pk}/schedule",
        {"scheduled_at": f"{NEXT_WEEK + timedelta(days=2)}T09:30:00+00:00"},
    )
    assert late.status_code == 422
    assert "held already" in late.json()["errors"][0]["message"]


def test_only_the_meetings_cse_or_a_manager_runs_the_call(client, cast, question, api):
    services.make_spot_engagement(question, actor=cast.cse)
    meeting = Meeting.objects.get()
    another_cse = UserFactory(roles=[Role.CSE])
    _as(client, another_cse)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'data-testid="schedule-form"' not in page and "Log the call as held" not in page
    held = client.post(
        reverse("meetings:held", args=[meeting.pk]), {"notes": "hijack"}, follow=True
    )
    assert "or a manager runs it" in held.content.decode()
    moved = api(another_cse).post(
        f"/meetings/{meeting.pk}/schedule", {"scheduled_at": f"{NEXT_WEEK}T09:30:00+00:00"}
    )
    assert moved.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == "scheduled" and meeting.scheduled_at is None and meeting.notes == ""

    # A manager may stand in.
    standing_in = api(cast.manager).post(
        f"/meetings/{meeting.pk}/schedule", {"scheduled_at": f"{NEXT_WEEK}T09:30:00+00:00"}
    )
    assert standing_in.status_code == 200


def test_the_csm_who_set_up_the_spot_call_sets_its_time(client, cast, question, api):
    """The handbook has the CSM set the meeting up with the customer."""
    services.make_spot_engagement(question, actor=cast.cse)
    meeting = Meeting.objects.get()
    assert meeting.organiser == cast.csm
    _as(client, cast.csm)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'data-testid="schedule-form"' in page and "Log the call as held" not in page
    booked = api(cast.csm).post(
        f"/meetings/{meeting.pk}/schedule", {"scheduled_at": f"{NEXT_WEEK}T15:00:00+00:00"}
    )
    assert booked.status_code == 200 and booked.json()["organiser"] == cast.csm.pk
    other_csm = UserFactory(roles=[Role.CSM])
    refused = api(other_csm).post(
        f"/meetings/{meeting.pk}/schedule", {"scheduled_at": f"{NEXT_WEEK}T16:00:00+00:00"}
    )
    assert refused.status_code in (403, 404)
    held = api(cast.csm).post(f"/meetings/{meeting.pk}/held", {"notes": "not theirs to log"})
    assert held.status_code == 403


def test_a_call_cannot_be_booked_in_the_past(client, cast, question):
    _as(client, cast.cse)
    url = reverse("officehours:question", args=[question.pk])
    response = client.post(url, {"action": "spot", "scheduled_at": "2020-01-01T10:00"})
    assert "The time has passed" in _field_errors(response.content.decode(), "scheduled_at")
    assert not Meeting.objects.exists()


def test_a_call_is_logged_held_once_and_an_early_one_keeps_both_its_times(
    client, cast, question, api
):
    services.make_spot_engagement(question, actor=cast.cse)
    meeting = Meeting.objects.get()
    ahead = api(cast.cse).post(
        f"/meetings/{meeting.pk}/schedule", {"scheduled_at": f"{NEXT_WEEK}T09:30:00+00:00"}
    )
    assert ahead.status_code == 200
    held = api(cast.cse).post(f"/meetings/{meeting.pk}/held", {"notes": "Split the pipeline."})
    assert held.status_code == 200
    meeting.refresh_from_db()
    # Booked for next week, held now: both stay, and the KPIs count when it happened.
    assert meeting.scheduled_at.date() == NEXT_WEEK
    assert meeting.held_at < meeting.scheduled_at
    assert held.json()["scheduled_at"].startswith(f"{NEXT_WEEK}T09:30")
    again = api(cast.cse).post(f"/meetings/{meeting.pk}/held", {"notes": "again"})
    assert again.status_code == 422
    assert again.json()["errors"][0]["message"] == "The call is logged as held already."
    meeting.refresh_from_db()
    assert meeting.notes == "Split the pipeline."


def test_a_spot_engagement_tells_the_csm_who_asked(client, cast, question):
    _as(client, cast.cse)
    url = reverse("officehours:question", args=[question.pk])
    client.post(url, {"action": "spot", "scheduled_at": f"{NEXT_WEEK}T16:00"})
    meeting = Meeting.objects.get()
    (told,) = [m for m in OutboundMessage.objects.all() if m.to == [cast.csm.email]]
    assert told.subject == "A call about: Monorepo pipelines"
    assert f"/meetings/{meeting.pk}/" in told.body_text and told.body_html


def test_the_api_asks_for_a_calls_time_with_its_offset(cast, question, api):
    services.make_spot_engagement(question, actor=cast.cse)
    meeting = Meeting.objects.get()
    naive = api(cast.cse).post(
        f"/meetings/{meeting.pk}/schedule", {"scheduled_at": f"{NEXT_WEEK}T09:30:00"}
    )
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["field"] == "scheduled_at"
    meeting.refresh_from_db()
    assert meeting.scheduled_at is None


def test_a_cse_holds_one_session_at_a_time(client, cast, session):
    _as(client, cast.cse)
    response = client.post(
        reverse("officehours:session-create"),
        {"s-title": "Second", "s-weekday": 2, "s-start_time": "16:30", "s-duration_minutes": 30},
    )
    assert "It overlaps" in response.content.decode()
    assert OfficeHourSession.objects.filter(cse=cast.cse).count() == 1
    after = client.post(
        reverse("officehours:session-create"),
        {"s-title": "Later", "s-weekday": 2, "s-start_time": "17:00", "s-duration_minutes": 30},
    )
    assert after.status_code == 302
    assert OfficeHourSession.objects.filter(cse=cast.cse).count() == 2
