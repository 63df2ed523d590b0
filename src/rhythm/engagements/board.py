"""The engagement board: a read model over requests (one board) and CTAs (another),
in columns named after the states they hold, optionally in swimlanes per CSE (each
with its work-in-progress limit) or per region. Moves are board_moves'.

The whole board is a constant number of queries however many cards it holds, and
each reads what the board shows, not what the database holds: one reads the first
cards of every cell (a LIMITed subquery per cell, each down its cell's index), one
counts every cell to a bound ("1,000+", as lists do: core.paging), and the lanes per
CSE read the team's capacity once (capacity.capacity). A cell's further cards come
a page at a time, by a cursor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from rhythm.catalog.models import Offering
from rhythm.core.choices import Priority
from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta
from rhythm.customers.access import SEES_OWN, reach
from rhythm.customers.models import Account, Segment
from rhythm.engagements import board_cells as cells_read
from rhythm.engagements import capacity, rules, services
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest
from rhythm.people.choices import Role
from rhythm.people.models import User

PAGE = 50  # a column's cards at a time, without swimlanes
CELL = 6  # a cell's first cards, with swimlanes
AVATAR_COLOURS = 8  # board.css has a colour per remainder of a person's id

REQUESTS, CTAS = "requests", "ctas"
KINDS = {REQUESTS: "Requests", CTAS: "CTAs"}
NO_LANES, CSE_LANES, REGION_LANES = "", "cse", "region"
LANES = {NO_LANES: "No swimlanes", CSE_LANES: "By CSE", REGION_LANES: "By region"}
UNASSIGNED = "none"  # the lane, and the owner filter, of cards nobody holds yet


@dataclass(frozen=True)
class Column:
    state: str
    label: str
    colour: str


def _columns(states: Iterable[Any]) -> list[Column]:
    return [Column(s.value, s.label, s.colour) for s in states]


S = RequestState
REQUEST_COLUMNS = _columns([S.REVIEW, S.CLARIFICATION, S.STARTED, S.COMPLETE, S.REJECTED, S.CLOSED])
CTA_COLUMNS = _columns([CtaStatus.OPEN, CtaStatus.IN_PROGRESS, CtaStatus.CLOSED])
COLUMNS = {REQUESTS: REQUEST_COLUMNS, CTAS: CTA_COLUMNS}


# --- Filters ----------------------------------------------------------------------


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows, as its URL says it: every filter is a query parameter,
    so a board can be bookmarked, shared and reloaded as it was."""

    kind: str = REQUESTS
    lanes: str = NO_LANES
    owner: str = ""  # a member's id, or UNASSIGNED
    segment: int | None = None
    region: str = ""
    offering: int | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> BoardFilters:
        """The filters a URL asks for; anything it cannot mean is left out."""

        def number(key: str) -> int | None:
            value = query.get(key, "")
            return int(value) if value.isdigit() else None

        owner = query.get("owner", "")
        region = query.get("region", "")
        kind = query.get("kind", "")
        lanes = query.get("lanes", "")
        return cls(
            kind=kind if kind in KINDS else REQUESTS,
            lanes=lanes if lanes in LANES else NO_LANES,
            owner=owner if owner.isdigit() or owner == UNASSIGNED else "",
            segment=number("segment"),
            region=region if region in settings.RHYTHM_REGIONS else "",
            offering=number("offering"),
        )

    def as_query(self, **changes: Any) -> str:
        """The URL query of these filters (with `changes`), defaults left out."""
        wanted = replace(self, **changes)
        defaults = BoardFilters()
        return urlencode(
            {
                name: value
                for name, value in wanted.__dict__.items()
                if value not in (None, "") and value != getattr(defaults, name)
            }
        )

    @property
    def narrowed(self) -> int:
        """How many filters narrow the cards (the kind and the lanes do not)."""
        return sum(
            value not in (None, "")
            for value in (self.owner, self.segment, self.region, self.offering)
        )


def filter_choices() -> dict[str, Any]:
    return {
        "cses": User.objects.active()
        .filter(groups__name=Role.CSE.label)
        .order_by("first_name", "username"),
        "segments": Segment.objects.active(),
        "regions": settings.RHYTHM_REGIONS,
        "offerings": Offering.objects.active(),
        "lane_choices": LANES,
        "unassigned": UNASSIGNED,
    }


# --- Cards ------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    initials: str
    colour: int  # which of board.css's avatar colours

    @classmethod
    def of(cls, user: User | None) -> Person | None:
        if user is None:
            return None
        name = str(user)
        return cls(user.pk, name, rules.initials(name), user.pk % AVATAR_COLOURS)


@dataclass(frozen=True)
class Card:
    key: str  # "request-12" or "cta-5": what a drop posts
    id: int
    kind: str  # REQUESTS or CTAS
    state: str
    state_label: str
    title: str
    account: str
    url: str
    subtitle: str  # a CTA's offering: its name says little the account does not
    owner: Person | None
    age: str  # how long it has been in its column
    since: datetime | None
    due: rules.Due | None
    badge: str  # a CTA's priority
    badge_colour: str
    updated_at: datetime
    lane: str


@dataclass(frozen=True)
class Cursor:
    """Where a cell's next page starts: the last card shown. Cards sort newest change
    first, then newest id first; the next page resumes after the cursor by an indexed
    comparison, so page forty costs what page one does."""

    updated_at: datetime
    id: int

    def token(self) -> str:
        return f"{self.updated_at.isoformat()}~{self.id}"

    @classmethod
    def of(cls, card: Card) -> Cursor:
        return cls(card.updated_at, card.id)

    @classmethod
    def parse(cls, raw: str) -> Cursor | None:
        """The cursor a "Load more" link carries; None for anything else."""
        stamp, _, pk = raw.rpartition("~")
        if not pk.isdigit():
            return None
        try:
            updated_at = datetime.fromisoformat(stamp)
        except ValueError:
            return None
        if timezone.is_naive(updated_at):
            return None
        return cls(updated_at, int(pk))

    def after(self) -> Q:
        return Q(updated_at__lt=self.updated_at) | Q(updated_at=self.updated_at, id__lt=self.id)


class _Kind:
    """What differs between the two boards: their rows, fields and cards."""

    name: str
    state_field: str
    owner_field: str

    def rows(self, user, f: BoardFilters) -> QuerySet:
        qs = self._visible(user)
        if f.owner == UNASSIGNED:
            qs = qs.filter(**{f"{self.owner_field}__isnull": True})
        elif f.owner:
            qs = qs.filter(**{f"{self.owner_field}_id": int(f.owner)})
        if f.segment:
            qs = qs.filter(account__segment_id=f.segment)
        if f.region:
            qs = qs.filter(account__region=f.region)
        if f.offering:
            qs = qs.filter(**{self.offering_path: f.offering})
        return qs

    offering_path: str

    def _visible(self, user) -> QuerySet:
        raise NotImplementedError

    def lane_field(self, lanes: str) -> str | None:
        if lanes == CSE_LANES:
            return f"{self.owner_field}_id"
        if lanes == REGION_LANES:
            return "account__region"
        return None

    def in_lane(self, lanes: str, lane: str) -> Q:
        field_name = self.lane_field(lanes)
        if field_name is None:
            return Q()
        if lanes == CSE_LANES and lane == UNASSIGNED:
            return Q(**{f"{self.owner_field}__isnull": True})
        if lanes == CSE_LANES:
            return Q(**{field_name: int(lane)}) if lane.isdigit() else Q(pk__in=[])
        return Q(**{field_name: lane})

    def card(self, row: Any, lanes: str, now: datetime, today: date) -> Card:
        raise NotImplementedError


def _lane_of(lanes: str, owner_id: int | None, region: str) -> str:
    if lanes == CSE_LANES:
        return str(owner_id) if owner_id else UNASSIGNED
    if lanes == REGION_LANES:
        return region
    return ""


class _Requests(_Kind):
    name = REQUESTS
    state_field = "state"
    owner_field = "assigned_cse"
    offering_path = "offering_id"

    def _visible(self, user) -> QuerySet:
        return (
            EngagementRequest.objects.visible_to(user)
            .active()
            .select_related("account", "assigned_cse")
        )

    def card(self, row: EngagementRequest, lanes: str, now: datetime, today: date) -> Card:
        state = RequestState(row.state)
        if state in (S.REVIEW, S.CLARIFICATION):
            # A request waiting for a decision is late once its start has passed.
            held_to = rules.due("Starts", row.target_start_date, today)
        elif state == S.STARTED:
            held_to = rules.due("Due", services.planned_end(row), today)
        else:
            held_to = None
        return Card(
            key=f"request-{row.pk}",
            id=row.pk,
            kind=REQUESTS,
            state=row.state,
            state_label=state.label,
            title=row.title,
            account=row.account.name,
            url=row.get_absolute_url(),
            subtitle="",
            owner=Person.of(row.assigned_cse),
            age=rules.age_label(now - row.state_changed_at),
            since=row.state_changed_at,
            due=held_to,
            badge="",
            badge_colour="",
            updated_at=row.updated_at,
            lane=_lane_of(lanes, row.assigned_cse_id, row.account.region),
        )


class _Ctas(_Kind):
    name = CTAS
    state_field = "status"
    owner_field = "owner"
    offering_path = "case__offering_id"

    def _visible(self, user) -> QuerySet:
        # A request's own CTA moves with its request: the requests' board shows it.
        return (
            Cta.objects.visible_to(user)
            .of_cases()
            .select_related("account", "owner", "case__offering")
        )

    def card(self, row: Cta, lanes: str, now: datetime, today: date) -> Card:
        since = {
            CtaStatus.OPEN: row.raised_at,
            CtaStatus.IN_PROGRESS: row.accepted_at,
            CtaStatus.CLOSED: row.closed_at,
        }.get(CtaStatus(row.status)) or row.raised_at
        open_ = row.status != CtaStatus.CLOSED
        return Card(
            key=f"cta-{row.pk}",
            id=row.pk,
            kind=CTAS,
            state=row.status,
            state_label=row.get_status_display(),
            # "<Account> - Ad-Hoc CSE Engagement Request": the account is the line above.
            title=row.name.removeprefix(f"{row.account.name} - "),
            account=row.account.name,
            url=row.get_absolute_url(),
            subtitle=str(row.case.offering) if row.case and row.case.offering else "",
            owner=Person.of(row.owner),
            age=rules.age_label(now - since),
            since=since,
            due=rules.due("Due", row.due_date, today) if open_ else None,
            badge=row.get_priority_display(),
            badge_colour=_priority_colour(row.priority),
            updated_at=row.updated_at,
            lane=_lane_of(lanes, row.owner_id, row.account.region),
        )


def _priority_colour(priority: str) -> str:
    return Priority(priority).colour if priority in Priority.values else "secondary"


KIND = {REQUESTS: _Requests(), CTAS: _Ctas()}


# --- The board --------------------------------------------------------------------


@dataclass
class Cell:
    column: Column
    cards: list[Card] = field(default_factory=list)
    total: int = 0  # at most COUNT_AHEAD (then capped)
    next_cursor: str = ""
    capped: bool = False  # more than COUNT_AHEAD: the count says "1,000+"

    @property
    def more(self) -> int:
        """How many cards the cell holds past those shown; 0 when nobody counted them
        all (capped: its button says "Load more")."""
        return 0 if self.capped else self.total - len(self.cards)

    @property
    def total_label(self) -> str:
        return _count_label(self.total, self.capped)


@dataclass(frozen=True)
class Wip:
    """A CSE's work in progress this week against their limit, from the capacity
    computation: planned hours of started engagements and open CTAs."""

    load: Decimal  # hours
    capacity: Decimal
    level: rules.WipLevel
    engagements: int
    open_ctas: int

    @property
    def percent(self) -> int:
        if not self.capacity:
            return 100 if self.load else 0
        return min(int(self.load * 100 / self.capacity), 100)


@dataclass
class Lane:
    key: str
    title: str
    person: Person | None = None
    wip: Wip | None = None
    cells: list[Cell] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(cell.total for cell in self.cells)

    @property
    def total_label(self) -> str:
        return _count_label(self.total, any(cell.capped for cell in self.cells))


@dataclass
class Board:
    filters: BoardFilters
    columns: list[Cell]  # each column's card count over every lane (no cards)
    lanes: list[Lane]

    @property
    def total(self) -> int:
        return sum(column.total for column in self.columns)

    @property
    def total_label(self) -> str:
        return _count_label(self.total, any(column.capped for column in self.columns))

    @property
    def over_limit(self) -> list[Lane]:
        return [lane for lane in self.lanes if lane.wip and lane.wip.level == rules.WipLevel.OVER]


def _count_label(total: int, capped: bool) -> str:
    """A count as the board writes it: "1,234", or "1,000+" past a cell's bound (a
    capped cell holds its bound: a sum over capped cells is at least as many)."""
    return f"{total:,}+" if capped else f"{total:,}"


def load(user, f: BoardFilters, now: datetime | None = None) -> Board:
    """The board as `user` sees it with filters `f`: every cell's count (bounded:
    counted to COUNT_AHEAD, then "1,000+"), and each cell's first cards (a column's
    first PAGE without lanes, CELL with them).

    The lanes come first (the team's CSEs, or the regions, and whoever else holds a
    card), then one statement reads each cell's first cards (the union of a LIMITed
    subquery per cell, each walking its cell's index) and one counts each cell (a
    bounded count per cell): what they read follows what the board shows, not what
    the database holds."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    kind = KIND[f.kind]
    columns = COLUMNS[f.kind]
    rows = kind.rows(user, f)
    per_cell = CELL if f.lanes else PAGE
    if reach(user) == SEES_OWN:
        # An account owner or CSM sees a few of the accounts: every cell's index
        # would be walked past thousands of others' rows to find theirs, so their
        # board reads the rows they may see once, by account, instead: one GROUP BY
        # counts the cells (and names who holds cards), one ranks the first cards.
        counted = _grouped_counts(kind, rows, f.lanes)
        lanes = _lanes(f, kind, rows, holders={lane for _state, lane in counted})
        places = [(column.state, lane.key) for lane in lanes for column in columns]
        counts = {place: (counted.get(place, 0), False) for place in places}
        cards = _first_cards_of_few(kind, rows, f.lanes, per_cell, now, today)
    else:
        lanes = _lanes(f, kind, rows)
        places = [(column.state, lane.key) for lane in lanes for column in columns]
        cells = [
            rows.filter(**{kind.state_field: state})
            .filter(kind.in_lane(f.lanes, lane))
            .order_by("-updated_at", "-id")
            .values("pk")
            for state, lane in places
        ]
        cards = _first_cards(kind, rows, [cell[:per_cell] for cell in cells], f.lanes, now, today)
        counts = dict(zip(places, cells_read.bounded_counts(cells), strict=True))
    by_place: dict[tuple[str, str], list[Card]] = {}
    for card in cards:
        by_place.setdefault((card.state, card.lane), []).append(card)
    for lane in lanes:
        for column in columns:
            held = by_place.get((column.state, lane.key), [])
            total, capped = counts[(column.state, lane.key)]
            lane.cells.append(
                Cell(
                    column,
                    held,
                    total,
                    Cursor.of(held[-1]).token() if held and total > len(held) else "",
                    capped,
                )
            )
    totals = [
        Cell(
            column,
            total=sum(n for (state, _), (n, _) in counts.items() if state == column.state),
            capped=any(c for (state, _), (_, c) in counts.items() if state == column.state),
        )
        for column in columns
    ]
    return Board(f, totals, lanes)


def _first_cards(
    kind: _Kind, rows: QuerySet, cells: list[QuerySet], lanes: str, now: datetime, today: date
) -> list[Card]:
    return [kind.card(row, lanes, now, today) for row in cells_read.first_rows(rows, cells)]


def _first_cards_of_few(
    kind: _Kind, rows: QuerySet, lanes: str, per_cell: int, now: datetime, today: date
) -> list[Card]:
    lane_field = kind.lane_field(lanes)
    cell = [kind.state_field] + ([lane_field] if lane_field else [])
    first = cells_read.first_rows_ranked(rows, cell, per_cell)
    return [kind.card(row, lanes, now, today) for row in first]


def _grouped_counts(kind: _Kind, rows: QuerySet, lanes: str) -> dict[tuple[str, str], int]:
    """Each cell's exact count by (state, lane key)."""
    lane_field = kind.lane_field(lanes)
    fields = [kind.state_field] + ([lane_field] if lane_field else [])
    found: dict[tuple[str, str], int] = {}
    for values, held in cells_read.grouped_counts(rows, fields).items():
        state, lane = values[0], (values[1] if lane_field else None)
        if lanes == CSE_LANES:
            key = str(lane) if lane else UNASSIGNED
        else:
            key = lane or ""
        found[(state, key)] = found.get((state, key), 0) + held
    return found


def _lanes(
    f: BoardFilters, kind: _Kind, rows: QuerySet, holders: set[str] | None = None
) -> list[Lane]:
    """The lanes, in order: nobody's work first (what a manager assigns), then every
    CSE of the team with their limit (empty lanes too: room to give work), then
    anyone else who holds a card; or the team's regions, then any other region a
    card's account is in. Those others are found by an EXISTS per person (or per
    region) the team does not hold: a probe of an index each, not a scan of cards;
    or, given `holders` (the lane keys of the cards, counted already), by their ids."""
    if f.lanes == NO_LANES:
        return [Lane("", "")]
    if f.lanes == REGION_LANES:
        regions = [r for r in settings.RHYTHM_REGIONS if not f.region or r == f.region]
        elsewhere = (
            Account.objects.exclude(region__in=regions)
            .filter(Exists(rows.filter(account_id=OuterRef("pk"))))
            .order_by("region")
            .values_list("region", flat=True)
            .distinct()
        )
        others = [] if f.region else list(elsewhere)
        return [Lane(region, region) for region in regions + others]
    lanes = [Lane(UNASSIGNED, "Unassigned")] if f.owner in ("", UNASSIGNED) else []
    if f.owner == UNASSIGNED:
        return lanes
    for row in capacity.capacity(weeks=1):
        if f.owner and str(row.user.pk) != f.owner:
            continue
        lanes.append(
            Lane(
                str(row.user.pk),
                str(row.user),
                Person.of(row.user),
                Wip(
                    row.load_now,
                    row.capacity,
                    rules.wip_level(row.load_now, row.capacity),
                    row.active_engagements,
                    row.open_ctas,
                ),
            )
        )
    # Cards held by someone who is no CSE of the team now (a leaver, a manager).
    team = [int(lane.key) for lane in lanes if lane.key.isdigit()]
    people = User.objects.exclude(pk__in=team)
    if f.owner:
        people = people.filter(pk=int(f.owner))
    if holders is None:
        holding = people.filter(Exists(rows.filter(**{f"{kind.owner_field}_id": OuterRef("pk")})))
    else:
        holding = people.filter(pk__in=[int(key) for key in holders if key.isdigit()])
    for holder in holding.order_by("first_name", "last_name", "username", "pk"):
        person = Person.of(holder)
        lanes.append(Lane(str(holder.pk), person.name if person else "", person))
    return lanes


@dataclass(frozen=True)
class CellPage:
    cards: list[Card]
    next_cursor: str


def cell_cards(
    user, f: BoardFilters, column: str, lane: str = "", after: Cursor | None = None
) -> CellPage:
    """A page of one cell's cards (a column's, without lanes), after the cursor."""
    kind = KIND[f.kind]
    rows = (
        kind.rows(user, f).filter(**{kind.state_field: column}).filter(kind.in_lane(f.lanes, lane))
    )
    if after:
        rows = rows.filter(after.after())
    now = timezone.now()
    today = timezone.localdate(now)
    found = [
        kind.card(row, f.lanes, now, today)
        for row in rows.order_by("-updated_at", "-id")[: PAGE + 1]
    ]
    page = found[:PAGE]
    return CellPage(page, Cursor.of(page[-1]).token() if len(found) > PAGE else "")


def column_named(kind: str, state: str) -> Column | None:
    return next((c for c in COLUMNS[kind] if c.state == state), None)


def week_starts(weeks: int, today: date | None = None) -> list[date]:
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    return [monday + timedelta(weeks=i) for i in range(weeks)]
