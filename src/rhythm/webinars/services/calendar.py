"""The public calendar: the month's published events, and their iCal feed."""

from __future__ import annotations

from datetime import datetime

import icalendar
from django.conf import settings
from django.urls import reverse

from rhythm.core import rules as core_rules
from rhythm.webinars.choices import (
    WebinarStatus,
)
from rhythm.webinars.models import (
    Webinar,
)

# --- The public calendar as iCal -------------------------------------------------------


def published_in(start: datetime, end: datetime):
    return (
        Webinar.objects.filter(status__in=[WebinarStatus.PUBLISHED, WebinarStatus.DELIVERED])
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "id")
    )


def ical(webinars) -> bytes:
    """The public calendar (icalendar): one VEVENT per event, its register link."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Rhythm//Webinars and labs//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Webinars and hands-on labs")
    domain = core_rules.email_domain(settings.DEFAULT_FROM_EMAIL) or "rhythm.example"
    for webinar in webinars:
        entry = icalendar.Event()
        entry.add("uid", f"webinar-{webinar.pk}@{domain}")
        entry.add("summary", f"{webinar.title} ({webinar.get_kind_display()}, {webinar.region})")
        entry.add("dtstart", webinar.starts_at)
        entry.add("dtend", webinar.ends_at)
        entry.add("dtstamp", webinar.updated_at)
        url = settings.SITE_URL + reverse("webinars:register", args=[webinar.pk])
        entry.add("url", url)
        entry.add("description", f"{webinar.abstract}\n\nRegister: {url}".strip())
        calendar.add_component(entry)
    return calendar.to_ical()
