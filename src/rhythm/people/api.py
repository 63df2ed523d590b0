"""Team members over the API."""

from decimal import Decimal
from typing import Annotated

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import EmailStr, Field, HttpUrl

from rhythm.core.api import (
    ERROR_RESPONSES,
    Body,
    Id,
    Pagination,
    Text,
    require_perm,
    unchanged,
    validation_error,
)
from rhythm.core.http import AuthedRequest
from rhythm.people import rules, services
from rhythm.people.choices import Role
from rhythm.people.models import User

router = Router(tags=["team"])


class MemberFilter(FilterSchema):
    q: Annotated[
        Text | None,
        FilterLookup(["username__icontains", "first_name__icontains", "last_name__icontains"]),
        Field(None, max_length=100),
    ] = None
    region: Annotated[Text | None, FilterLookup("region"), Field(None, max_length=16)] = None
    role: Annotated[Role | None, FilterLookup("groups__name")] = None
    segment: Annotated[Id | None, FilterLookup("covered_segments")] = None
    archived: bool = False

    def filter_role(self, value: Role | None) -> Q:
        return Q(groups__name=Role(value).label) if value else Q()

    def filter_archived(self, value: bool) -> Q:
        return Q(archived_at__isnull=not value)


class MemberOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    title: str
    roles: list[Role]
    region: str
    time_zone: str
    holiday_country: str
    holiday_subdivision: str
    working_days: list[int]
    weekly_capacity_hours: Decimal
    covered_regions: list[str]
    covered_segments: list[int]
    booking_url: str
    is_active: bool
    archived_at: str | None = None

    @staticmethod
    def resolve_covered_segments(obj: User) -> list[int]:
        return [segment.pk for segment in obj.covered_segments.all()]

    @staticmethod
    def resolve_archived_at(obj: User) -> str | None:
        return obj.archived_at.isoformat() if obj.archived_at else None


Region = Annotated[Text, Field(max_length=16)]
Capacity = Annotated[Decimal, Field(ge=0, le=80, max_digits=3, decimal_places=1)]


class MemberIn(Body):
    username: Text = Field(min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")
    first_name: Text = Field("", max_length=150)
    last_name: Text = Field("", max_length=150)
    email: EmailStr | None = Field(None, max_length=254)
    title: Text = Field("", max_length=100)
    roles: list[Role] = Field(default_factory=list, max_length=len(Role))
    region: Text = Field("AMER", max_length=16)
    time_zone: Text = Field("UTC", max_length=64)
    holiday_country: Text = Field("US", max_length=2)
    holiday_subdivision: Text = Field("", max_length=8)
    working_days: list[int] = Field(
        default_factory=lambda: [0, 1, 2, 3, 4],
        min_length=1,
        max_length=7,
        description="Weekdays worked, 0 = Monday … 6 = Sunday.",
    )
    weekly_capacity_hours: Capacity = Decimal("40")
    covered_regions: list[Region] = Field(default_factory=list, max_length=20)
    covered_segments: list[Id] = Field(default_factory=list, max_length=100)
    booking_url: HttpUrl | None = Field(None, max_length=200)


class MemberPatch(Body):
    """Send only what changes; null clears `email` and `booking_url`.

    `roles` and `email` are an admin's to change: an email address is where a
    password reset goes, so whoever sets it can take the account over.
    """

    first_name: Text = unchanged(max_length=150)
    last_name: Text = unchanged(max_length=150)
    email: EmailStr | None = Field(None, max_length=254)
    title: Text = unchanged(max_length=100)
    roles: list[Role] = unchanged(max_length=len(Role))
    region: Text = unchanged(max_length=16)
    time_zone: Text = unchanged(max_length=64)
    holiday_country: Text = unchanged(max_length=2)
    holiday_subdivision: Text = unchanged(max_length=8)
    working_days: list[int] = unchanged(max_length=7)
    weekly_capacity_hours: Capacity = unchanged()
    covered_regions: list[Region] = unchanged(max_length=20)
    covered_segments: list[Id] = unchanged(max_length=100)
    booking_url: HttpUrl | None = Field(None, max_length=200)


# Fields a member's manager may not change: only an admin (people.add_user) may.
ADMIN_ONLY_FIELDS = {"roles", "email"}


def _members():
    return User.objects.prefetch_related("groups", "covered_segments")


def _split(data: dict) -> tuple[dict, list[Role] | None, list[int] | None]:
    roles = data.pop("roles", None)
    segments = data.pop("covered_segments", None)
    if "booking_url" in data:
        data["booking_url"] = str(data["booking_url"] or "")
    if "email" in data:
        data["email"] = data["email"] or ""
    return data, roles, segments


@router.get("/team-members", response={200: list[MemberOut], **ERROR_RESPONSES})
@paginate(Pagination)
def list_members(request: AuthedRequest, filters: Query[MemberFilter]):
    require_perm(request, "people.view_user")
    return filters.filter(_members()).distinct()


@router.get("/team-members/me", response={200: MemberOut, **ERROR_RESPONSES})
def me(request: AuthedRequest):
    """The person the session or token acts as."""
    return _members().get(pk=request.user.pk)


@router.get("/team-members/{member_id}", response={200: MemberOut, **ERROR_RESPONSES})
def get_member(request: AuthedRequest, member_id: int):
    require_perm(request, "people.view_user")
    return get_object_or_404(_members(), pk=member_id)


@router.post("/team-members", response={201: MemberOut, **ERROR_RESPONSES})
def create_member(request: AuthedRequest, payload: MemberIn):
    require_perm(request, "people.add_user")
    data, roles, segments = _split(payload.dict())
    user = services.create_member(data, roles=roles or [], segment_ids=segments)
    return Status(201, _members().get(pk=user.pk))


@router.patch("/team-members/{member_id}", response={200: MemberOut, **ERROR_RESPONSES})
def update_member(request: AuthedRequest, member_id: int, payload: MemberPatch):
    changes = payload.dict(exclude_unset=True)
    own = member_id == request.user.pk and set(changes) <= rules.SELF_SERVICE_FIELDS
    if not own:
        require_perm(request, "people.view_user")
    member = get_object_or_404(User, pk=member_id)
    if not own:
        require_perm(request, "people.change_user")
    if ADMIN_ONLY_FIELDS & set(changes):
        # Managers tune capacity and coverage; roles and sign-in details are an admin's.
        require_perm(request, "people.add_user")
    data, roles, segments = _split(changes)
    services.update_member(member, data, roles=roles, segment_ids=segments)
    return _members().get(pk=member.pk)


@router.post("/team-members/{member_id}/archive", response={200: MemberOut, **ERROR_RESPONSES})
def archive_member(request: AuthedRequest, member_id: int):
    require_perm(request, "people.add_user")
    member = get_object_or_404(User, pk=member_id)
    if member.pk == request.user.pk:
        # Archiving yourself would sign you out for good, perhaps the last admin.
        raise validation_error("member", "You cannot archive yourself.", rule="self")
    services.archive_member(member)
    return _members().get(pk=member.pk)
