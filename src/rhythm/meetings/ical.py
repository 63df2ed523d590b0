"""Meetings as iCalendar (RFC 5545), made with `icalendar`: one invitation per
meeting and a feed per CSE."""

from __future__ import annotations

from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.utils import timezone

from rhythm.core.rules import zone_named
from rhythm.meetings.models import Meeting

PRODID = "-//Rhythm//Customer meetings//EN"


def uid(meeting: Meeting) -> str:
    """Stable for the life of the meeting: a moved call updates the same event."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "rhythm"
    return f"meeting-{meeting.pk}@{host}"


def _event(meeting: Meeting) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid(meeting))
    event.add("dtstamp", timezone.now())
    event.add("summary", meeting.name)
    zone = zone_named(meeting.time_zone)
    assert meeting.scheduled_at is not None
    event.add("dtstart", meeting.scheduled_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("sequence", int(meeting.updated_at.timestamp()) % 2**31)
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    link = f"{settings.SITE_URL.rstrip('/')}{meeting.get_absolute_url()}"
    event.add("url", link)
    if meeting.video_url:
        event.add("location", meeting.video_url)
    lines = [f"Account: {meeting.account.name}", f"In Rhythm: {link}"]
    lines += [
        f"{label}: {url}"
        for label, url in (
            ("Video", meeting.video_url),
            ("Notes", meeting.notes_url),
            ("Deck", meeting.deck_url),
        )
        if url
    ]
    event.add("description", "\n".join(lines))
    cse = meeting.cse
    if cse.email:
        organizer = icalendar.vCalAddress(f"mailto:{cse.email}")
        organizer.params["cn"] = icalendar.vText(str(cse))
        event.add("organizer", organizer)
    for person, role in [
        *((c, "REQ-PARTICIPANT") for c in meeting.contacts.all()),
        *(((meeting.ae, "OPT-PARTICIPANT"),) if meeting.ae else ()),
    ]:
        if person.email:
            attendee = icalendar.vCalAddress(f"mailto:{person.email}")
            attendee.params["cn"] = icalendar.vText(str(person))
            attendee.params["role"] = icalendar.vText(role)
            event.add("attendee", attendee)
    return event


def _calendar(name: str, method: str = "") -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    if method:
        calendar.add("method", method)
    return calendar


def invitation(meeting: Meeting) -> bytes:
    """The meeting as an invitation (METHOD:REQUEST), with its time zone."""
    calendar = _calendar(meeting.name, method="REQUEST")
    calendar.add_component(_event(meeting))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed(meetings: Iterable[Meeting], owner) -> bytes:
    calendar = _calendar(f"Rhythm: {owner}'s customer calls")
    for meeting in meetings:
        if meeting.scheduled_at is not None:
            calendar.add_component(_event(meeting))
    calendar.add_missing_timezones()
    return calendar.to_ical()
