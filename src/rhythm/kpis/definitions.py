"""The KPI registry: every KPI in one place, its name, what it means (shown on hover,
written into docs/kpis.md), which filters apply, the aggregate query that computes it
and the rows behind each of its figures (the drill-down). The queries live by area
in kpis/queries/; the types they share in kpis/figures.py."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import F, Q, QuerySet

from rhythm.catalog.models import Offering
from rhythm.followups.models import FollowUp, FurtherQuestion
from rhythm.kpis.figures import CSE, KIND, OFFERING, PERIOD, REGION, SEGMENT, Figure, Kpi, Scope
from rhythm.kpis.queries import capacity as capacity_q
from rhythm.kpis.queries import ctas, engagements, escalations, followups, plans, surveys
from rhythm.kpis.queries import webinars as events
from rhythm.surveys.choices import SurveyKind

# --- The registry ------------------------------------------------------------------------

_NOW = frozenset({REGION, SEGMENT, CSE, OFFERING})
_SURVEYS = frozenset({PERIOD, REGION, SEGMENT, CSE})

KPIS: tuple[Kpi, ...] = (
    Kpi(
        "green_plans",
        "Green success plans",
        "Of the active success plans with at least one objective: the share whose every "
        "objective is Green, and the share whose every objective is at 100% progress "
        "(complete). Plans as they stand today: the period does not apply, nor the CSE.",
        "bar",
        plans.green_plans,
        plans.green_plans_rows,
        frozenset({REGION, SEGMENT}),
    ),
    Kpi(
        "deliverables",
        "Deliverables on time",
        "Of the deliverables agreed for complex engagements completed in the period, the "
        "share the CSE marked achieved within the agreed timeline when marking the "
        "engagement complete.",
        "line",
        engagements.deliverables,
        engagements.deliverables_rows,
    ),
    Kpi(
        "csat",
        "CSAT",
        "The average score (1–5) of the CSAT surveys sent in the period, their distribution, "
        "and the response rate (answered of sent). Surveys are not tied to an offering.",
        "bar",
        surveys.csat,
        surveys.survey_rows(SurveyKind.CSAT),
        _SURVEYS,
    ),
    Kpi(
        "nps",
        "NPS",
        "Net Promoter Score of the NPS surveys sent in the period: % promoters (9–10) − % "
        "detractors (0–6) of the answers, from −100 to 100.",
        "bar",
        surveys.nps,
        surveys.survey_rows(SurveyKind.NPS),
        _SURVEYS,
    ),
    Kpi(
        "docs_updated",
        "Docs and guidelines updated",
        "Of the engagements completed in the period, the share whose CSE linked the doc or "
        "guideline it updated on completing it (the aim: one per engagement); the others "
        "said none, with a reason, or were completed before Rhythm asked.",
        "bar",
        engagements.docs_updated,
        engagements.docs_updated_rows,
    ),
    Kpi(
        "volume_by_month",
        "Requests by month",
        "Engagement requests filed in the period, per month of filing.",
        "line",
        engagements.volume_by_month,
        engagements.volume_rows("month"),
    ),
    Kpi(
        "volume_by_offering",
        "Requests by offering",
        "Engagement requests filed in the period, per catalog offering "
        "(none: not from the catalog).",
        "bar",
        engagements.volume_by("offering_id", "offering__name", "Not from the catalog"),
        engagements.volume_rows("offering_id"),
    ),
    Kpi(
        "volume_by_segment",
        "Requests by segment",
        "Engagement requests filed in the period, per the account's segment.",
        "bar",
        engagements.volume_by("account__segment_id", "account__segment__name", "—"),
        engagements.volume_rows("account__segment_id"),
    ),
    Kpi(
        "volume_by_region",
        "Requests by region",
        "Engagement requests filed in the period, per the account's region.",
        "bar",
        engagements.volume_by("account__region", "account__region", "—"),
        engagements.volume_rows("account__region"),
    ),
    Kpi(
        "cta_latency",
        "CTA latency",
        "Hours from a CS Help case being saved to its CTA being raised (the seed's batch "
        "took up to four hours), averaged over the CTAs raised in the period. Owner is the CSE.",
        "line",
        ctas.cta_latency,
        ctas.cta_rows(Q(latency__isnull=False), F("latency")),
        _SURVEYS,
    ),
    Kpi(
        "first_contact",
        "Time to first customer contact",
        "Hours from a case's CTA being raised to its outreach email to the customer, "
        "averaged over the CTAs raised in the period that have one.",
        "line",
        ctas.first_contact,
        ctas.cta_rows(Q(outreach_message__isnull=False), ctas.FIRST_CONTACT),
        _SURVEYS,
    ),
    Kpi(
        "followup_sla",
        "Follow-up SLA",
        "Of the follow-up emails due in the period (3 business days after the call, on the "
        "CSE's calendar) that were sent or are past due, the share sent on time.",
        "line",
        followups.followup_sla,
        followups.sla_rows(FollowUp, "sent_at", "followups:detail"),
        _SURVEYS,
    ),
    Kpi(
        "answer_sla",
        "Further-question SLA",
        "Of the customers' further questions due in the period (1 business day) that were "
        "answered or are past due, the share answered on time.",
        "line",
        followups.answer_sla,
        followups.sla_rows(FurtherQuestion, "answered_at", None),
        _SURVEYS,
    ),
    Kpi(
        "time_in_state",
        "Time in each review state",
        "Average days a request stayed in each state it entered in the period, until its "
        "next move (a request still in the state is not counted yet).",
        "bar",
        engagements.time_in_state,
        engagements.time_in_state_rows,
    ),
    Kpi(
        "rejection_reasons",
        "Rejection reasons",
        "Requests rejected in the period, by the reason code the manager gave.",
        "bar",
        engagements.rejection_reasons,
        engagements.rejection_rows,
    ),
    Kpi(
        "capacity",
        "Capacity utilisation",
        "Per active CSE, today: the hours a week of their started engagements plus "
        f"{settings.RHYTHM_CTA_HOURS_PER_WEEK} h for each open CS Help CTA, over their weekly "
        "capacity. The region filter is the CSE's own region; the period does not apply.",
        "bar",
        capacity_q.capacity,
        capacity_q.capacity_rows,
        frozenset({REGION, CSE}),
    ),
    Kpi(
        "escalations",
        "Escalations by kind and outcome",
        "Escalations raised in the period, by kind (support, account) and where they stand "
        "(approved, declined, active, resolved, closed).",
        "bar",
        escalations.escalations,
        escalations.escalation_rows,
        _SURVEYS,
    ),
)
BY_KEY = {kpi.key: kpi for kpi in KPIS}


# --- The webinars dashboard -------------------------------------------------------------

_EVENTS = frozenset({PERIOD, REGION, KIND})

WEBINAR_KPIS: tuple[Kpi, ...] = (
    Kpi(
        "webinar_attendance",
        "Registrations and attendance",
        "Per month of the events starting in it (drafts and cancelled events left out): "
        "the events, their confirmed registrations (double opt-in), and the attendance "
        "rate, attended of confirmed for the events already held.",
        "line",
        events.attendance,
        events.attendance_rows,
        _EVENTS,
    ),
    Kpi(
        "webinar_events",
        "Each event",
        "Every event starting in the period: confirmed registrations, attended, the "
        "attendance rate once it is held, invitation codes redeemed (labs), and its "
        "post-event survey's answers and average score (1–5).",
        "bar",
        events.per_event,
        events.per_event_rows,
        _EVENTS,
        wide=True,
    ),
    Kpi(
        "webinar_redemptions",
        "Code redemptions",
        "Per month, of the confirmed registrations for labs: how many redeemed the lab's "
        "invitation code, and the share of those registered for labs already held.",
        "line",
        events.redemptions,
        events.redemption_rows,
        _EVENTS,
    ),
    Kpi(
        "webinar_survey",
        "Post-event survey",
        "The CSAT survey sent after an event to its attendees, counted by the event it is "
        "about (not by the person it went to), in the month of the event: sent, answered "
        "and the average score (1–5).",
        "line",
        events.survey_by_month,
        events.survey_rows,
        _EVENTS,
    ),
    Kpi(
        "webinar_survey_scores",
        "Post-event survey scores",
        "The post-event surveys' answers by score (1–5), and those not answered yet, for "
        "the events starting in the period.",
        "bar",
        events.survey_scores,
        events.survey_rows,
        _EVENTS,
    ),
)
WEBINAR_BY_KEY = {kpi.key: kpi for kpi in WEBINAR_KPIS}


def compute(
    scope: Scope, keys: Iterable[str] | None = None, registry: tuple[Kpi, ...] = KPIS
) -> list[tuple[Kpi, Figure]]:
    """Each KPI's figure of `registry` (all of them unless `keys` says which), one
    query or so each."""
    by_key = {kpi.key: kpi for kpi in registry}
    chosen = registry if keys is None else [by_key[k] for k in keys]
    return [(kpi, kpi.compute(scope)) for kpi in chosen]


def compute_webinars(scope: Scope) -> list[tuple[Kpi, Figure]]:
    return compute(scope, registry=WEBINAR_KPIS)


def offerings() -> QuerySet:
    return Offering.objects.active().order_by("position", "name")
