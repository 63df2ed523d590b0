"""How a time reads on a page (docs/ui.md, "Time"): always with its zone, in the
viewer's zone (the one UserTimezoneMiddleware activated for the request).

The template filters in core/templatetags/ui.py and the forms that label a
choice with a time (an office-hours session) share these."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.formats import date_format

from rhythm.core.rules import next_weekly, zone_named

# `when`'s styles: the named formats live in rhythm/formats (DATETIME_FORMAT ends
# with the zone, "T"); the others are written out here, each with its zone.
WHEN_STYLES = {
    "datetime": "DATETIME_FORMAT",
    "short": "j M, H:i T",
    "time": "H:i T",
    "day": "D j M, H:i T",
}
SLOT_FORMAT = "D H:i T"


def when(value: datetime | date | None, style: str = "datetime") -> str:
    """A moment in the viewer's zone, with the zone: "4 Mar 2025, 17:00 CET".

    A date has no zone and shows as a date; None shows as a dash."""
    if value is None or value == "":
        return "—"
    if not isinstance(value, datetime):
        return date_format(value, "DATE_FORMAT")
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, WHEN_STYLES.get(style, style))


def weekly_slot(
    weekday: int, at: time, host_zone: str, now: datetime | None = None
) -> tuple[str, str | None]:
    """A weekly slot held at `at` on its host's clock, as the viewer reads it and as
    the host does ("Tue 11:00 EST", "Tue 17:00 CET"); the second is None when both
    read the same. Counted on the next slot's date, so summer time is reckoned."""
    zone = zone_named(host_zone) or zoneinfo.ZoneInfo("UTC")
    start = next_weekly(weekday, at, zone, now or timezone.now())
    mine = date_format(start.astimezone(timezone.get_current_timezone()), SLOT_FORMAT)
    theirs = date_format(start, SLOT_FORMAT)
    return mine, (None if theirs == mine else theirs)
