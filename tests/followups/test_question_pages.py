"""The further questions' pages: the CSE's list of open questions with due times and
an answer form; the ask page, whose topic refusal links to a new request filled in;
the request form reading that link."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rhythm.followups import clocks
from rhythm.followups.choices import ClockKind
from rhythm.followups.models import FollowUp, FurtherQuestion
from rhythm.meetings.models import Meeting
from tests.followups.test_followups import _held, cta  # noqa: F401  (a fixture)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def meeting(cta):  # noqa: F811
    return _held(cta).meeting


def _ask(client, meeting, **data):
    return client.post(reverse("followups:ask", args=[meeting.pk]), data)


def test_the_csm_enters_a_question_and_the_cse_answers_it_on_the_page(cast, meeting):
    response = _ask(_client(cast.csm), meeting, question="Can runners autoscale?")
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    asked = FurtherQuestion.objects.get()
    assert asked.cse == cast.cse and asked.asked_by == cast.csm
    cse = _client(cast.cse)
    page = cse.get(reverse("followups:questions")).content.decode()
    assert "Can runners autoscale?" in page and 'data-testid="answer-form"' in page
    assert 'data-state="on_time"' in page or 'data-state="due_soon"' in page
    answer = reverse("followups:answer", args=[asked.pk])
    empty = cse.post(answer, {f"q{asked.pk}-answer": "  "})
    assert empty.status_code == 422 and "Write the answer." in empty.content.decode()
    done = cse.post(answer, {f"q{asked.pk}-answer": "Yes, with the fleet plugin."})
    assert done.status_code == 302
    asked.refresh_from_db()
    assert asked.answer == "Yes, with the fleet plugin." and asked.on_time
    assert "Can runners autoscale?" not in cse.get(reverse("followups:questions")).content.decode()


def test_the_csm_reads_the_open_questions_without_an_answer_form(cast, meeting):
    _ask(_client(cast.csm), meeting, question="Spot instances?")
    page = _client(cast.csm).get(reverse("followups:questions")).content.decode()
    assert "Spot instances?" in page and 'data-testid="answer-form"' not in page


def test_an_empty_question_is_refused_beside_its_field(cast, meeting):
    response = _ask(_client(cast.csm), meeting, question="")
    assert response.status_code == 422 and "Write the question." in response.content.decode()
    assert not FurtherQuestion.objects.exists()


def test_a_question_five_weeks_later_is_refused_with_a_link_to_a_new_request(cast, meeting):
    five_weeks_ago = timezone.now() - timedelta(weeks=5)
    Meeting.objects.filter(pk=meeting.pk).update(held_at=five_weeks_ago)
    FollowUp.objects.filter(meeting=meeting).update(opened_at=five_weeks_ago)
    response = _ask(_client(cast.csm), meeting, question="Can we also migrate Jenkins?")
    page = response.content.decode()
    assert response.status_code == 422 and not FurtherQuestion.objects.exists()
    assert 'data-rule="stale_contact"' in page or 'data-rule="previous_quarter"' in page
    assert "open a new request" in page
    link = page.split('data-testid="new-request-link"', 1)[0].rsplit('href="', 1)[1].split('"')[0]
    link = link.replace("&amp;", "&")
    url = urlsplit(link)
    assert url.path == reverse("engagements:create", args=[meeting.account_id])
    query = parse_qs(url.query)
    case = meeting.cta.case
    assert query["offering"] == [str(case.offering_id)]
    assert query["contact"] == [str(case.contact_id)]
    assert query["topic"] == ["Can we also migrate Jenkins?"]
    form = _client(cast.csm).get(link).content.decode()
    assert 'value="Can we also migrate Jenkins?"' in form  # the title
    assert f'<option value="{case.offering_id}" selected>' in form
    assert case.contact.name in form  # the first stakeholder


def test_a_topic_marked_new_is_refused_with_its_rule(cast, meeting):
    response = _ask(_client(cast.cse), meeting, question="SAML?", new_topic="on")
    assert response.status_code == 422
    assert 'data-rule="new_topic"' in response.content.decode()


def test_the_cse_pauses_and_resumes_a_questions_clock_on_the_page(cast, meeting):
    _ask(_client(cast.csm), meeting, question="Autoscaling?")
    asked = FurtherQuestion.objects.get()
    cse = _client(cast.cse)
    pause = reverse("followups:pause", args=["question", asked.pk])
    refused = cse.post(pause, {"reason": ""}, follow=True)
    assert "Reason: Say why the clock waits" in refused.content.decode()
    cse.post(pause, {"reason": "Waiting on their runner logs."})
    asked.refresh_from_db()
    assert asked.paused and asked.pause_reason == "Waiting on their runner logs."
    page = cse.get(reverse("followups:questions")).content.decode()
    assert 'data-state="paused"' in page and "Resume the clock" in page
    cse.post(reverse("followups:resume", args=["question", asked.pk]))
    asked.refresh_from_db()
    assert not asked.paused
    assert clocks.clock_of(ClockKind.QUESTION, asked).state != "paused"


def test_the_meeting_page_offers_to_enter_a_question(cast, meeting):
    page = _client(cast.csm).get(meeting.get_absolute_url()).content.decode()
    assert reverse("followups:ask", args=[meeting.pk]) in page
