import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from rhythm.core.models import OutboundMessage
from rhythm.core.workflow import TransitionConflict
from rhythm.ctas.choices import CtaStatus, TaskStatus
from rhythm.ctas.models import Cta, CtaTask
from rhythm.engagements import capacity, services
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest, Transition
from rhythm.engagements.services import DeliverableAnswer
from tests.engagements.helpers import move
from tests.engagements_fixtures import TARGET_START
from tests.factories import ObjectiveFactory, UserFactory


@pytest.fixture
def request_data(account, objective):
    return {
        "account": account.pk,
        "objective": objective.pk,
        "title": "CI adoption for three product teams",
        "effort_kind": "duration",
        "duration_weeks": 6,
        "hours_per_week": Decimal("6"),
        "target_start_date": TARGET_START,
        "outcome": "Every product team runs its pipeline on GitLab CI.",
        "metrics": ["Pipelines under 10 minutes"],
        "deliverables": ["Reference .gitlab-ci.yml", "Two workshops"],
    }


STAKEHOLDERS = [{"name": "Ana Costa", "role_title": "VP Eng", "responsibilities": "Sponsor"}]


@pytest.fixture
def request_(cast, request_data):
    return services.file_request(cast.csm, request_data, STAKEHOLDERS)


def test_filing_names_every_missing_part(cast, account):
    with pytest.raises(ValidationError) as caught:
        services.file_request(
            cast.csm,
            {"account": account.pk, "objective": ObjectiveFactory().pk, "effort_kind": "duration"},
            [{"name": "Ana"}],
        )
    assert set(caught.value.error_dict) >= {
        "objective",
        "duration_weeks",
        "target_start_date",
        "metrics",
        "deliverables",
        "stakeholders.0.role_title",
        "stakeholders.0.responsibilities",
    }
    assert caught.value.error_dict["objective"][0].code == "wrong_account"
    assert not EngagementRequest.objects.exists()


def test_only_csms_file_requests(cast, request_data):
    with pytest.raises(PermissionDenied):
        services.file_request(cast.cse, request_data, STAKEHOLDERS)


def test_the_whole_review_path_closes_request_and_cta(cast, request_, covering_cse):
    assert request_.state == RequestState.REVIEW
    move(request_, cast.manager, "clarification", reason="Which runners do they use?")
    move(request_, cast.csm, "review", reason="Self-managed Linux runners.")
    suggestions = capacity.suggest_cses(request_)
    assert suggestions[0].user_id == covering_cse.pk
    move(request_, cast.manager, "started", cse=covering_cse.pk)
    request_.refresh_from_db()
    assert request_.assigned_cse == covering_cse
    cta = Cta.objects.get(request=request_)
    assert cta.owner == covering_cse and cta.status == CtaStatus.IN_PROGRESS
    move(request_, covering_cse, "complete")
    done = _mail_to(cast.manager)[-1]
    assert done.subject == f"Complete: {request_.title}"
    assert "Close it to close its CTA." in done.body_text
    move(request_, covering_cse, "closed")
    request_.refresh_from_db()
    cta.refresh_from_db()
    assert request_.state == RequestState.CLOSED and cta.status == CtaStatus.CLOSED
    history = list(Transition.objects.filter(request=request_).values_list("to_state", "actor"))
    assert history == [
        ("review", cast.csm.pk),
        ("clarification", cast.manager.pk),
        ("review", cast.csm.pk),
        ("started", cast.manager.pk),
        ("complete", covering_cse.pk),
        ("closed", covering_cse.pk),
    ]
    assert set(services.time_in_states(request_)) == {
        RequestState.REVIEW,
        RequestState.CLARIFICATION,
        RequestState.STARTED,
        RequestState.COMPLETE,
        RequestState.CLOSED,
    }


def test_refusals_name_the_rule(cast, request_, covering_cse):
    with pytest.raises(PermissionDenied, match="Only a CSE manager"):
        move(request_, cast.csm, "started", cse=covering_cse.pk)
    with pytest.raises(TransitionConflict) as conflict:
        move(request_, cast.manager, "complete")
    assert conflict.value.current_state == RequestState.REVIEW
    with pytest.raises(ValidationError) as caught:
        move(request_, cast.manager, "rejected", reason="Out of scope")
    assert "reason_code" in caught.value.error_dict
    move(request_, cast.manager, "rejected", reason="Out of scope", reason_code="out_of_scope")
    assert Transition.objects.filter(request=request_, reason_code="out_of_scope").exists()


def test_over_capacity_needs_confirmation(cast, request_, covering_cse):
    covering_cse.weekly_capacity_hours = Decimal("2")
    covering_cse.save()
    with pytest.raises(ValidationError) as caught:
        move(request_, cast.manager, "started", cse=covering_cse.pk)
    assert caught.value.error_dict["confirm_over_capacity"][0].code == "over_capacity"
    move(request_, cast.manager, "started", cse=covering_cse.pk, confirm_over_capacity=True)
    assert Transition.objects.get(request=request_, to_state="started").over_capacity


def test_choosing_a_cse_outside_the_segment_needs_a_reason(cast, request_):
    outsider_cse = UserFactory(roles=["cse"], covered_regions=["APAC"])
    with pytest.raises(ValidationError) as caught:
        move(request_, cast.manager, "started", cse=outsider_cse.pk)
    assert "override_reason" in caught.value.error_dict
    move(
        request_,
        cast.manager,
        "started",
        cse=outsider_cse.pk,
        override_reason="Only Japanese speaker on the team",
    )


def test_a_stale_expected_state_is_a_conflict(cast, request_):
    move(request_, cast.manager, "clarification", reason="?")
    with pytest.raises(TransitionConflict):
        move(request_, cast.manager, "rejected", expected_state="review", reason="x")


def test_capacity_shows_eight_weeks_per_cse(cast, request_, covering_cse):
    move(request_, cast.manager, "started", cse=covering_cse.pk)
    rows = {row.user.pk: row for row in capacity.capacity(first_week=TARGET_START)}
    weeks = rows[covering_cse.pk].weeks
    assert len(weeks) == 8
    assert weeks[:6] == [Decimal("6")] * 6 and weeks[6:] == [Decimal(0)] * 2
    assert rows[covering_cse.pk].active_engagements == 1


@pytest.mark.django_db(transaction=True)
def test_two_managers_qualifying_at_once_one_wins(cast, request_data, covering_cse):
    request = services.file_request(cast.csm, request_data, STAKEHOLDERS)
    second_manager = UserFactory(roles=["cse_manager"])
    barrier = threading.Barrier(2)
    outcomes = []

    def qualify(manager):
        try:
            barrier.wait()
            move(request, manager, "started", cse=covering_cse.pk)
            outcomes.append("won")
        except TransitionConflict as exc:
            outcomes.append(f"conflict:{exc.current_state}")
        finally:
            connection.close()

    threads = [threading.Thread(target=qualify, args=(m,)) for m in (cast.manager, second_manager)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict:started", "won"]
    assert Transition.objects.filter(request=request, to_state="started").count() == 1
    assert Cta.objects.filter(request=request).count() == 1


def test_an_engagement_started_in_the_past_still_counts_from_today(
    cast, request_data, covering_cse
):
    request = services.file_request(
        cast.csm,
        {**request_data, "target_start_date": date.today() - timedelta(days=30)},
        STAKEHOLDERS,
        filed_on=date.today() - timedelta(days=40),
    )
    move(request, cast.manager, "started", cse=covering_cse.pk)
    row = next(r for r in capacity.capacity() if r.user.pk == covering_cse.pk)
    assert row.weeks[0] == Decimal("6")


def test_suggestions_judge_room_over_the_engagements_own_weeks(cast, request_data, covering_cse):
    """Free this week but booked from the target start: the CSE has no room for it.

    Judged on this week alone, the suggestion and the capacity page disagreed."""
    busy = services.file_request(
        cast.csm, {**request_data, "hours_per_week": Decimal("38")}, STAKEHOLDERS
    )
    move(busy, cast.manager, "started", cse=covering_cse.pk)
    later = services.file_request(
        cast.csm, {**request_data, "duplicate_reason": "A second phase."}, STAKEHOLDERS
    )
    mine = next(s for s in capacity.suggest_cses(later) if s.user_id == covering_cse.pk)
    assert not mine.fits_capacity
    assert mine.free_hours == Decimal("2")
    assert capacity.engagement_weeks(later) == (TARGET_START, 6)
    with pytest.raises(ValidationError) as refused:
        move(later, cast.manager, "started", cse=covering_cse.pk)
    assert "confirm_over_capacity" in refused.value.error_dict

    # A one-off this week, before the busy engagement begins, fits.
    now = services.file_request(
        cast.csm,
        {
            **request_data,
            "effort_kind": "one_off",
            "target_start_date": date.today(),
            "duplicate_reason": "A one-off before phase two.",
        },
        STAKEHOLDERS,
    )
    mine = next(s for s in capacity.suggest_cses(now) if s.user_id == covering_cse.pk)
    assert mine.fits_capacity


def _mail_to(person) -> list[OutboundMessage]:
    return [m for m in OutboundMessage.objects.order_by("id") if person.email in m.to]


def test_each_move_tells_whoever_acts_next_by_email(cast, request_, covering_cse):
    """Managers hear of a new request; the CSM of the question, the manager of the
    answer, the CSE of the assignment, the manager of the completion; nobody hears
    of their own move, and each email is written once."""
    (filed,) = _mail_to(cast.manager)
    assert filed.subject == f"New request: {request_.title}"
    assert "waits for a CSE manager's review" in filed.body_text
    assert "Qualify it, ask the CSM, or reject it." in filed.body_text
    move(request_, cast.manager, "clarification", reason="Which teams first?")
    (question,) = _mail_to(cast.csm)
    assert question.subject == f"Clarification: {request_.title}"
    assert "Which teams first?" in question.body_text and "Which teams first?" in question.body_html
    assert f"/engagements/{request_.pk}/" in question.body_text
    assert question.reply_to == [cast.manager.email]
    assert _mail_to(cast.manager) == [filed]  # not told of their own question

    move(request_, cast.csm, "review", reason="Platform team first.")
    answer = _mail_to(cast.manager)[-1]
    assert "answered your question" in answer.body_text

    move(request_, cast.manager, "started", cse=covering_cse.pk)
    (assigned,) = _mail_to(covering_cse)
    assert f"assigned {covering_cse}" in assigned.body_text
    assert "Its CTA is on your list" in assigned.body_text
    assert len(_mail_to(cast.csm)) == 2

    move(request_, covering_cse, "complete")
    done = _mail_to(cast.manager)[-1]
    assert done.subject == f"Complete: {request_.title}"
    assert "Close it to close its CTA." in done.body_text
    move(request_, covering_cse, "closed")
    assert [m.subject.split(":")[0] for m in _mail_to(cast.csm)] == [
        "Clarification",
        "Started",
        "Complete",
        "Closed",
    ]
    assert len(_mail_to(covering_cse)) == 1  # not told of their own moves


def test_an_engagements_cta_is_due_when_the_engagement_ends(cast, request_, covering_cse):
    move(request_, cast.manager, "started", cse=covering_cse.pk)
    cta = Cta.objects.get(request=request_)
    assert cta.due_date == TARGET_START + timedelta(weeks=6)
    assert cta.name == f"{request_.account.name} - CSE Engagement: {request_.title}"


def test_a_requests_cta_closes_only_with_its_request(cast, request_, covering_cse):
    from rhythm.ctas import services as ctas

    move(request_, cast.manager, "started", cse=covering_cse.pk)
    cta = Cta.objects.get(request=request_)
    with pytest.raises(ValidationError) as refused:
        ctas.close(cta, actor=covering_cse)
    assert "closes with it" in str(refused.value)
    cta.refresh_from_db()
    assert cta.status != CtaStatus.CLOSED
    move(request_, covering_cse, "complete")
    done = _mail_to(cast.manager)[-1]
    assert done.subject == f"Complete: {request_.title}"
    assert "Close it to close its CTA." in done.body_text
    left = CtaTask.objects.create(cta=cta, position=99, title="Write the engagement summary")
    move(request_, covering_cse, "closed")
    cta.refresh_from_db()
    assert cta.status == CtaStatus.CLOSED
    # Nothing asked on the request's behalf: what was left open is skipped, naming it.
    left.refresh_from_db()
    assert left.status == TaskStatus.SKIPPED
    assert left.note == f"Skipped: its engagement request “{request_.title}” was closed."


def test_a_withdrawal_from_review_tells_the_managers(cast, request_):
    move(request_, cast.csm, "closed", reason="The customer postponed.")
    withdrawn = _mail_to(cast.manager)[-1]
    assert withdrawn.subject == f"Closed: {request_.title}"
    assert "The customer postponed." in withdrawn.body_text


# --- Duplicates ---------------------------------------------------------------

WHY = "Phase two: the platform team, after the app teams."


def test_a_second_request_on_the_objective_is_refused_naming_and_linking_the_first(
    cast, request_data, request_
):
    with pytest.raises(ValidationError) as caught:
        services.file_request(cast.csm, {**request_data, "title": "Again"}, STAKEHOLDERS)
    assert set(caught.value.error_dict) == {"duplicate_reason"}
    (error,) = caught.value.error_dict["duplicate_reason"]
    assert error.code == "duplicate"
    message = error.message % error.params
    assert (
        f"Request #{request_.pk} (CI adoption for three product teams) is still open on this "
        "objective (Review)." in message
    )
    assert request_.get_absolute_url() in message
    # Nothing half-written: no second request, stakeholder, transition or history.
    assert EngagementRequest.objects.count() == 1
    assert Transition.objects.count() == 1
    assert EngagementRequest.history.count() == 1


def test_validating_names_the_duplicate_with_the_other_errors(cast, request_data, request_):
    with pytest.raises(ValidationError) as caught:
        services.validate_request(cast.csm, {**request_data, "outcome": ""}, STAKEHOLDERS)
    assert set(caught.value.error_dict) == {"outcome", "duplicate_reason"}


def test_a_second_request_with_a_reason_is_filed_and_keeps_it(cast, request_data, request_):
    second = services.file_request(
        cast.csm, {**request_data, "duplicate_reason": f" {WHY} "}, STAKEHOLDERS
    )
    second.refresh_from_db()
    assert second.duplicate_reason == WHY
    assert second.state == RequestState.REVIEW


def test_a_started_request_is_still_open_a_rejected_one_is_not(
    cast, request_data, request_, covering_cse
):
    move(request_, cast.manager, "started", cse=covering_cse.pk)
    with pytest.raises(ValidationError):
        services.file_request(cast.csm, request_data, STAKEHOLDERS)
    second = services.file_request(
        cast.csm, {**request_data, "duplicate_reason": WHY}, STAKEHOLDERS
    )
    move(second, cast.manager, "rejected", reason="Same need.", reason_code="duplicate")
    # request_ is still started: a third still needs a reason ...
    with pytest.raises(ValidationError):
        services.file_request(cast.csm, request_data, STAKEHOLDERS)
    # ... and on an objective whose only request was rejected, none is needed.
    other = ObjectiveFactory(success_plan=request_.objective.success_plan, title="Adopt SAST")
    lone = services.file_request(cast.csm, {**request_data, "objective": other.pk}, STAKEHOLDERS)
    move(lone, cast.manager, "rejected", reason="Not now.", reason_code="no_capacity")
    again = services.file_request(cast.csm, {**request_data, "objective": other.pk}, STAKEHOLDERS)
    assert again.duplicate_reason == ""


def test_a_reason_for_a_request_that_repeats_nothing_is_not_kept(cast, request_data):
    alone = services.file_request(cast.csm, {**request_data, "duplicate_reason": WHY}, STAKEHOLDERS)
    alone.refresh_from_db()
    assert alone.duplicate_reason == ""


def test_marking_complete_records_each_deliverables_outcome(cast, request_, covering_cse):
    move(request_, cast.manager, "started", cse=covering_cse.pk)
    first, second = request_.deliverables[:2]
    answers = (
        DeliverableAnswer(achieved=True, on_time=False),
        DeliverableAnswer(achieved=False),
        *(DeliverableAnswer(achieved=True, on_time=True) for _ in request_.deliverables[2:]),
    )
    move(request_, covering_cse, "complete", deliverables=answers)
    outcomes = list(request_.deliverable_outcomes.values_list("text", "achieved", "on_time"))
    assert outcomes[:2] == [(first, True, False), (second, False, False)]
    completed = request_.transitions.get(to_state=RequestState.COMPLETE)
    assert set(request_.deliverable_outcomes.values_list("transition", flat=True)) == {completed.pk}


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ((), "deliverables"),
        ((DeliverableAnswer(),), "deliverables"),  # too few
        ((DeliverableAnswer(), DeliverableAnswer(True, True)), "deliverables.0.achieved"),
        ((DeliverableAnswer(True, True), DeliverableAnswer(True)), "deliverables.1.on_time"),
    ],
)
def test_marking_complete_without_the_answers_is_refused_naming_the_field(
    cast, request_, covering_cse, answers, field
):
    move(request_, cast.manager, "started", cse=covering_cse.pk)
    assert len(request_.deliverables) == 2
    with pytest.raises(ValidationError) as refused:
        move(request_, covering_cse, "complete", deliverables=answers)
    assert list(refused.value.message_dict) == [field]
    request_.refresh_from_db()
    # Nothing half-written: still started, no log row, no outcome.
    assert request_.state == RequestState.STARTED
    assert not request_.transitions.filter(to_state=RequestState.COMPLETE).exists()
    assert not request_.deliverable_outcomes.exists()
