"""Local days and the UTC times the database stores: a filter on a day (as
`timezone.localdate` counts days) asks for the times from its local midnight."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone


def day_start(day: date) -> datetime:
    """Midnight at the start of `day`, in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))
