"""What becomes of an office-hours question, told to the CSM who brought it: once
per outcome, through the outbox, in the transaction of the change."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from rhythm.core import services as core_services
from rhythm.core.events import subscribe
from rhythm.core.rules import zone_named
from rhythm.officehours.events import QuestionAnswered, QuestionTakenToCall


@subscribe(QuestionAnswered)
def tell_of_answer(event: QuestionAnswered) -> None:
    question, actor = event.question, event.actor
    _tell_asker(
        question,
        actor,
        kind="answer",
        subject=f"Answered: {question.topic}",
        text=f"{actor} answered your office-hours question about {question.account}:\n\n"
        f"{question.answer}\n",
    )


@subscribe(QuestionTakenToCall)
def tell_of_call(event: QuestionTakenToCall) -> None:
    question, meeting, actor = event.question, event.meeting, event.actor
    when = "once its time is set (the meeting page shows it)"
    if meeting.scheduled_at:
        # In the CSM's own zone, as their pages show it.
        zone = zone_named(question.asked_by.time_zone) or ZoneInfo("UTC")
        when = f"on {timezone.localtime(meeting.scheduled_at, zone):%d %b %Y at %H:%M %Z}"
    url = settings.SITE_URL + meeting.get_absolute_url()
    _tell_asker(
        question,
        actor,
        kind="spot",
        subject=f"A call about: {question.topic}",
        text=f"{actor} will take your office-hours question about {question.account} "
        f"on a call, {meeting.name}, {when}.\n\n{url}\n",
    )


def _tell_asker(question, actor, *, kind: str, subject: str, text: str) -> None:
    """Email the CSM who brought the question what became of it, once per outcome."""
    asker = question.asked_by
    if not asker.email or asker.pk == actor.pk:
        return
    core_services.enqueue_email(
        key=f"office-hours-{kind}:{question.pk}",
        to=[asker.email],
        reply_to=[actor.email] if actor.email else [],
        subject=subject,
        body_text=text,
    )
