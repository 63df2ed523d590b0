"""Community events' use cases: log one on an account, change it, archive it; and
the KPI selector that counts them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone

from rhythm.community import rules
from rhythm.community.choices import Period
from rhythm.community.events import (
    CommunityEventArchived,
    CommunityEventLogged,
    CommunityEventUpdated,
)
from rhythm.community.models import CommunityEvent
from rhythm.core import events
from rhythm.core import services as core_services

LOG = "community.add_communityevent"
CHANGE = "community.change_communityevent"
FIELDS = ("kind", "name", "date", "contribution", "details", "outcome")


def _contributors(values: Any) -> list:
    """The CSEs named (ids or rows): active members who may log community events."""
    ids = []
    for value in values or []:
        ids.append(value.pk if isinstance(value, models.Model) else value)
    try:
        wanted = {int(pk) for pk in ids}
    except (TypeError, ValueError):
        wanted = set()
    found = list(get_user_model().objects.filter(pk__in=wanted, is_active=True))
    unknown = wanted - {u.pk for u in found} or {u.pk for u in found if not u.has_perm(LOG)}
    if unknown or (ids and not wanted):
        raise ValidationError(
            {
                "contributors": ValidationError(
                    "Each contributor is an active CSE of the team; not: "
                    + ", ".join(str(pk) for pk in sorted(unknown) or ids),
                    code="not_a_cse",
                )
            }
        )
    return found


def _checked(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {name: data.get(name) for name in FIELDS}
    for name in ("kind", "name", "contribution", "details", "outcome"):
        values[name] = str(values[name] or "").strip()
    problems = rules.event_problems(
        {**values, "contributors": data.get("contributors")}, timezone.localdate()
    )
    errors: dict[str, Any] = {n: ValidationError(m, code=c) for n, (m, c) in problems.items()}
    if "contributors" not in errors:
        try:
            values["contributors"] = _contributors(data.get("contributors"))
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    return values


def log_event(actor, account, data: Mapping[str, Any]) -> CommunityEvent:
    """Log a community event on an account the actor may see (the caller found it
    through Account.objects.visible_to)."""
    if not actor.has_perm(LOG):
        raise PermissionDenied("Only the CSE team logs community events.")
    values = _checked(data)
    contributors = values.pop("contributors")
    with transaction.atomic():
        community_event = CommunityEvent.objects.create(account=account, created_by=actor, **values)
        community_event.contributors.set(contributors)
        events.publish(CommunityEventLogged(community_event, actor))
    return community_event


@transaction.atomic
def update_event(community_event: CommunityEvent, actor, data: Mapping[str, Any]) -> CommunityEvent:
    """Change what `data` names; the rest stays."""
    if not actor.has_perm(CHANGE):
        raise PermissionDenied("Only the CSE team changes community events.")
    community_event = CommunityEvent.objects.select_for_update(of=("self",)).get(
        pk=community_event.pk
    )
    if community_event.is_archived:
        raise ValidationError(
            {"archived": ValidationError("This event is archived.", code="archived")}
        )
    current = {name: getattr(community_event, name) for name in FIELDS}
    current["contributors"] = [u.pk for u in community_event.contributors.all()]
    values = _checked({**current, **data})
    contributors = values.pop("contributors")
    changed = [name for name in FIELDS if values[name] != current[name]]
    for name in changed:
        setattr(community_event, name, values[name])
    if sorted(u.pk for u in contributors) != sorted(current["contributors"]):
        changed.append("contributors")
        community_event.contributors.set(contributors)
    if changed:
        community_event.save()
        events.publish(CommunityEventUpdated(community_event, actor, changed))
    return community_event


@transaction.atomic
def archive_event(community_event: CommunityEvent, actor) -> CommunityEvent:
    """Take it off the account's list (kept, with its history; never deleted)."""
    if not actor.has_perm(CHANGE):
        raise PermissionDenied("Only the CSE team archives community events.")
    if community_event.is_archived:
        return community_event
    core_services.archive(community_event)
    events.publish(CommunityEventArchived(community_event, actor))
    return community_event


_TRUNC: dict[str, Any] = {
    Period.MONTH: TruncMonth,
    Period.QUARTER: TruncQuarter,
    Period.YEAR: TruncYear,
}


def counts(
    *,
    since: date,
    until: date,
    period: str = Period.MONTH,
    queryset: Any = None,
) -> list[dict[str, Any]]:
    """The KPI: community events by period and kind between two dates (inclusive),
    in one query: [{"period": date, "kind": str, "events": int, "contributions": {...}}].
    `queryset` narrows it (a person's visible_to, an account)."""
    if period not in _TRUNC:
        raise ValidationError(
            {
                "period": ValidationError(
                    f"One of {', '.join(Period.values)}.", code="invalid_choice"
                )
            }
        )
    rows = (
        (queryset if queryset is not None else CommunityEvent.objects.all())
        .active()
        .filter(date__gte=since, date__lte=until)
        .annotate(bucket=_TRUNC[period]("date"))
        .values("bucket", "kind", "contribution")
        .annotate(n=models.Count("pk"))
        .order_by("bucket", "kind", "contribution")
    )
    found: dict[tuple[date, str], dict[str, Any]] = {}
    for row in rows:
        bucket = row["bucket"]
        key = (bucket, row["kind"])
        entry = found.setdefault(
            key, {"period": bucket, "kind": row["kind"], "events": 0, "contributions": {}}
        )
        entry["events"] += row["n"]
        entry["contributions"][row["contribution"]] = row["n"]
    return list(found.values())
