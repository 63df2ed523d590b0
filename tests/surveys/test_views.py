"""The public answer page, as the contact opens it from the email: no sign-in."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from rhythm.surveys.choices import SurveyKind
from rhythm.surveys.models import SurveyResponse
from tests.surveys.conftest import url_in_email


@pytest.fixture
def anonymous():
    return Client()


def _errors(html: str, field: str) -> str:
    """The error list under a field (core/forms/errors.html), its markup removed."""
    found = re.search(rf'<ul[^>]*id="id_{field}_error"[^>]*>(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""


def test_the_page_is_a_plain_form_in_one_row(anonymous, send):
    url = url_in_email(send(SurveyKind.NPS).survey)
    page = anonymous.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'type="radio"' in html and html.count('name="score"') == 11  # 0 … 10
    assert "rh-choices-radio" in html and '<form method="post"' in html
    assert 'name="viewport"' in html
    assert page["Cache-Control"].startswith("max-age=0")


def test_answering_thanks_and_a_second_answer_is_refused_politely(anonymous, send):
    url = url_in_email(send().survey)
    done = anonymous.post(url, {"score": "5", "comment": "Great call."})
    assert done.status_code == 200 and b'data-testid="survey-thanks"' in done.content
    again = anonymous.post(url, {"score": "1"})
    assert again.status_code == 409
    assert b"we already have your answer" in again.content
    assert anonymous.get(url).status_code == 200  # the link says so on a visit too
    assert list(SurveyResponse.objects.values_list("score", flat=True)) == [5]


@pytest.mark.parametrize("score", ["0", "6", "-1", "eleven"])
def test_a_score_out_of_range_names_the_field(anonymous, send, score):
    url = url_in_email(send().survey)
    page = anonymous.post(url, {"score": score})
    assert page.status_code == 422
    html = page.content.decode()
    assert 'aria-invalid="true"' in html
    assert "from 1 to 5" in _errors(html, "score") or "whole number" in _errors(html, "score")
    assert not SurveyResponse.objects.exists()


def test_no_score_names_the_field(anonymous, send):
    page = anonymous.post(url_in_email(send().survey), {"comment": "Hm."})
    assert page.status_code == 422 and "Choose a score from 1 to 5" in page.content.decode()


def test_a_tampered_link_gets_a_clear_page(anonymous, send):
    url = url_in_email(send().survey)
    for bad in (url[:-2] + "x/", url.replace("/answer/", "/answer/x"), url[:-10] + "/"):
        page = anonymous.get(bad)
        assert page.status_code == 404, bad
        assert b"This survey link is not valid" in page.content
        assert anonymous.post(bad, {"score": "5"}).status_code == 404


def test_an_expired_link_gets_a_clear_page(anonymous, send):
    survey = send().survey
    url = url_in_email(survey)
    with time_machine.travel(survey.expires_at + timedelta(minutes=1)):
        for page in (anonymous.get(url), anonymous.post(url, {"score": "5"})):
            assert page.status_code == 410
            assert b"This survey has closed" in page.content
    assert not SurveyResponse.objects.exists()


def test_the_public_page_is_rate_limited(anonymous, send, settings):
    settings.RHYTHM_SURVEY_RATE = "3/m"
    url = url_in_email(send().survey)
    with time_machine.travel("2025-03-04 10:00:05Z", tick=False):
        assert [anonymous.get(url).status_code for _ in range(3)] == [200, 200, 200]
        limited = anonymous.get(url)
        assert limited.status_code == 429 and b"Too many requests" in limited.content
        # A guesser trying tokens is counted the same way.
        assert anonymous.get(url[:-5] + "abcd/").status_code == 429


def test_the_request_page_shows_the_engagements_answers(client, cast, send, account):
    from rhythm.engagements import services as engagements
    from tests.engagements.helpers import STAKEHOLDER, service_data
    from tests.factories import ObjectiveFactory, SuccessPlanFactory

    objective = ObjectiveFactory(success_plan=SuccessPlanFactory(account=account))
    request_ = engagements.file_request(cast.csm, service_data(account, objective), [STAKEHOLDER])
    survey = send(SurveyKind.NPS, subject=request_).survey
    anonymous = Client()
    anonymous.post(url_in_email(survey), {"score": "9", "comment": "Would recommend."})
    client.force_login(cast.csm)
    page = client.get(request_.get_absolute_url()).content.decode()
    assert 'data-testid="survey-panel"' in page and "9 of 10" in page and "Would recommend." in page


def test_the_cse_page_shows_their_figures(client, cast, send):
    url = url_in_email(send().survey)
    Client().post(url, {"score": "4"})
    client.force_login(cast.manager)
    page = client.get(f"/team/{cast.cse.pk}/").content.decode()
    assert 'data-testid="member-csat"' in page and "4.0 of 5" in page
    assert "1 of 1 answered (100%)" in page


def test_an_empty_post_names_the_score(anonymous, send):
    page = anonymous.post(url_in_email(send().survey), {})
    assert page.status_code == 422 and "Choose a score from 1 to 5" in page.content.decode()
