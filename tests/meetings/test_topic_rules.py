"""DESIGN rule 9 when a call is booked on an engagement that has had its first call:
another offering, a topic marked new, four weeks without a customer contact, a
previous fiscal quarter, a fourth follow-up; each refused by its rule's code, in the
service, the API (422) and the booking page, with a link to a new request filled in."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rhythm.catalog.models import Offering
from rhythm.followups import services as followups
from rhythm.followups.models import FollowUp
from rhythm.meetings import services as meetings
from rhythm.meetings.models import Meeting
from tests.core.test_api_auth_and_errors import assert_error
from tests.followups.test_followups import PARTS, _book, _held, cta  # noqa: F401  (a fixture)


def _details(cta, **changes):  # noqa: F811
    starts = (timezone.now() + timedelta(days=6)).replace(tzinfo=None, microsecond=0)
    values = {"scheduled_at": starts, "contacts": list(cta.account.contacts.all()), **changes}
    return meetings.Details(**values)


def _other_offering(cta):  # noqa: F811
    return Offering.objects.active().exclude(pk=cta.case.offering_id).first()


def _code(exc) -> str:
    return exc.value.error_dict["topic"][0].code


def test_the_first_call_of_an_engagement_is_never_refused(cast, cta):  # noqa: F811
    details = _details(cta, new_topic=True, offering_id=_other_offering(cta).pk)
    assert meetings.book_for_cta(cta, actor=cast.cse, details=details).pk


def test_another_offering_or_a_new_topic_after_the_first_call_is_refused(cast, cta):  # noqa: F811
    _held(cta)
    with pytest.raises(ValidationError) as refused:
        meetings.book_for_cta(
            cta, actor=cast.cse, details=_details(cta, offering_id=_other_offering(cta).pk)
        )
    assert _code(refused) == "another_offering"
    assert reverse("engagements:create", args=[cta.account_id]) in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        meetings.book_for_cta(cta, actor=cast.cse, details=_details(cta, new_topic=True))
    assert _code(refused) == "new_topic"
    same = _details(cta, offering_id=cta.case.offering_id)
    assert meetings.book_for_cta(cta, actor=cast.cse, details=same).pk  # its own offering
    assert Meeting.objects.filter(cta=cta).count() == 2


def _held_weeks_ago(cta, weeks: int):  # noqa: F811
    follow_up = _held(cta)
    then = timezone.now() - timedelta(weeks=weeks)
    Meeting.objects.filter(pk=follow_up.meeting_id).update(held_at=then)
    FollowUp.objects.filter(pk=follow_up.pk).update(opened_at=then)


def test_a_call_five_weeks_after_the_last_contact_is_refused(cast, cta):  # noqa: F811
    _held_weeks_ago(cta, 5)
    with pytest.raises(ValidationError) as refused:
        meetings.book_for_cta(cta, actor=cast.cse, details=_details(cta))
    assert _code(refused) in {"stale_contact", "previous_quarter"}


def test_a_previous_quarters_engagement_is_never_reopened(cast, cta):  # noqa: F811
    follow_up = _held(cta)
    last_quarter = datetime(timezone.now().year - 1, 5, 1, 12, tzinfo=UTC)
    Meeting.objects.filter(pk=follow_up.meeting_id).update(held_at=last_quarter)
    # A question yesterday: the contact is fresh, the engagement is not.
    follow_up.meeting.further_questions.create(
        account_id=cta.account_id,
        cse=cast.cse,
        question="Still there?",
        asked_by=cast.csm,
        asked_at=timezone.now() - timedelta(days=1),
        due_at=timezone.now(),
    )
    with pytest.raises(ValidationError) as refused:
        meetings.book_for_cta(cta, actor=cast.cse, details=_details(cta))
    assert _code(refused) == "previous_quarter"


def test_a_fourth_call_and_its_follow_up_on_one_topic_is_refused(cast, cta):  # noqa: F811
    for _ in range(3):
        followups.send(_held(cta), actor=cast.cse, parts=PARTS)
    with pytest.raises(ValidationError) as refused:
        _book(cta)
    assert _code(refused) == "fourth_follow_up"


def test_the_api_refuses_another_offering_with_its_rule(api, cast, cta):  # noqa: F811
    _held(cta)
    response = api(cast.cse).post(
        "/meetings",
        {
            "cta": cta.pk,
            "scheduled_at": (timezone.now() + timedelta(days=6)).isoformat(),
            "offering": _other_offering(cta).pk,
        },
    )
    assert_error(response, 422, field="topic", rule="another_offering")


def test_the_booking_page_names_the_rule_and_links_to_a_new_request(cast, cta):  # noqa: F811
    _held(cta)
    client = Client()
    client.force_login(cast.cse)
    starts = (timezone.now() + timedelta(days=6)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("meetings:book", args=["cta", cta.pk]),
        {
            "scheduled_at": starts,
            "time_zone": "UTC",
            "duration_minutes": 45,
            "offering": _other_offering(cta).pk,
            "notes": "Their Jenkins migration",
        },
    )
    page = response.content.decode()
    assert response.status_code == 422 and 'data-rule="another_offering"' in page
    assert "Another catalog offering: open a new request." in page
    link = page.split('data-testid="new-request-link"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert link.startswith(reverse("engagements:create", args=[cta.account_id]) + "?")
    assert "topic=Their+Jenkins+migration" in link
    assert Meeting.objects.filter(cta=cta).count() == 1
