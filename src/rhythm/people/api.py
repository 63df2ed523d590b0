"""Team members over the API."""

from decimal import Decimal
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import EmailStr, Field, HttpUrl

from rhythm.core.api import ERROR_RESPONSES, require_perm
from rhythm.core.http import AuthedRequest
from rhythm.people import services
from rhythm.people.choices import Role
from rhythm.people.models import User

router = Router(tags=["team"])


class MemberFilter(FilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(["username__icontains", "first_name__icontains", "last_name__icontains"]),
        Field(None, max_length=100),
    ] = None
    region: Annotated[str | None, FilterLookup("region"), Field(None, max_length=16)] = None
    role: Annotated[Role | None, FilterLookup("groups__name")] = None
    segment: Annotated[int | None, FilterLookup("covered_segments")] = None
    archived: bool = False

    def filter_role(self, value: Role | None):
        from django.db.models import Q

        return Q(groups__name=Role(value).label) if value else Q()

    def filter_archived(self, value: bool):
        from django.db.models import Q

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


class MemberIn(Schema):
    username: str = Field(min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: EmailStr | None = None
    title: str = Field("", max_length=100)
    roles: list[Role] = Field(default_factory=list)
    region: str = Field("AMER", max_length=16)
    time_zone: str = Field("UTC", max_length=64)
    holiday_country: str = Field("US", max_length=2)
    holiday_subdivision: str = Field("", max_length=8)
    weekly_capacity_hours: Decimal = Field(Decimal("40"), ge=0, le=80, decimal_places=1)
    covered_regions: list[str] = Field(default_factory=list)
    covered_segments: list[int] = Field(default_factory=list)
    booking_url: HttpUrl | None = None


class MemberPatch(Schema):
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    email: EmailStr | None = None
    title: str | None = Field(None, max_length=100)
    roles: list[Role] | None = None
    region: str | None = Field(None, max_length=16)
    time_zone: str | None = Field(None, max_length=64)
    holiday_country: str | None = Field(None, max_length=2)
    holiday_subdivision: str | None = Field(None, max_length=8)
    weekly_capacity_hours: Decimal | None = Field(None, ge=0, le=80, decimal_places=1)
    covered_regions: list[str] | None = None
    covered_segments: list[int] | None = None
    booking_url: HttpUrl | None = None


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


@router.get("/team-members", response=list[MemberOut])
@paginate(LimitOffsetPagination)
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
    return 201, _members().get(pk=user.pk)


@router.patch("/team-members/{member_id}", response={200: MemberOut, **ERROR_RESPONSES})
def update_member(request: AuthedRequest, member_id: int, payload: MemberPatch):
    require_perm(request, "people.view_user")
    member = get_object_or_404(User, pk=member_id)
    require_perm(request, "people.change_user")
    data, roles, segments = _split(payload.dict(exclude_unset=True))
    if roles is not None and not request.user.has_perm("people.add_user"):
        # Managers tune capacity and coverage; granting roles is an admin's call.
        require_perm(request, "people.add_user")
    services.update_member(member, data, roles=roles, segment_ids=segments)
    return _members().get(pk=member.pk)


@router.post("/team-members/{member_id}/archive", response={200: MemberOut, **ERROR_RESPONSES})
def archive_member(request: AuthedRequest, member_id: int):
    require_perm(request, "people.add_user")
    member = get_object_or_404(User, pk=member_id)
    services.archive_member(member)
    return _members().get(pk=member.pk)
