"""One filter definition per model, shared by the list pages and the API."""

from datetime import date
from typing import Annotated

from django.db.models import Q
from ninja import FilterLookup, FilterSchema
from pydantic import Field

from rhythm.core.api import Id, Text


class AccountFilter(FilterSchema):
    q: Annotated[
        Text | None,
        FilterLookup(["name__icontains", "crm_id__iexact", "industry__icontains"]),
        Field(None, max_length=100, description="Search by name, CRM id or industry."),
    ] = None
    segment: Annotated[Id | None, FilterLookup("segment_id")] = None
    region: Annotated[Text | None, FilterLookup("region"), Field(None, max_length=16)] = None
    owner: Annotated[Id | None, FilterLookup("account_owner_id")] = None
    csm: Annotated[Id | None, FilterLookup("csm_id")] = None
    renewal_before: Annotated[date | None, FilterLookup("renewal_date__lte")] = None
    archived: Annotated[
        bool,
        Field(False, description="List archived accounts instead of active ones."),
    ] = False

    def filter_archived(self, value: bool) -> Q:
        return Q(archived_at__isnull=not value)


class AccountChildFilter(FilterSchema):
    account: Annotated[Id | None, FilterLookup("account_id")] = None
    q: Annotated[Text | None, FilterLookup("name__icontains"), Field(None, max_length=100)] = None
    archived: bool = False

    def filter_archived(self, value: bool) -> Q:
        return Q(archived_at__isnull=not value)


class SegmentFilter(FilterSchema):
    q: Annotated[Text | None, FilterLookup("name__icontains"), Field(None, max_length=100)] = None
    archived: bool = False

    def filter_archived(self, value: bool) -> Q:
        return Q(archived_at__isnull=not value)
