"""Further questions: they go to the CSE who held the call, whoever entered them, due
within 1 business day of that CSE's calendar; answering records on time or late and
tells the AE."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rhythm.core.models import OutboundMessage
from rhythm.followups import services
from rhythm.people.services import calendar_of
from tests.core.test_api_auth_and_errors import assert_error
from tests.followups.test_followups import _book, _held, cta  # noqa: F401  (a fixture)


@pytest.fixture
def meeting(cta):  # noqa: F811
    return _held(cta).meeting


@pytest.mark.parametrize("asker", ["account_owner", "csm", "cse"])
def test_a_question_goes_to_the_cse_who_held_the_call(cast, meeting, asker):
    entered_by = getattr(cast, asker)
    asked = services.ask(meeting, actor=entered_by, question="Can runners autoscale?")
    assert asked.cse == meeting.cse == cast.cse and asked.asked_by == entered_by
    assert asked.due_at == calendar_of(cast.cse).add_days_at(asked.asked_at, 1)
    told = OutboundMessage.objects.get(idempotency_key=f"question:{asked.pk}:asked")
    assert told.to == [cast.cse.email]


def test_answering_records_on_time_or_late_and_tells_the_ae(cast, meeting):
    on_time = services.ask(meeting, actor=cast.csm, question="Autoscaling?")
    late = services.ask(meeting, actor=cast.csm, question="Spot instances?")
    services.answer(on_time, actor=cast.cse, text="Yes, with the fleet plugin.")
    services.answer(late, actor=cast.cse, text="Yes.", now=late.due_at + timedelta(minutes=1))
    services.answer(late, actor=cast.cse, text="Again.")  # once: nothing changes
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert (on_time.on_time, late.on_time, late.answer) == (True, False, "Yes.")
    told = OutboundMessage.objects.filter(idempotency_key__startswith="question:").filter(
        idempotency_key__endswith=":answered"
    )
    assert told.count() == 2 and all(m.to == [cast.account_owner.email] for m in told)


def test_only_the_cse_or_a_manager_answers(cast, meeting):
    asked = services.ask(meeting, actor=cast.csm, question="Autoscaling?")
    with pytest.raises(PermissionDenied):
        services.answer(asked, actor=cast.csm, text="I think so.")
    assert services.answer(asked, actor=cast.manager, text="Yes.").answered


def test_bad_questions_and_answers_are_refused_by_field(cast, cta, meeting):  # noqa: F811
    with pytest.raises(ValidationError) as refused:
        services.ask(meeting, actor=cast.csm, question="  ")
    assert list(refused.value.error_dict) == ["question"]
    with pytest.raises(ValidationError) as refused:
        services.ask(_book(cta), actor=cast.csm, question="Before the call?")
    assert refused.value.error_dict["meeting"][0].code == "not_held"
    asked = services.ask(meeting, actor=cast.csm, question="Autoscaling?")
    with pytest.raises(ValidationError) as refused:
        services.answer(asked, actor=cast.cse, text="")
    assert list(refused.value.error_dict) == ["answer"]


def test_questions_through_the_api(api, cast, meeting):
    asked = api(cast.account_owner).post(
        f"/meetings/{meeting.pk}/questions", {"question": "Can runners autoscale?"}
    )
    assert asked.status_code == 201, asked.content
    assert asked.json()["cse"] == cast.cse.pk
    assert_error(
        api(cast.csm).post(f"/meetings/{meeting.pk}/questions", {"question": ""}),
        422,
        field="question",
        rule="required",
    )
    question_id = asked.json()["id"]
    open_ones = api(cast.cse).get("/further-questions", answered="false").json()["items"]
    assert [q["id"] for q in open_ones] == [question_id]
    answered = api(cast.cse).post(f"/further-questions/{question_id}/answer", {"answer": "Yes."})
    assert answered.status_code == 200 and answered.json()["on_time"] is True
    assert api(cast.cse).get("/further-questions", answered="false").json()["items"] == []
