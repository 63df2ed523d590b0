"""Surveys over the API: read-only, through the one access rule."""

from django.test import Client

from rhythm.people.choices import Role
from rhythm.surveys import services
from rhythm.surveys.choices import SurveyKind
from tests.factories import UserFactory
from tests.surveys.conftest import url_in_email


def test_surveys_and_their_answers(api, cast, send):
    survey = send().survey
    Client().post(url_in_email(survey), {"score": "4", "comment": "Helpful."})
    send(SurveyKind.NPS)
    body = api(cast.manager).get("/surveys", kind="csat").json()
    assert body["count"] == 1
    (listed,) = body["items"]
    assert listed["state"] == "answered" and listed["subject_type"] == "customers.opportunity"
    assert listed["response"]["score"] == 4 and listed["cse"] == cast.cse.pk
    assert "token" not in str(listed)
    one = api(cast.manager).get(f"/surveys/{survey.pk}").json()
    assert one["response"]["comment"] == "Helpful."
    waiting = api(cast.manager).get("/surveys", answered="false").json()["items"]
    assert [s["kind"] for s in waiting] == ["nps"] and waiting[0]["response"] is None
    answers = api(cast.manager).get("/survey-responses", cse=cast.cse.pk).json()["items"]
    assert [(a["survey"], a["score"]) for a in answers] == [(survey.pk, 4)]


def test_kpis_per_cse(api, cast, send):
    Client().post(url_in_email(send().survey), {"score": "5"})
    send(SurveyKind.NPS)
    figures = api(cast.manager).get("/survey-kpis", cse=cast.cse.pk).json()
    assert figures["csat"]["average"] == 5 and figures["csat"]["distribution"]["5"] == 1
    assert figures["nps"]["sent"] == 1 and figures["nps"]["response_rate"] == 0
    assert api(cast.manager).get("/survey-kpis", since="yesterday").status_code == 422


def test_an_account_one_may_not_see_hides_its_surveys(api, cast, send):
    survey = send().survey
    assert api(cast.account_owner).get(f"/surveys/{survey.pk}").status_code == 200
    outsider_ae = UserFactory(username="other-ae", roles=[Role.ACCOUNT_OWNER])
    assert api(outsider_ae).get(f"/surveys/{survey.pk}").status_code == 404
    assert api(outsider_ae).get("/surveys").json()["count"] == 0
    assert api(outsider_ae).get("/survey-kpis").json()["csat"]["sent"] == 0


def test_a_survey_to_an_address_reads_with_no_account(api, cast, subject):
    survey = services.send_survey(
        SurveyKind.CSAT, subject, email="dee@elsewhere.example", name="Dee"
    ).survey
    page = Client().get(url_in_email(survey))
    assert page.status_code == 200 and "Dee, a quick question" in page.text
    Client().post(url_in_email(survey), {"score": "3"})
    listed = api(cast.manager).get(f"/surveys/{survey.pk}").json()
    assert (listed["account"], listed["contact"]) == (None, None)
    assert listed["recipient_email"] == "dee@elsewhere.example"
    assert listed["response"]["score"] == 3
    assert api(cast.manager).get("/survey-kpis").json()["csat"]["average"] == 3
    assert api(cast.account_owner).get(f"/surveys/{survey.pk}").status_code == 404
