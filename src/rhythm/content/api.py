"""Content and its bugs over the API: items (create, read, edit, tick a guideline,
move), bugs (report, list, read, move). Content is never deleted: retiring it is
a move. Every refusal names the field and the rule (core.api)."""

from datetime import datetime
from typing import Annotated

from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import FilterLookup, FilterSchema, Header, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from rhythm.content import rules, services
from rhythm.content.choices import BugPlace, BugStatus, ContentKind, ContentStatus, Severity
from rhythm.content.models import Bug, ContentItem, GuidelineCheck
from rhythm.core.api import (
    ERROR_RESPONSES,
    Body,
    ErrorOut,
    Id,
    Pagination,
    Text,
    require_perm,
    unchanged,
)
from rhythm.core.http import AuthedRequest

router = Router(tags=["content"])

_TEXTS = {g.code: g.text for g in rules.GUIDELINES}


class GuidelineOut(Schema):
    code: str
    text: str
    done: bool
    done_at: datetime | None
    done_by: int | None = Field(alias="done_by_id")

    @staticmethod
    def resolve_text(obj: GuidelineCheck) -> str:
        return _TEXTS.get(obj.code, obj.code)


class ItemOut(Schema):
    id: int
    kind: ContentKind
    title: str
    link: str
    owner: int = Field(alias="owner_id")
    status: ContentStatus
    created_at: datetime
    updated_at: datetime
    guidelines: list[GuidelineOut] = Field(description="The webinar guidelines, ticked or not.")

    @staticmethod
    def resolve_guidelines(obj: ContentItem) -> list[GuidelineCheck]:
        return list(obj.checks.all())


class ItemFilter(FilterSchema):
    kind: ContentKind | None = None
    status: ContentStatus | None = None
    owner: Annotated[Id | None, FilterLookup("owner_id")] = None


def _items():
    return ContentItem.objects.prefetch_related(
        Prefetch("checks", GuidelineCheck.objects.order_by("position"))
    )


@router.get("/content-items", response={200: list[ItemOut], **ERROR_RESPONSES})
@paginate(Pagination)
def list_items(request: AuthedRequest, filters: Query[ItemFilter]):
    require_perm(request, "content.view_contentitem")
    return filters.filter(_items()).order_by("title", "pk")


@router.get("/content-items/{content_item_id}", response={200: ItemOut, **ERROR_RESPONSES})
def get_item(request: AuthedRequest, content_item_id: int):
    require_perm(request, "content.view_contentitem")
    return get_object_or_404(_items(), pk=content_item_id)


class ItemIn(Body):
    kind: ContentKind
    title: Text = Field(max_length=rules.TITLE_LIMIT)
    link: Text = Field(max_length=rules.LINK_LIMIT, description="An http(s) address.")
    owner: Id | None = Field(None, description="A team member who builds content; you by default.")


@router.post("/content-items", response={201: ItemOut, **ERROR_RESPONSES})
def create_item(request: AuthedRequest, payload: ItemIn):
    """Add a content item, in draft, with the webinar guidelines of its kind to check."""
    item = services.add_item(request.user, payload.model_dump())
    return Status(201, _items().get(pk=item.pk))


class ItemPatch(Body):
    title: Text = unchanged(max_length=rules.TITLE_LIMIT)
    link: Text = unchanged(max_length=rules.LINK_LIMIT)
    owner: Id = unchanged()


@router.patch("/content-items/{content_item_id}", response={200: ItemOut, **ERROR_RESPONSES})
def update_item(request: AuthedRequest, content_item_id: int, payload: ItemPatch):
    """Change the title, the link or the owner (the owner or a content maintainer)."""
    require_perm(request, "content.view_contentitem")
    item = get_object_or_404(ContentItem, pk=content_item_id)
    services.update_item(item, request.user, payload.model_dump(exclude_unset=True))
    return _items().get(pk=item.pk)


class GuidelineIn(Body):
    done: bool


@router.put(
    "/content-items/{content_item_id}/guidelines/{code}",
    response={200: GuidelineOut, **ERROR_RESPONSES},
)
def set_guideline(request: AuthedRequest, content_item_id: int, code: str, payload: GuidelineIn):
    """Tick or untick one webinar guideline; the same call twice changes nothing."""
    require_perm(request, "content.view_contentitem")
    item = get_object_or_404(ContentItem, pk=content_item_id)
    return services.set_guideline(item, code, done=payload.done, actor=request.user)


class ContentConflictOut(ErrorOut):
    current_state: str


_MOVE_RESPONSES = {
    409: ContentConflictOut,
    **{k: v for k, v in ERROR_RESPONSES.items() if k != 409},
}


class ItemMoveIn(Body):
    to: ContentStatus
    reason: Text = Field("", max_length=rules.TEXT_LIMIT)
    expected_state: ContentStatus | None = Field(
        None, description="The state you saw; if it has moved since, you get 409."
    )


@router.post(
    "/content-items/{content_item_id}/transitions", response={200: ItemOut, **_MOVE_RESPONSES}
)
def move_item(request: AuthedRequest, content_item_id: int, payload: ItemMoveIn):
    """Move the item: draft → in review (its owner) → ready (another content builder,
    every guideline ticked) → retired. 403 not your move, 409 elsewhere, 422 naming
    what is missing."""
    require_perm(request, "content.view_contentitem")
    item = get_object_or_404(ContentItem, pk=content_item_id)
    services.move_item(
        item,
        request.user,
        payload.to,
        reason=payload.reason,
        expected_state=payload.expected_state or "",
    )
    return _items().get(pk=item.pk)


# --- Bugs ------------------------------------------------------------------------


class BugOut(Schema):
    id: int
    item: int = Field(alias="item_id")
    title: str = Field(description="What is wrong.")
    place: BugPlace
    location: str = Field(description="Which slide or exercise step.")
    expected: str
    actual: str
    severity: Severity
    severe: bool = Field(description="Critical or high: the DRIs of upcoming events are warned.")
    screenshot_url: str
    status: BugStatus
    owner: int = Field(alias="owner_id", description="Whose queue it is in.")
    reported_by: int = Field(alias="reported_by_id")
    created_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_severe(obj: Bug) -> bool:
        return rules.is_severe(obj.severity)


class BugIn(Body):
    """The bug template's fields; each is checked by content.rules, named when wrong."""

    title: Text = Field(max_length=rules.TITLE_LIMIT, description="What is wrong.")
    place: BugPlace
    location: Text = Field(max_length=rules.PLACE_LIMIT, description="Such as 'Slide 14'.")
    expected: Text = Field(max_length=rules.TEXT_LIMIT)
    actual: Text = Field(max_length=rules.TEXT_LIMIT)
    severity: Severity
    screenshot_url: Text = Field("", max_length=rules.LINK_LIMIT)


@router.post(
    "/content-items/{content_item_id}/bugs", response={200: BugOut, 201: BugOut, **ERROR_RESPONSES}
)
def report_bug(
    request: AuthedRequest,
    content_item_id: int,
    payload: BugIn,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=100),
):
    """Report a bug; it lands in the item owner's queue and the owner is emailed.
    The same `Idempotency-Key` again returns the first report (200)."""
    require_perm(request, "content.view_contentitem")
    item = get_object_or_404(ContentItem, pk=content_item_id)
    reported = services.report_bug(
        request.user, item, payload.model_dump(), idempotency_key=idempotency_key or ""
    )
    if not reported.created:
        response["Idempotent-Replayed"] = "true"
    return Status(201 if reported.created else 200, reported.bug)


class BugFilter(FilterSchema):
    item: Annotated[Id | None, FilterLookup("item_id")] = None
    owner: Annotated[Id | None, FilterLookup("owner_id")] = None
    status: BugStatus | None = None
    severity: Severity | None = None
    open: bool | None = Field(None, description="Only open (or only closed) bugs.")

    def filter_open(self, value: bool | None):
        if value is None:
            return Q()
        inside = Q(status__in=rules.OPEN_BUG_STATUSES)
        return inside if value else ~inside


@router.get("/content-bugs", response={200: list[BugOut], **ERROR_RESPONSES})
@paginate(Pagination)
def list_bugs(request: AuthedRequest, filters: Query[BugFilter]):
    """Bugs, the worst first, then the oldest: `owner=<id>&open=true` is a queue."""
    require_perm(request, "content.view_bug")
    return filters.filter(Bug.objects.all()).order_by(services.severity_order(), "created_at", "pk")


@router.get("/content-bugs/{bug_id}", response={200: BugOut, **ERROR_RESPONSES})
def get_bug(request: AuthedRequest, bug_id: int):
    require_perm(request, "content.view_bug")
    return get_object_or_404(Bug, pk=bug_id)


class BugMoveIn(Body):
    to: BugStatus
    reason: Text = Field("", max_length=rules.TEXT_LIMIT)
    expected_state: BugStatus | None = None


@router.post("/content-bugs/{bug_id}/transitions", response={200: BugOut, **_MOVE_RESPONSES})
def move_bug(request: AuthedRequest, bug_id: int, payload: BugMoveIn):
    """Triage, fix (with what was fixed), close or reopen a bug."""
    require_perm(request, "content.view_bug")
    bug = get_object_or_404(Bug, pk=bug_id)
    return services.move_bug(
        bug,
        request.user,
        payload.to,
        reason=payload.reason,
        expected_state=payload.expected_state or "",
    )
