"""The demo's history: the use cases make every row "now", so that the KPIs would show
one month and latencies of zero. This step, run once after the others, spreads what
is done over the past eight months as a team's year would have left it: a request's
moves days or weeks apart, a case's CTA raised up to four hours after it was saved
(the seed's batch) and its outreach the next hours, surveys answered hours after
they went, follow-ups and answers on their own days, escalations decided; what is
still open stays recent. It also sends the post-event survey of the past events to
a few demo contacts, answered through its link.

Deterministic: a generator of its own, rows read in a fixed order, times counted
back from the demo's day. Bulk updates of the time fields only, so that it stays
fast; nothing here decides anything the services decide.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import F, Q

from rhythm.cases.models import Case
from rhythm.core.models import OutboundMessage
from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta
from rhythm.customers.models import Contact
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest, Transition
from rhythm.escalations.choices import EscalationState
from rhythm.escalations.models import Escalation, EscalationTransition
from rhythm.followups.models import FollowUp, FurtherQuestion
from rhythm.people.choices import Role
from rhythm.people.models import User
from rhythm.surveys import services as surveys
from rhythm.surveys.choices import SurveyKind
from rhythm.surveys.models import Survey, SurveyResponse
from rhythm.webinars.choices import WebinarStatus
from rhythm.webinars.models import Webinar

DAYS_BACK = 240  # about eight months
# Days a request typically stays in each state before its next move.
STAY_DAYS: dict[str, tuple[int, int]] = {
    RequestState.REVIEW.value: (1, 7),
    RequestState.CLARIFICATION.value: (1, 6),
    RequestState.STARTED.value: (14, 60),
    RequestState.COMPLETE.value: (2, 10),
}
DONE_REQUESTS = (
    RequestState.COMPLETE,
    RequestState.CLOSED,
    RequestState.REJECTED,
    RequestState.STARTED,
)


def load(today: date, seed: int) -> dict[str, int]:
    rng = random.Random(f"{seed}:history")
    now = datetime.combine(today, time(8), ZoneInfo("UTC"))
    _requests(rng, now)
    _cases(rng, now)
    _surveys(rng, now)
    _clocks(rng, now)
    _escalations(rng, now)
    return {"post-event surveys": _post_event_surveys(rng)}


def _back(rng: random.Random, now: datetime, low: int = 5, high: int = DAYS_BACK) -> timedelta:
    return timedelta(days=rng.randint(low, high), hours=rng.randint(0, 8))


def _shift(model: Any, pks: list[int], delta: timedelta, fields: tuple[str, ...]) -> None:
    """Every time field named moved `delta` earlier (an empty one stays empty)."""
    model.objects.filter(pk__in=pks).update(**{f: F(f) - delta for f in fields})


def _requests(rng: random.Random, now: datetime) -> None:
    """Each request filed days to months ago, its moves apart by a stay in each state
    (squeezed when they would reach today); open ones filed in the last weeks."""
    moves: dict[int, list[Transition]] = {}
    for move in Transition.objects.order_by("request_id", "at", "id"):
        moves.setdefault(move.request_id, []).append(move)
    changed = []
    for request in EngagementRequest.objects.order_by("pk").only("pk", "state"):
        done = request.state in DONE_REQUESTS
        filed = now - (_back(rng, now, 30) if done else _back(rng, now, 2, 25))
        own = moves.get(request.pk, [])
        stays = [timedelta(days=rng.uniform(*STAY_DAYS.get(m.to_state, (1, 3)))) for m in own]
        room = (now - filed) * 0.9
        total = sum(stays, timedelta())
        scale = min(1.0, room / total) if total else 1.0
        at = filed
        for move, stay in zip(own, [timedelta(hours=1), *stays[:-1]], strict=False):
            at += stay * scale
            move.at = at
            changed.append(move)
        EngagementRequest.objects.filter(pk=request.pk).update(created_at=filed)
    Transition.objects.bulk_update(changed, ["at"], batch_size=500)


def _cases(rng: random.Random, now: datetime) -> None:
    """A case saved, its CTA raised by the batch up to four hours later, accepted and
    the customer contacted within the next day or two; open CTAs stay this week's."""
    for case in Case.objects.exclude(cta=None).select_related("cta").order_by("pk"):
        cta = case.cta
        recent = cta.status == CtaStatus.OPEN
        saved = now - (_back(rng, now, 0, 4) if recent else _back(rng, now))
        saved -= timedelta(hours=6)
        raised = saved + timedelta(hours=rng.uniform(0.2, 4))
        accepted = raised + timedelta(hours=rng.uniform(1, 30)) if cta.accepted_at else None
        reached = (accepted or raised) + timedelta(hours=rng.uniform(0.5, 20))
        closed = (
            min(now, (accepted or raised) + timedelta(days=rng.uniform(3, 25)))
            if cta.closed_at
            else None
        )
        Case.objects.filter(pk=case.pk).update(created_at=saved)
        Cta.objects.filter(pk=cta.pk).update(
            created_at=raised,
            raised_at=raised,
            latency=raised - saved,
            accepted_at=accepted,
            closed_at=closed,
        )
        if cta.outreach_message_id:
            OutboundMessage.objects.filter(pk=cta.outreach_message_id).update(
                created_at=min(now, reached), sent_at=min(now, reached)
            )


def _surveys(rng: random.Random, now: datetime) -> None:
    """Answered surveys went out months ago and were answered hours later; the
    unanswered ones are recent, their links still open."""
    for survey in Survey.objects.filter(answered_at__isnull=False).order_by("pk"):
        delta = _back(rng, now, 3)
        _shift(Survey, [survey.pk], delta, ("sent_at", "expires_at", "answered_at", "created_at"))
        SurveyResponse.objects.filter(survey=survey).update(created_at=F("created_at") - delta)


def _clocks(rng: random.Random, now: datetime) -> None:
    """Follow-ups sent and questions answered, each moved whole to an earlier week (on
    time or late as they were)."""
    for model, done, fields in (
        (FollowUp, "sent_at", ("opened_at", "target_at", "due_at", "sent_at", "created_at")),
        (FurtherQuestion, "answered_at", ("asked_at", "due_at", "answered_at", "created_at")),
    ):
        for pk in (
            model.objects.filter(**{f"{done}__isnull": False})
            .order_by("pk")
            .values_list("pk", flat=True)
        ):
            _shift(model, [pk], _back(rng, now, 7, 200), fields)


def _escalations(rng: random.Random, now: datetime) -> None:
    """Escalations decided moved to earlier months with their moves; those waiting
    for a decision stay recent."""
    for escalation in Escalation.objects.exclude(state=EscalationState.RAISED).order_by("pk"):
        delta = _back(rng, now, 10, 200)
        _shift(Escalation, [escalation.pk], delta, ("created_at", "decided_at", "state_changed_at"))
        EscalationTransition.objects.filter(escalation=escalation).update(at=F("at") - delta)
        if escalation.case_id:  # the case it was raised from came first
            Case.objects.filter(pk=escalation.case_id).update(created_at=F("created_at") - delta)


def _post_event_surveys(rng: random.Random) -> int:
    """The events held: a CSAT survey about each to a few of the demo's contacts (as
    the post-event email sends one to attendees who are contacts), most answered."""
    pm = User.objects.filter(groups__name=Role.PROGRAM_MANAGER.label).order_by("pk").first()
    contacts = list(
        Contact.objects.filter(~Q(email=""), account__crm_id__startswith="DEMO-").order_by("pk")[
            :60
        ]
    )
    if pm is None or not contacts:
        return 0
    sent = 0
    for webinar in Webinar.objects.filter(status=WebinarStatus.DELIVERED).order_by("starts_at"):
        after = webinar.starts_at + timedelta(days=1)
        for contact in rng.sample(contacts, rng.randint(3, 6)):
            survey = surveys.send_survey(
                SurveyKind.CSAT,
                webinar,
                contact,
                cse=webinar.host,
                about=webinar.title,
                actor=pm,
                now=after,
            )
            sent += survey.created
            if survey.created and rng.random() < 0.8:
                token = survey.url.rstrip("/").rsplit("/", 1)[1]
                surveys.answer(
                    token,
                    score=rng.choices([2, 3, 4, 5], weights=[1, 2, 4, 4])[0],
                    now=after + timedelta(hours=rng.uniform(1, 48)),
                )
    return sent
