from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from rhythm.core.models import OutboundMessage
from rhythm.engagements import services as engagements
from rhythm.surveys import selectors, services
from rhythm.surveys.choices import SurveyKind
from rhythm.surveys.models import Survey, SurveyResponse
from rhythm.timeline.models import TimelineEntry
from tests.engagements.helpers import STAKEHOLDER, move, service_data
from tests.factories import ContactFactory
from tests.surveys.conftest import token_in_email, url_in_email


def test_sending_writes_the_survey_and_its_email_once(send, survey_contact, cast, settings):
    first = send()
    again = send()
    assert first.created and not again.created
    assert again.survey.pk == first.survey.pk
    assert Survey.objects.count() == 1
    message = OutboundMessage.objects.get()
    assert message.to == [survey_contact.email] and message.reply_to == [cast.cse.email]
    assert url_in_email(first.survey) == first.url
    assert first.url.startswith(settings.SITE_URL)
    survey = first.survey
    assert survey.expires_at - survey.sent_at == timedelta(days=30)
    assert survey.account_id == survey_contact.account_id
    # The table holds the token's hash, never the token.
    assert token_in_email(survey) not in survey.token_hash
    assert TimelineEntry.objects.filter(kind="survey", account=survey.account).count() == 1


def test_the_expiry_is_a_setting(send, settings):
    settings.RHYTHM_SURVEY_EXPIRY_DAYS = 7
    survey = send().survey
    assert survey.expires_at - survey.sent_at == timedelta(days=7)


def test_tokens_are_unguessable(send, subject, cast, account):
    tokens = {token_in_email(send().survey)}
    for n in range(3):
        contact = ContactFactory(account=account, email=f"c{n}@customer.example")
        tokens.add(token_in_email(services.send_survey(SurveyKind.CSAT, subject, contact).survey))
    assert len(tokens) == 4
    assert all(len(t) == 43 for t in tokens)  # 32 random bytes: 256 bits


def test_the_email_goes_once_delivered(send, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send()
    with django_capture_on_commit_callbacks(execute=True):
        send()
    assert len(mail.outbox) == 1 and "/surveys/answer/" in mail.outbox[0].body


def test_a_contact_without_an_address_is_refused_naming_the_field(subject, account):
    contact = ContactFactory(account=account, email="")
    with pytest.raises(ValidationError) as caught:
        services.send_survey(SurveyKind.CSAT, subject, contact)
    assert list(caught.value.error_dict) == ["contact"]
    assert not Survey.objects.exists() and not OutboundMessage.objects.exists()


def test_an_answer_is_recorded_once(send):
    survey = send().survey
    token = token_in_email(survey)
    response = services.answer(token, score=4, comment=" Quick and clear. ")
    assert (response.score, response.comment) == (4, "Quick and clear.")
    with pytest.raises(services.LinkRefused) as caught:
        services.answer(token, score=1)
    assert caught.value.state == "answered"
    survey.refresh_from_db()
    assert survey.answered_at == response.created_at
    assert SurveyResponse.objects.get().score == 4
    assert TimelineEntry.objects.filter(kind="survey", title__contains="4 of 5").exists()


@pytest.mark.parametrize(("kind", "score"), [(SurveyKind.CSAT, 0), (SurveyKind.NPS, 11)])
def test_a_score_off_the_scale_names_the_field_and_records_nothing(send, kind, score):
    token = token_in_email(send(kind).survey)
    with pytest.raises(ValidationError) as caught:
        services.answer(token, score=score)
    error = caught.value.error_dict["score"][0]
    assert error.code == "out_of_range"
    assert not SurveyResponse.objects.exists()
    services.answer(token, score=3)  # the link is still open


def test_a_link_expires(send):
    survey = send().survey
    token = token_in_email(survey)
    with time_machine.travel(survey.expires_at + timedelta(seconds=1)):
        with pytest.raises(services.LinkRefused) as caught:
            services.answer(token, score=5)
        assert caught.value.state == "expired"
    with time_machine.travel(survey.expires_at - timedelta(seconds=1)):
        services.answer(token, score=5)


def test_a_tampered_token_opens_nothing(send):
    token = token_in_email(send().survey)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, "", "x" * 200, "../../etc"):
        with pytest.raises(services.LinkRefused) as caught:
            services.answer(bad, score=5)
        assert caught.value.state == "invalid"


def test_completing_an_engagement_sends_its_stakeholders_the_nps(
    cast, account, objective, covering_cse, contact
):
    request_ = engagements.file_request(cast.csm, service_data(account, objective), [STAKEHOLDER])
    ContactFactory(account=contact.account, name="Not A Stakeholder")
    move(request_, cast.manager, "started", cse=covering_cse.pk)
    move(request_, covering_cse, "complete")
    survey = Survey.objects.get()
    assert (survey.kind, survey.contact, survey.cse) == ("nps", contact, covering_cse)
    assert survey.subject == request_ and survey.about == request_.title
    assert list(selectors.about(cast.manager, request_)) == [survey]
    # Closing it afterwards sends nothing more.
    move(request_, covering_cse, "closed", reason="Done")
    assert Survey.objects.count() == 1


def test_kpis_per_cse_and_period(cast, send, subject, account):
    ana = send().survey
    services.answer(token_in_email(ana), score=5)
    for n, score in enumerate([9, 10, 3, None]):
        contact = ContactFactory(account=account, email=f"n{n}@customer.example")
        sent = services.send_survey(SurveyKind.NPS, subject, contact, cse=cast.cse).survey
        if score is not None:
            services.answer(token_in_email(sent), score=score)
    other = ContactFactory(account=account, email="other@customer.example")
    services.send_survey(SurveyKind.CSAT, subject, other, cse=cast.manager)

    mine = selectors.in_period(Survey.objects.all(), cse=cast.cse)
    figures = selectors.kpis(mine)
    assert figures["csat"].average == 5 and figures["csat"].response_rate == 100
    assert figures["nps"].nps == pytest.approx(100 * (2 - 1) / 3)
    assert figures["nps"].response_rate == 75
    everyone = selectors.kpis(Survey.objects.all())["csat"]
    assert (everyone.sent, everyone.answered) == (2, 1)
    later = selectors.in_period(Survey.objects.all(), since=timezone.now() + timedelta(days=1))
    assert selectors.kpis(later)["nps"].sent == 0


def test_the_nps_goes_to_the_stakeholders_contact_row_not_a_namesake(
    cast, account, objective, covering_cse, contact
):
    """Two contacts named alike: the stakeholder given with an email is that one's
    row, and only they are asked."""
    namesake = ContactFactory(account=contact.account, name=contact.name, email="other@x.example")
    person = {**STAKEHOLDER, "name": contact.name, "email": contact.email.upper()}
    request_ = engagements.file_request(cast.csm, service_data(account, objective), [person])
    assert request_.stakeholders.get().contact == contact
    move(request_, cast.manager, "started", cse=covering_cse.pk)
    move(request_, covering_cse, "complete")
    assert [s.contact for s in Survey.objects.all()] == [contact]
    assert namesake not in {s.contact for s in Survey.objects.all()}


def test_a_stakeholders_bad_email_is_refused_by_its_field(cast, account, objective):
    person = {**STAKEHOLDER, "email": "not-an-email"}
    with pytest.raises(ValidationError) as refused:
        engagements.file_request(cast.csm, service_data(account, objective), [person])
    assert refused.value.error_dict["stakeholders.0.email"][0].code == "invalid"


def test_migrate_creates_the_rate_limits_table_the_cache_reads(db):
    """The table is the cache's LOCATION (createcachetable takes table names): a
    deployment's first public page counts its rate limit there, no 500."""
    table = settings.CACHES[settings.RATELIMIT_USE_CACHE]["LOCATION"]
    if not settings.CACHES[settings.RATELIMIT_USE_CACHE]["BACKEND"].endswith("DatabaseCache"):
        pytest.skip("the rate limits count in Redis here")
    services.ensure_rate_limit_table()
    assert table in connection.introspection.table_names()
    cache = caches[settings.RATELIMIT_USE_CACHE]
    assert cache.add("rhythm-test-key", 1, 5) and cache.get("rhythm-test-key") == 1


# --- A survey to an address alone (a webinar's attendee who is no contact) ----------------


def test_a_survey_to_an_address_goes_once_and_writes_no_account_line(subject, cast):
    first = services.send_survey(
        SurveyKind.CSAT, subject, email=" Dee@Elsewhere.example ", name="Dee", cse=cast.cse
    )
    again = services.send_survey(SurveyKind.CSAT, subject, email="dee@elsewhere.example")
    assert first.created and not again.created and again.survey.pk == first.survey.pk
    survey = first.survey
    assert (survey.contact_id, survey.account_id) == (None, None)
    assert (survey.recipient_name, survey.recipient_email) == ("Dee", "dee@elsewhere.example")
    assert OutboundMessage.objects.get().to == ["dee@elsewhere.example"]
    assert not TimelineEntry.objects.filter(kind="survey").exists()
    # Answered through its link like any other, and counted in the KPIs of those who
    # see every account.
    services.answer(token_in_email(survey), score=5)
    figures = selectors.kpis(selectors.surveys(cast.manager))[SurveyKind.CSAT]
    assert (figures.sent, figures.answered, figures.average) == (1, 1, 5)
    assert not TimelineEntry.objects.filter(kind="survey").exists()


def test_a_contact_and_an_address_alike_are_asked_once_each(send, subject, survey_contact):
    send()
    # The contact's address given alone is another person to the survey: the shapes
    # do not merge, each keeps its own once.
    services.send_survey(SurveyKind.CSAT, subject, email="someone@else.example")
    services.send_survey(SurveyKind.CSAT, subject, email="someone@else.example")
    send()
    assert Survey.objects.count() == 2
    assert sorted(Survey.objects.values_list("recipient_email", flat=True)) == [
        "ana@customer.example",
        "someone@else.example",
    ]


@pytest.mark.parametrize("email", ["", "not-an-address"])
def test_no_contact_and_no_good_address_is_refused_naming_the_field(subject, email):
    with pytest.raises(ValidationError) as caught:
        services.send_survey(SurveyKind.CSAT, subject, email=email)
    assert list(caught.value.error_dict) == ["email"]
    assert not Survey.objects.exists() and not OutboundMessage.objects.exists()


def test_an_address_survey_is_seen_only_by_those_who_see_every_account(subject, cast):
    survey = services.send_survey(SurveyKind.CSAT, subject, email="dee@elsewhere.example").survey
    assert list(selectors.surveys(cast.manager)) == [survey]
    assert not selectors.surveys(cast.account_owner).exists()
