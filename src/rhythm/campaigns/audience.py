"""A campaign's audience as ONE queryset of accounts: the target group (segments,
regions, ARR), the conditions on metrics (rules.Audience, compiled here into
subqueries on health.MetricValue), and, annotated on each account, why it would
get no email. The preview's counts are one aggregate over it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from rhythm.campaigns import rules
from rhythm.campaigns.choices import CampaignExclusion
from rhythm.campaigns.models import (
    AccountOptOut,
    Campaign,
    CampaignEmail,
    CampaignSend,
    Unsubscribe,
)
from rhythm.customers.models import Account, Contact
from rhythm.health.models import MetricValue
from rhythm.people.choices import Role

# --- Conditions -------------------------------------------------------------------


def _holds(condition: rules.Condition) -> Q:
    if condition.op == "!=":
        return ~Q(value=condition.value)
    return Q(**{f"value__{rules.OPERATORS[condition.op]}": condition.value})


def _condition_q(condition: rules.Condition, today: date) -> Q:
    readings = MetricValue.objects.filter(
        account=OuterRef("pk"), metric=condition.metric, date__lte=today
    )
    if condition.for_days:
        start = today - timedelta(days=condition.for_days)
        window = readings.filter(date__gte=start)
        reaches_back = window.filter(date__lte=start + timedelta(days=rules.COVERAGE_SLACK_DAYS))
        return Q(Exists(reaches_back)) & ~Q(Exists(window.exclude(_holds(condition))))
    # Nested in the Exists below, so its outer row is that reading: same account.
    latest = (
        MetricValue.objects.filter(
            account=OuterRef("account"), metric=condition.metric, date__lte=today
        )
        .order_by("-date")
        .values("date")[:1]
    )
    return Q(Exists(readings.filter(_holds(condition), date=Subquery(latest))))


def conditions_q(audience: rules.Audience, today: date) -> Q:
    combined = Q()
    for group in audience.groups:
        inner = Q()
        for condition in group.conditions:
            q = _condition_q(condition, today)
            inner = (inner & q) if group.match == "all" or not inner else (inner | q)
        combined = (
            (combined & inner) if audience.match == "all" or not combined else (combined | inner)
        )
    return combined


def targeted(campaign: Campaign, today: date, segment_ids: list[int] | None = None) -> QuerySet:
    """The accounts of the target group that meet the conditions."""
    accounts = Account.objects.active()
    segment_ids = (
        segment_ids if segment_ids is not None else [s.pk for s in campaign.segments.all()]
    )
    if segment_ids:
        accounts = accounts.filter(segment_id__in=segment_ids)
    if campaign.regions:
        accounts = accounts.filter(region__in=campaign.regions)
    if campaign.arr_min is not None:
        accounts = accounts.filter(arr__gte=campaign.arr_min)
    if campaign.arr_max is not None:
        accounts = accounts.filter(arr__lte=campaign.arr_max)
    return accounts.filter(conditions_q(campaign.audience, today))


# --- Exclusions ---------------------------------------------------------------------


ESCALATION_MODEL = "escalations.Escalation"


def open_escalations() -> QuerySet | None:
    """The seam to escalations (built beside this app): the open escalations' rows,
    each with an `account`, or None while the app is not installed. Read by its
    string label, so campaigns import nothing of it."""
    if not apps.is_installed("rhythm.escalations"):
        return None
    # Named at run time: the model exists only once that app is installed.
    label: str = ESCALATION_MODEL
    model = apps.get_model(label)
    manager: Any = model._default_manager
    if hasattr(manager, "open"):
        return manager.open()
    return manager.filter(closed_at__isnull=True)


def suppressed_q() -> Q:
    q = Q(Exists(AccountOptOut.objects.filter(account=OuterRef("pk"))))
    escalations = open_escalations()
    if escalations is not None:
        q |= Q(Exists(escalations.filter(account=OuterRef("pk"))))
    return q


def eligible_contacts(campaign: Campaign, now: datetime) -> QuerySet:
    """The contacts a campaign may write to: active, with an email, of a role it
    addresses, not unsubscribed, and not written to by any campaign in the cap."""
    contacts = Contact.objects.active().exclude(email="")
    if campaign.contact_roles:
        contacts = contacts.filter(role__in=campaign.contact_roles)
    contacts = contacts.exclude(Exists(Unsubscribe.objects.filter(contact=OuterRef("pk"))))
    if campaign.frequency_cap_days:
        since = now - timedelta(days=campaign.frequency_cap_days)
        contacts = contacts.exclude(
            Exists(CampaignEmail.objects.filter(contact=OuterRef("pk"), sent_at__gte=since))
        )
    return contacts


@dataclass(frozen=True)
class Coverage:
    """Who covers which (segment, region): the CSEs with their load."""

    by_place: dict[tuple[int, str], list[tuple[int, int]]]

    def q(self) -> Q:
        covered = Q(pk__in=[])
        for segment_id, region in self.by_place:
            covered |= Q(segment_id=segment_id, region=region)
        return covered

    def cse_for(self, segment_id: int, region: str) -> int | None:
        return rules.pick_cse(self.by_place.get((segment_id, region), []))


def coverage() -> Coverage:
    """One query: the active CSEs, the segments they cover and their open CTAs."""
    User = get_user_model()
    cses = (
        User.objects.active()
        .with_role(Role.CSE)
        .annotate(
            load=Count("ctas", filter=~Q(ctas__status="closed"), distinct=True),
        )
        .prefetch_related("covered_segments")
    )
    by_place: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for cse in cses:
        for segment in cse.covered_segments.all():
            for region in cse.covered_regions or []:
                by_place.setdefault((segment.pk, region), []).append((cse.pk, cse.load))
    return Coverage(by_place)


@dataclass(frozen=True)
class Flags:
    """Why an account would get no email, as expressions: used in filters and in the
    one aggregate directly (Django refuses to aggregate over its own annotations of
    subqueries), and annotated on the rows a page shows."""

    suppressed: Q
    received: Q
    covered: Q
    has_contact: Q
    contact_count: Any

    @property
    def eligible(self) -> Q:
        return ~self.suppressed & ~self.received & self.covered & self.has_contact

    def first(self, reason: CampaignExclusion) -> Q:
        """The accounts a reason is the first reason for (the order of CampaignExclusion)."""
        return {
            CampaignExclusion.SUPPRESSED: self.suppressed,
            CampaignExclusion.ALREADY_RECEIVED: ~self.suppressed & self.received,
            CampaignExclusion.NO_COVERING_CSE: ~self.suppressed & ~self.received & ~self.covered,
            CampaignExclusion.NO_ELIGIBLE_CONTACT: ~self.suppressed
            & ~self.received
            & self.covered
            & ~self.has_contact,
        }[reason]


def flags(campaign: Campaign, now: datetime, cover: Coverage) -> Flags:
    contacts = eligible_contacts(campaign, now).filter(account=OuterRef("pk"))
    return Flags(
        suppressed=suppressed_q(),
        received=Q(Exists(CampaignSend.objects.filter(campaign=campaign, account=OuterRef("pk")))),
        covered=cover.q(),
        has_contact=Q(Exists(contacts)),
        contact_count=Subquery(
            contacts.order_by().values("account").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
    )


@dataclass(frozen=True)
class Evaluated:
    """The targeted accounts and their flags."""

    accounts: QuerySet
    flags: Flags

    def eligible(self) -> QuerySet:
        return self.annotated().filter(self.flags.eligible)

    def excluded(self) -> QuerySet:
        return self.annotated().exclude(self.flags.eligible)

    def annotated(self) -> QuerySet:
        f = self.flags
        return self.accounts.annotate(
            is_suppressed=f.suppressed,
            already_received=f.received,
            is_covered=f.covered,
            contacts_n=Coalesce(f.contact_count, 0),
        )

    def counts(self) -> dict[str, int]:
        """Matched, eligible, contacts and each exclusion: one query. Each account's
        flags are computed once, in a derived table the aggregate reads (Django
        aggregates over annotations that hold subqueries that way); written inline
        in each FILTER, every subquery ran once per count that names it."""
        per_account = self.accounts.annotate(
            flag_suppressed=self.flags.suppressed,
            flag_received=self.flags.received,
            # Not the bare Q: with nobody covering, it is Q(pk__in=[]), which Django
            # selects as the integer 0 and PostgreSQL refuses in the FILTERs below.
            flag_covered=Case(When(self.flags.covered, then=Value(True)), default=Value(False)),
            flag_contacts=Coalesce(self.flags.contact_count, 0),
        )
        reachable = Q(flag_suppressed=False, flag_received=False, flag_covered=True)
        eligible = reachable & Q(flag_contacts__gt=0)
        first = {
            CampaignExclusion.SUPPRESSED: Q(flag_suppressed=True),
            CampaignExclusion.ALREADY_RECEIVED: Q(flag_suppressed=False, flag_received=True),
            CampaignExclusion.NO_COVERING_CSE: Q(
                flag_suppressed=False, flag_received=False, flag_covered=False
            ),
            CampaignExclusion.NO_ELIGIBLE_CONTACT: reachable & Q(flag_contacts=0),
        }
        aggregates: dict[str, Any] = {
            "matched": Count("pk"),
            "eligible": Count("pk", filter=eligible),
            "contacts": Coalesce(Sum("flag_contacts", filter=eligible), 0),
        }
        for reason in CampaignExclusion:
            aggregates[reason.value] = Count("pk", filter=first[reason])
        return per_account.aggregate(**aggregates)


def evaluate(campaign: Campaign, today: date, now: datetime, cover: Coverage) -> Evaluated:
    return Evaluated(targeted(campaign, today), flags(campaign, now, cover))


def reason_of(account: Any) -> CampaignExclusion | None:
    if account.is_suppressed:
        return CampaignExclusion.SUPPRESSED
    if account.already_received:
        return CampaignExclusion.ALREADY_RECEIVED
    if not account.is_covered:
        return CampaignExclusion.NO_COVERING_CSE
    if not account.contacts_n:
        return CampaignExclusion.NO_ELIGIBLE_CONTACT
    return None
