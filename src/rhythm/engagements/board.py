"""The engagement board: requests and CTAs in columns by state.

A read model over two tables, paged per column so thousands of cards stay quick,
and a drag-and-drop dispatcher that calls the same services as the buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from rhythm.catalog.models import Offering
from rhythm.core.workflow import TransitionConflict
from rhythm.ctas import services as ctas
from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta
from rhythm.customers.models import Segment
from rhythm.engagements import rules, services
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest
from rhythm.people.choices import Role
from rhythm.people.models import User

PAGE = 50
COLUMNS = [
    ("new", "New"),
    ("clarification", "Clarification"),
    ("in_progress", "In progress"),
    ("complete", "Complete"),
    ("closed", "Closed"),
]
REQUEST_STATES = {
    "new": [RequestState.REVIEW],
    "clarification": [RequestState.CLARIFICATION],
    "in_progress": [RequestState.STARTED],
    "complete": [RequestState.COMPLETE],
    "closed": [RequestState.CLOSED, RequestState.REJECTED],
}
CTA_STATES = {
    "new": [CtaStatus.OPEN],
    "clarification": [],
    "in_progress": [CtaStatus.IN_PROGRESS],
    "complete": [],
    "closed": [CtaStatus.CLOSED],
}
# Where a request dropped on a column goes.
DROP_TARGET = {
    "new": RequestState.REVIEW,
    "clarification": RequestState.CLARIFICATION,
    "in_progress": RequestState.STARTED,
    "complete": RequestState.COMPLETE,
    "closed": RequestState.CLOSED,
}


@dataclass(frozen=True)
class BoardFilters:
    cse: int | None = None
    segment: int | None = None
    region: str = ""
    offering: int | None = None

    @classmethod
    def from_query(cls, query) -> BoardFilters:
        def number(key: str) -> int | None:
            value = query.get(key, "")
            return int(value) if value.isdigit() else None

        region = query.get("region", "")
        return cls(
            cse=number("cse"),
            segment=number("segment"),
            region=region if region in settings.RHYTHM_REGIONS else "",
            offering=number("offering"),
        )

    def as_query(self) -> str:
        parts = [f"{k}={v}" for k, v in self.__dict__.items() if v not in (None, "")]
        return "&".join(parts)


@dataclass(frozen=True)
class Card:
    key: str  # "request-12" or "cta-5"
    id: int
    kind: str
    title: str
    account: str
    owner: str
    url: str
    badge: str
    updated_at: Any


def filter_choices() -> dict[str, Any]:
    return {
        "cses": User.objects.active().filter(groups__name=Role.CSE.label),
        "segments": Segment.objects.active(),
        "regions": settings.RHYTHM_REGIONS,
        "offerings": Offering.objects.active(),
    }


def _requests(user, column: str, f: BoardFilters) -> QuerySet[EngagementRequest]:
    qs = (
        EngagementRequest.objects.visible_to(user)
        .filter(state__in=REQUEST_STATES[column])
        .select_related("account", "assigned_cse")
    )
    if f.cse:
        qs = qs.filter(assigned_cse_id=f.cse)
    if f.segment:
        qs = qs.filter(account__segment_id=f.segment)
    if f.region:
        qs = qs.filter(account__region=f.region)
    if f.offering:
        qs = qs.filter(offering_id=f.offering)
    return qs.order_by("-updated_at", "-id")


def _ctas(user, column: str, f: BoardFilters) -> QuerySet[Cta]:
    # A request's own CTA is shown by the request's card.
    qs = (
        Cta.objects.visible_to(user)
        .filter(
            status__in=CTA_STATES[column],
            request__isnull=True,
        )
        .select_related("account", "owner")
    )
    if f.cse:
        qs = qs.filter(owner_id=f.cse)
    if f.segment:
        qs = qs.filter(account__segment_id=f.segment)
    if f.region:
        qs = qs.filter(account__region=f.region)
    if f.offering:
        qs = qs.filter(case__offering_id=f.offering)
    return qs.order_by("-updated_at", "-id")


@dataclass(frozen=True)
class Cursor:
    """Where a column's next page starts: the last card shown. Cards sort newest
    change first, then requests before CTAs, then newest id first; each table
    resumes after the cursor by an indexed comparison, so page forty costs what
    page one does."""

    updated_at: datetime
    rank: int  # KIND_RANK of the card's kind
    id: int

    def token(self) -> str:
        return f"{self.updated_at.isoformat()}~{self.rank}~{self.id}"

    @classmethod
    def parse(cls, raw: str) -> Cursor | None:
        """The cursor a "Load more" link carries; None for anything else."""
        parts = raw.split("~")
        if len(parts) != 3 or parts[1] not in ("0", "1") or not parts[2].isdigit():
            return None
        try:
            updated_at = datetime.fromisoformat(parts[0])
        except ValueError:
            return None
        if timezone.is_naive(updated_at):
            return None
        return cls(updated_at, int(parts[1]), int(parts[2]))

    def after(self, rank: int) -> Q:
        """The rows of the table whose cards have `rank` that sort after the cursor."""
        same_time = Q(updated_at=self.updated_at)
        if rank == self.rank:
            same_time &= Q(id__lt=self.id)
        elif rank > self.rank:
            same_time = Q(pk__in=[])  # at the cursor's time this kind came first
        return Q(updated_at__lt=self.updated_at) | same_time


KIND_RANK = {"CTA": 0, "Request": 1}


@dataclass(frozen=True)
class ColumnPage:
    cards: list[Card]
    next_cursor: Cursor | None  # None on the last page
    total: int | None  # counted on the first page only


def column_cards(user, column: str, f: BoardFilters, after: Cursor | None = None) -> ColumnPage:
    """One page of a column, newest change first, merged from requests and CTAs."""
    if column not in REQUEST_STATES:
        return ColumnPage([], None, 0)
    requests = _requests(user, column, f)
    cta_rows = _ctas(user, column, f)
    total = None if after else requests.count() + cta_rows.count()
    if after:
        requests = requests.filter(after.after(KIND_RANK["Request"]))
        cta_rows = cta_rows.filter(after.after(KIND_RANK["CTA"]))
    # One more than a page from each: then a longer merge means there is a next page.
    cards = [_request_card(r) for r in requests[: PAGE + 1]]
    cards += [_cta_card(c) for c in cta_rows[: PAGE + 1]]
    cards.sort(key=_sort_key, reverse=True)
    page = cards[:PAGE]
    more = len(cards) > PAGE
    return ColumnPage(page, Cursor(*_sort_key(page[-1])) if more else None, total)


def _sort_key(card: Card) -> tuple[datetime, int, int]:
    return card.updated_at, KIND_RANK[card.kind], card.id


def _request_card(r: EngagementRequest) -> Card:
    return Card(
        key=f"request-{r.pk}",
        id=r.pk,
        kind="Request",
        title=r.title,
        account=r.account.name,
        owner=str(r.assigned_cse) if r.assigned_cse else "Unassigned",
        url=r.get_absolute_url(),
        badge=r.state_enum.label,
        updated_at=r.updated_at,
    )


def _cta_card(c: Cta) -> Card:
    return Card(
        key=f"cta-{c.pk}",
        id=c.pk,
        kind="CTA",
        title=c.name,
        account=c.account.name,
        owner=str(c.owner) if c.owner else "Unassigned",
        url=c.get_absolute_url(),
        badge=c.get_priority_display(),
        updated_at=c.updated_at,
    )


@dataclass(frozen=True)
class MoveResult:
    ok: bool
    message: str
    # Where the move can be made instead: a refusal for a missing reason or CSE
    # points to the page with the form that asks for it.
    url: str = ""
    # A refused move is a 409 with its reason; a card one may not see is a 404,
    # as its page is.
    not_found: bool = False

    @property
    def status(self) -> int:
        return 200 if self.ok else 404 if self.not_found else 409


def move(user, card: str, column: str) -> MoveResult:
    kind, _, raw_id = card.partition("-")
    if column not in DROP_TARGET or not raw_id.isdigit():
        return MoveResult(False, "Unknown card or column.")
    try:
        if kind == "request":
            return _move_request(user, int(raw_id), column)
        if kind == "cta":
            return _move_cta(user, int(raw_id), column)
    except TransitionConflict as exc:
        return MoveResult(False, exc.message)
    except PermissionDenied as exc:
        return MoveResult(False, str(exc))
    except ValidationError as exc:
        page = reverse(
            "engagements:detail" if kind == "request" else "ctas:detail", args=[int(raw_id)]
        )
        return MoveResult(False, " ".join(exc.messages), url=page)
    return MoveResult(False, "Unknown card.")


def _move_request(user, pk: int, column: str) -> MoveResult:
    request = EngagementRequest.objects.visible_to(user).filter(pk=pk).first()
    if request is None:
        return MoveResult(False, "Not found.", not_found=True)
    target = DROP_TARGET[column]
    if target == RequestState.STARTED and request.state == RequestState.REVIEW:
        return MoveResult(
            False,
            "Qualify from the request page: choose the CSE there.",
            url=request.get_absolute_url(),
        )
    completing = rules.TRANSITIONS.get((request.state, target))
    if (
        target == RequestState.COMPLETE
        and completing is not None
        and services.parties(user, request) & completing.parties
    ):
        # Its deliverables' outcomes are asked on the page; a drag cannot give them.
        return MoveResult(
            False,
            "Mark it complete from the request page: say there which deliverables were achieved.",
            url=request.get_absolute_url(),
        )
    services.transition(request, user, services.TransitionInput(to=target))
    return MoveResult(True, f"Moved to {target.label}.")


def _move_cta(user, pk: int, column: str) -> MoveResult:
    cta = Cta.objects.visible_to(user).filter(pk=pk).first()
    if cta is None:
        return MoveResult(False, "Not found.", not_found=True)
    if not user.has_perm("ctas.change_cta"):
        return MoveResult(False, "Your role does not work CTAs.")
    if column == "in_progress" and cta.status == CtaStatus.OPEN:
        if not user.groups.filter(name=Role.CSE.label).exists():
            return MoveResult(False, "Assign it to a CSE on its page.", url=cta.get_absolute_url())
        ctas.accept(cta, cse=user, actor=user)
        return MoveResult(True, "Accepted: the CTA is yours.")
    if column == "closed" and cta.status != CtaStatus.CLOSED:
        ctas.close(cta, actor=user)
        return MoveResult(True, "Closed.")
    return MoveResult(False, f"A CTA cannot move to {dict(COLUMNS)[column]}.")


def week_starts(weeks: int, today: date | None = None) -> list[date]:
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    return [monday + timedelta(weeks=i) for i in range(weeks)]
