"""Campaigns' use cases, the defining half: define one, preview its audience,
approve, activate, pause, archive, read its results. Sending (the email, a run,
unsubscribing) is campaigns.sending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from rhythm.campaigns import audience, rules
from rhythm.campaigns.choices import CampaignExclusion, CampaignSchedule, CampaignState
from rhythm.campaigns.events import CampaignMoved
from rhythm.campaigns.models import (
    Campaign,
    CampaignEmail,
    CampaignSend,
    CampaignTransition,
    Unsubscribe,
)
from rhythm.core import events, workflow
from rhythm.core import rules as core_rules
from rhythm.core.choices import MessageStatus
from rhythm.customers.choices import ContactRole
from rhythm.customers.models import Segment
from rhythm.people.validators import validate_region

SAMPLE_SIZE = 20

# --- The workflow: review before send ------------------------------------------------

OPERATIONS, APPROVER = "operations", "approver"
WORKFLOW = core_rules.Workflow(
    noun="campaign",
    moves={
        (CampaignState.DRAFT, CampaignState.APPROVED): core_rules.Move(
            "approve", frozenset({APPROVER}), label="Approve"
        ),
        (CampaignState.APPROVED, CampaignState.ACTIVE): core_rules.Move(
            "activate", frozenset({OPERATIONS}), label="Activate"
        ),
        (CampaignState.ACTIVE, CampaignState.PAUSED): core_rules.Move(
            "pause", frozenset({OPERATIONS, APPROVER}), label="Pause"
        ),
        (CampaignState.PAUSED, CampaignState.ACTIVE): core_rules.Move(
            "activate", frozenset({OPERATIONS}), label="Resume"
        ),
    },
    states=dict(CampaignState.choices),
    party_labels={
        OPERATIONS: "CS operations",
        APPROVER: "a second person (CS operations lead or CSE manager)",
    },
)


def parties(campaign: Campaign, user: Any) -> set[str]:
    found = set()
    if user.has_perm("campaigns.change_campaign"):
        found.add(OPERATIONS)
    verdict = rules.approval(
        approver_id=user.pk,
        author_id=campaign.author_id,
        approver_roles={r.value for r in user.roles} | ({"admin"} if user.is_superuser else set()),
    )
    if user.has_perm("campaigns.approve_campaign") and verdict.allowed:
        found.add(APPROVER)
    return found


def approval_refusal(campaign: Campaign, user: Any) -> str:
    """Why this person may not approve (the page says it), or ""."""
    if campaign.state != CampaignState.DRAFT:
        return ""
    verdict = rules.approval(
        approver_id=user.pk,
        author_id=campaign.author_id,
        approver_roles={r.value for r in user.roles},
    )
    return "" if verdict.allowed else verdict.reasons[0]


@transaction.atomic
def move(
    campaign: Campaign, target: str, *, actor: Any, reason: str = "", expected_state: str = ""
) -> Campaign:
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    workflow.enforce(
        WORKFLOW, locked.state, target, parties(locked, actor), expected_state=expected_state
    )
    fields: tuple[str, ...] = ()
    if target == CampaignState.APPROVED:
        locked.approved_by, locked.approved_at = actor, timezone.now()
        fields = ("approved_by", "approved_at")
    log = workflow.record(
        locked,
        CampaignTransition(campaign=locked),
        target,
        actor=actor,
        reason=reason,
        state_field="state",
        update_fields=fields,
    )
    events.publish(CampaignMoved(locked, log))
    return locked


def approve(campaign: Campaign, actor: Any, **kw: Any) -> Campaign:
    return move(campaign, CampaignState.APPROVED, actor=actor, **kw)


def activate(campaign: Campaign, actor: Any, **kw: Any) -> Campaign:
    return move(campaign, CampaignState.ACTIVE, actor=actor, **kw)


def pause(campaign: Campaign, actor: Any, **kw: Any) -> Campaign:
    return move(campaign, CampaignState.PAUSED, actor=actor, **kw)


# --- Defining a campaign ---------------------------------------------------------------

# A campaign addresses contacts by their role; "not set" is no role to address.
ADDRESSABLE_ROLES = [role for role in ContactRole.values if role]

DEFINITION = (
    "name", "description", "regions", "arr_min", "arr_max", "conditions", "contact_roles",
    "subject", "body", "schedule", "send_time", "send_on", "frequency_cap_days",
)  # fmt: skip


def _check(data: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """The definition, cleaned, and the segments' ids; a ValidationError names every
    bad field at once."""
    problems: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        problems["name"] = "required."
    regions = [str(r).strip().upper() for r in data.get("regions") or [] if str(r).strip()]
    for region in regions:
        try:
            validate_region(region)
        except ValidationError as exc:
            problems["regions"] = f"{region}: {exc.messages[0]}"
    segment_ids = [int(s) for s in data.get("segments") or []]
    known = set(Segment.objects.filter(pk__in=segment_ids).values_list("pk", flat=True))
    if set(segment_ids) - known:
        problems["segments"] = f"no segment has the id {sorted(set(segment_ids) - known)[0]}."
    arr_min, arr_max = data.get("arr_min"), data.get("arr_max")
    arr_min = None if arr_min in (None, "") else Decimal(str(arr_min))
    arr_max = None if arr_max in (None, "") else Decimal(str(arr_max))
    for label, value in (("arr_min", arr_min), ("arr_max", arr_max)):
        if value is not None and value < 0:
            problems[label] = "may not be negative."
    if arr_min is not None and arr_max is not None and arr_max < arr_min:
        problems["arr_max"] = f"may not be below the ARR from ({arr_min})."
    parsed, condition_problems = rules.parse_audience(data.get("conditions"))
    problems.update(condition_problems)
    subject, body = str(data.get("subject") or ""), str(data.get("body") or "")
    problems.update(rules.template_problems(subject, body))
    schedule = data.get("schedule") or CampaignSchedule.DAILY
    if schedule not in CampaignSchedule.values:
        problems["schedule"] = f"{schedule!r}: one of {', '.join(CampaignSchedule.values)}."
    send_on = data.get("send_on") or None
    if schedule == CampaignSchedule.ONCE and not send_on:
        problems["send_on"] = "a campaign sent once needs its day."
    send_time = data.get("send_time") or "09:00"
    if getattr(send_time, "tzinfo", None) is not None:
        problems["send_time"] = "a time of day without a zone: the deployment's zone applies."
    roles = [str(r).strip() for r in data.get("contact_roles") or [] if str(r).strip()]
    unknown_roles = [r for r in roles if r not in ADDRESSABLE_ROLES]
    if unknown_roles:
        problems["contact_roles"] = (
            f"{unknown_roles[0]!r} is no contact role: one of {', '.join(ADDRESSABLE_ROLES)}."
        )
    cap = data.get("frequency_cap_days", rules.FREQUENCY_CAP_DAYS)
    if cap in (None, ""):
        cap = rules.FREQUENCY_CAP_DAYS
    if not 0 <= int(cap) <= 365:
        problems["frequency_cap_days"] = "between 0 and 365 days."
    if problems:
        raise ValidationError({f: ValidationError(m, code="invalid") for f, m in problems.items()})
    assert parsed is not None
    clean = {
        "name": name[:120],
        "description": str(data.get("description") or ""),
        "regions": sorted(set(regions)),
        "arr_min": arr_min,
        "arr_max": arr_max,
        "conditions": parsed.to_json() if parsed.groups else {},
        "contact_roles": sorted(set(roles), key=ADDRESSABLE_ROLES.index),
        "subject": subject.strip(),
        "body": body,
        "schedule": schedule,
        "send_time": send_time,
        "send_on": send_on,
        "frequency_cap_days": int(cap),
    }
    return clean, segment_ids


@transaction.atomic
def create(data: dict[str, Any], *, actor: Any) -> Campaign:
    clean, segment_ids = _check(data)
    if Campaign.objects.filter(name=clean["name"]).exists():
        raise ValidationError(
            {"name": ValidationError("a campaign has this name already.", code="unique")}
        )
    campaign = Campaign.objects.create(**clean, author=actor)
    campaign.segments.set(segment_ids)
    return campaign


@transaction.atomic
def update(campaign: Campaign, data: dict[str, Any], *, actor: Any) -> Campaign:
    """Change a campaign's definition; an approved or active one goes back to draft,
    since what was approved is no longer what would be sent."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    current = {f: getattr(locked, f) for f in DEFINITION}
    current["segments"] = list(locked.segments.values_list("pk", flat=True))
    clean, segment_ids = _check({**current, **data})
    if Campaign.objects.filter(name=clean["name"]).exclude(pk=locked.pk).exists():
        raise ValidationError(
            {"name": ValidationError("a campaign has this name already.", code="unique")}
        )
    for name, value in clean.items():
        setattr(locked, name, value)
    if locked.author_id is None:
        # A seeded draft is authored by whoever first makes it theirs: they may not
        # approve it either.
        locked.author = actor
    locked.save()
    locked.segments.set(segment_ids)
    if locked.state != CampaignState.DRAFT:
        locked.approved_by, locked.approved_at = None, None
        log = workflow.record(
            locked,
            CampaignTransition(campaign=locked),
            CampaignState.DRAFT,
            actor=actor,
            reason="Changed after approval: to be approved again.",
            state_field="state",
            update_fields=("approved_by", "approved_at"),
        )
        events.publish(CampaignMoved(locked, log))
    return locked


# --- Preview -----------------------------------------------------------------------


@dataclass
class Preview:
    counts: dict[str, int]
    sample: list[Any]  # eligible accounts, each with .cse_id and .contacts_n
    excluded: list[tuple[Any, CampaignExclusion]]

    @property
    def reasons(self) -> list[tuple[CampaignExclusion, int]]:
        return [(reason, self.counts[reason.value]) for reason in CampaignExclusion]


def preview(
    campaign: Campaign, *, now: datetime | None = None, sample: int = SAMPLE_SIZE
) -> Preview:
    """How many accounts and contacts match (one query), a sample of those who would
    get it, and the excluded with their first reason."""
    now = now or timezone.now()
    cover = audience.coverage()
    evaluated = audience.evaluate(campaign, timezone.localdate(now), now, cover)
    found = evaluated.counts()
    chosen = list(evaluated.eligible().select_related("segment").order_by("name", "pk")[:sample])
    for account in chosen:
        account.cse_id = cover.cse_for(account.segment_id, account.region)
    excluded = [
        (a, audience.reason_of(a))
        for a in evaluated.excluded().select_related("segment").order_by("name", "pk")[:50]
    ]
    return Preview(found, chosen, excluded)  # type: ignore[arg-type]  # excluded: a reason each


# --- Results ---------------------------------------------------------------------------


def _followed(model_label: str, days: int) -> Exists | None:
    app_label, _, name = model_label.partition(".")
    if not apps.is_installed(f"rhythm.{app_label}"):
        return None
    model = apps.get_model(app_label, name)
    return Exists(
        model._default_manager.filter(
            account_id=OuterRef("account_id"),
            created_at__gte=OuterRef("sent_at"),
            created_at__lte=OuterRef("sent_at") + timedelta(days=days),
        )
    )


# What counts as a booking: the account came back to the team within 30 days.
BOOKINGS = ("engagements.EngagementRequest", "meetings.Meeting", "cases.Case")


def results(campaign: Campaign) -> dict[str, int]:
    """Sent, delivered, unsubscribed, bookings: the funnel, in three queries."""
    emails = CampaignEmail.objects.filter(send__campaign=campaign).aggregate(
        emails=Count("pk"), delivered=Count("pk", filter=Q(message__status=MessageStatus.SENT))
    )
    booked = Q(pk__in=[])
    for label in BOOKINGS:
        followed = _followed(label, rules.ATTRIBUTION_DAYS)
        if followed is not None:
            booked |= Q(followed)
    sends = CampaignSend.objects.filter(campaign=campaign).aggregate(
        accounts=Count("pk"), bookings=Count("pk", filter=booked)
    )
    return {
        "accounts_sent": sends["accounts"],
        "sent": emails["emails"],
        "delivered": emails["delivered"],
        "unsubscribed": Unsubscribe.objects.filter(campaign=campaign).count(),
        "bookings": sends["bookings"],
    }


@transaction.atomic
def archive(campaign: Campaign, *, actor: Any) -> None:
    """Archive a campaign: it leaves the lists and never runs again; its sends stay."""
    Campaign.objects.filter(pk=campaign.pk, archived_at__isnull=True).update(
        archived_at=timezone.now(), state=CampaignState.PAUSED
    )
