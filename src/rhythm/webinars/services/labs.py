"""A lab's environment: the DRI's request (late under the lead time), the demo
architects' fulfilment with the code pair, redemptions and their access windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from rhythm.core import events, workflow
from rhythm.webinars import rules
from rhythm.webinars.choices import (
    RegistrationStatus,
    RequestStatus,
)
from rhythm.webinars.events import (
    CodeRedeemed,
    EnvironmentMoved,
    EnvironmentRequested,
)
from rhythm.webinars.models import (
    EnvironmentRequest,
    Redemption,
    Registration,
    RequestTransition,
    Webinar,
)
from rhythm.webinars.services.common import (
    FULFIL,
    _error,
)

# --- Lab environment requests ----------------------------------------------------------


@transaction.atomic
def file_environment_request(
    webinar: Webinar,
    *,
    actor: Any,
    late_reason: str = "",
    notes: str = "",
    now: datetime | None = None,
) -> EnvironmentRequest:
    """The DRI files the lab's environment request; under the lead time (7 calendar
    days by default) it is accepted only with the reason, flagged late."""
    now = now or timezone.now()
    webinar = Webinar.objects.select_for_update().get(pk=webinar.pk)
    if not webinar.is_lab:
        raise _error("webinar", "Only a hands-on lab needs an environment.", "not_a_lab")
    if webinar.host_id != actor.pk:
        raise PermissionDenied("The lab's DRI files its environment request.")
    if webinar.status in rules.FINISHED:
        raise workflow.TransitionConflict(webinar.status, "This lab is over.")
    earlier = EnvironmentRequest.objects.filter(webinar=webinar).first()
    if earlier is not None:
        return earlier  # filed already: a retry files nothing new
    timing = rules.request_timing(
        now.astimezone(webinar.zone).date(), webinar.day, settings.RHYTHM_LAB_REQUEST_LEAD_DAYS
    )
    if timing.days_before < 0:
        raise _error("webinar", "The lab has been delivered already.", "past")
    late_reason = (late_reason or "").strip()
    if timing.late and not late_reason:
        raise _error("late_reason", timing.reason_needed, "required")
    request = EnvironmentRequest.objects.create(
        webinar=webinar,
        filed_by=actor,
        filed_at=now,
        days_before=timing.days_before,
        late=timing.late,
        late_reason=late_reason if timing.late else "",
        notes=(notes or "").strip(),
    )
    RequestTransition.objects.create(
        subject=request, from_state="", to_state=RequestStatus.REQUESTED, actor=actor, at=now
    )
    events.publish(EnvironmentRequested(request, actor))
    return request


@transaction.atomic
def move_request(
    request: EnvironmentRequest,
    to: str,
    *,
    actor: Any,
    production_code: str | None = None,
    testing_code: str | None = None,
    expected_state: str = "",
    now: datetime | None = None,
) -> EnvironmentRequest:
    """A demo architect moves the request on the board; the codes go in on the way to
    Ready (both needed), the runners are verified on the way to Verified."""
    now = now or timezone.now()
    request = (
        EnvironmentRequest.objects.select_for_update().select_related("webinar").get(pk=request.pk)
    )
    codes = {
        "production_code": (
            production_code if production_code is not None else request.production_code
        ).strip(),
        "testing_code": (
            testing_code if testing_code is not None else request.testing_code
        ).strip(),
    }
    workflow.enforce(
        rules.REQUEST_FLOW,
        request.status,
        to,
        {rules.DEMO_ARCHITECT} if actor.has_perm(FULFIL) else set(),
        codes,
        expected_state=expected_state,
    )
    if codes["production_code"] and codes["production_code"] == codes["testing_code"]:
        raise _error(
            "testing_code", "The testing code must differ from the production code.", "same"
        )
    fields = ["production_code", "testing_code"]
    request.production_code, request.testing_code = codes["production_code"], codes["testing_code"]
    if to == RequestStatus.IN_PROGRESS and request.assignee_id is None:
        request.assignee = actor
        fields.append("assignee")
    if to == RequestStatus.VERIFIED:
        request.verified_at = now
        fields.append("verified_at")
    before = request.status
    workflow.record(
        request,
        RequestTransition(subject=request),
        to,
        actor=actor,
        update_fields=tuple(fields),
        at=now,
    )
    events.publish(EnvironmentMoved(request, before, to, actor))
    return request


# --- Redemption and access windows -----------------------------------------------------


@dataclass(frozen=True)
class Redeemed:
    redemption: Redemption
    instructions: str


@transaction.atomic
def redeem(webinar: Webinar, *, email: str, code: str, now: datetime | None = None) -> Redeemed:
    """A registrant redeems the lab's production code with their registration email:
    their access window starts. Refusals never tell whether the email is registered."""
    now = now or timezone.now()
    webinar = (
        Webinar.objects.select_for_update(of=("self",))
        .select_related("lab_template")
        .get(pk=webinar.pk)
    )
    request = EnvironmentRequest.objects.filter(webinar=webinar).first()
    email = (email or "").strip().lower()
    registration = (
        Registration.objects.select_for_update()
        .filter(webinar=webinar, email=email, status=RegistrationStatus.CONFIRMED)
        .first()
    )
    redeemed_before = (
        registration is not None and Redemption.objects.filter(registration=registration).exists()
    )
    problem = rules.redemption_problem(
        status=webinar.status,
        is_lab=webinar.is_lab,
        event_day=webinar.day,
        today=now.astimezone(webinar.zone).date(),
        registered=registration is not None,
        code_matches=request is not None
        and request.status in (RequestStatus.READY, RequestStatus.VERIFIED)
        and rules.same_code(code or "", request.production_code),
        redeemed_before=redeemed_before,
    )
    if problem:
        raise _error("code", problem, "refused")
    assert registration is not None  # the rule refused otherwise
    redemption = Redemption.objects.create(
        registration=registration,
        webinar=webinar,
        redeemed_at=now,
        access_ends_at=now + timedelta(days=webinar.access_days or 2),
    )
    # Whoever redeems on the day is there.
    if not registration.attended:
        registration.attended = True
        registration.save(update_fields=["attended", "updated_at"])
    events.publish(CodeRedeemed(redemption))
    template = webinar.lab_template
    return Redeemed(redemption, template.instructions if template else "")


def end_access_windows(now: datetime | None = None) -> int:
    """End every access window that is over; how many ended. A conditional UPDATE, so
    two workers end each once."""
    now = now or timezone.now()
    return Redemption.objects.filter(ended_at__isnull=True, access_ends_at__lte=now).update(
        ended_at=now
    )


def redemption_counts(webinars) -> dict[int, int]:
    """Redemptions per event, in one query (the program manager's live figure)."""
    return dict(
        Redemption.objects.filter(webinar__in=webinars)
        .values_list("webinar")
        .annotate(n=Count("id"))
        .values_list("webinar", "n")
    )
