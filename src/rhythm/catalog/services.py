"""Use cases for the catalog: admins edit, reorder and archive offerings."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from rhythm.catalog.models import Offering
from rhythm.catalog.reference import OFFERINGS
from rhythm.core import services as core_services

FIELDS = {"name", "description", "position"}


@transaction.atomic
def save_offering(data: dict[str, Any], offering: Offering | None = None) -> Offering:
    offering = Offering.objects.select_for_update().get(pk=offering.pk) if offering else Offering()
    for key, value in data.items():
        if key in FIELDS:
            setattr(offering, key, value)
    offering.full_clean()
    offering.save()
    return offering


@transaction.atomic
def archive(offering: Offering) -> Offering:
    return core_services.archive(Offering.objects.select_for_update().get(pk=offering.pk))


def ensure_catalog(**kwargs) -> None:
    """Seed the catalog when it is empty: after the first migrate, or a test flush.

    Never touches a catalog that has rows, so an admin's edits and archives stand."""
    if Offering.objects.exists():
        return
    Offering.objects.bulk_create(
        Offering(name=name, description=description, position=index * 10)
        for index, (name, description) in enumerate(OFFERINGS, start=1)
    )
