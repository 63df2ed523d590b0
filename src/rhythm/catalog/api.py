"""The CSE catalog over the API."""

from django.db.models import Count
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from rhythm.catalog import services
from rhythm.catalog.models import Offering
from rhythm.core.api import ERROR_RESPONSES, Body, Text, require_perm
from rhythm.core.http import AuthedRequest

router = Router(tags=["catalog"])


class OfferingOut(Schema):
    id: int
    name: str
    description: str
    position: int
    request_volume: int = Field(description="CS Help cases and engagement requests naming it.")
    archived: bool

    @staticmethod
    def resolve_request_volume(obj) -> int:
        return getattr(obj, "case_count", 0) + getattr(obj, "request_count", 0)

    @staticmethod
    def resolve_archived(obj) -> bool:
        return obj.archived_at is not None


class OfferingIn(Body):
    name: Text = Field(min_length=1, max_length=200)
    description: Text = Field(min_length=1, max_length=5000)
    position: int = Field(0, ge=0, le=32767)


class OfferingPatch(Body):
    name: Text | None = Field(None, min_length=1, max_length=200)
    description: Text | None = Field(None, min_length=1, max_length=5000)
    position: int | None = Field(None, ge=0, le=32767)


def _offerings():
    return Offering.objects.annotate(
        case_count=Count("cases", distinct=True), request_count=Count("requests", distinct=True)
    )


@router.get("/offerings", response=list[OfferingOut])
def list_offerings(request: AuthedRequest, archived: bool = False):
    """The catalog in its order, with how often each offering was asked for."""
    require_perm(request, "catalog.view_offering")
    return _offerings().filter(archived_at__isnull=not archived)


@router.get("/offerings/{offering_id}", response={200: OfferingOut, **ERROR_RESPONSES})
def get_offering(request: AuthedRequest, offering_id: int):
    require_perm(request, "catalog.view_offering")
    return get_object_or_404(_offerings(), pk=offering_id)


@router.post("/offerings", response={201: OfferingOut, **ERROR_RESPONSES})
def create_offering(request: AuthedRequest, payload: OfferingIn):
    require_perm(request, "catalog.add_offering")
    offering = services.save_offering(payload.dict())
    return Status(201, _offerings().get(pk=offering.pk))


@router.patch("/offerings/{offering_id}", response={200: OfferingOut, **ERROR_RESPONSES})
def update_offering(request: AuthedRequest, offering_id: int, payload: OfferingPatch):
    require_perm(request, "catalog.change_offering")
    offering = get_object_or_404(Offering, pk=offering_id)
    services.save_offering(payload.dict(exclude_unset=True), offering)
    return _offerings().get(pk=offering.pk)


@router.post("/offerings/{offering_id}/archive", response={200: OfferingOut, **ERROR_RESPONSES})
def archive_offering(request: AuthedRequest, offering_id: int):
    require_perm(request, "catalog.change_offering")
    services.archive(get_object_or_404(Offering, pk=offering_id))
    return _offerings().get(pk=offering_id)
