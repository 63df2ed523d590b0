"""Follow-ups' use cases: open one as a call is logged, preview it, send it once.

Sending writes the email to the outbox (keyed by the follow-up: a retried send
sends nothing more), ticks the CTA's "Send the follow-up email" task through the
CTA's own service, and sends each recipient a CSAT survey through surveys'."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from rhythm.core import events
from rhythm.core import services as core_services
from rhythm.ctas import services as ctas_services
from rhythm.followups import rules
from rhythm.followups.choices import FollowUpStatus
from rhythm.followups.events import FollowUpOpened, FollowUpSent, QuestionAnswered, QuestionAsked
from rhythm.followups.models import FollowUp, FurtherQuestion
from rhythm.meetings import services as meetings_services
from rhythm.meetings.choices import MeetingStatus
from rhythm.people import services as people_services
from rhythm.surveys import services as surveys_services
from rhythm.surveys.choices import SurveyKind


def outbox_key(follow_up: FollowUp) -> str:
    return f"followup:{follow_up.pk}"


@transaction.atomic
def open_for_meeting(meeting, *, actor, now: datetime | None = None) -> FollowUp:
    """The call's follow-up, due 3 business days after it was logged on its CSE's
    calendar (the aim: 2). Opening it again returns the first one."""
    earlier = FollowUp.objects.filter(meeting=meeting).first()
    if earlier is not None:
        return earlier
    opened = meeting.held_at or now or timezone.now()
    calendar = people_services.calendar_of(meeting.cse)
    follow_up = FollowUp.objects.create(
        meeting=meeting,
        account_id=meeting.account_id,
        cse=meeting.cse,
        opened_at=opened,
        target_at=calendar.add_days_at(opened, rules.TARGET_BUSINESS_DAYS),
        due_at=calendar.add_days_at(opened, rules.DUE_BUSINESS_DAYS),
        # Drafted from what the call logged; the CSE rewrites it as they see fit.
        summary=meeting.summary,
    )
    events.publish(FollowUpOpened(follow_up, actor))
    return follow_up


@dataclass(frozen=True)
class Draft:
    """The email a follow-up makes, as the preview shows it and the send writes it."""

    to: list[str]
    cc: list[str]
    subject: str
    body: str


def may_send(follow_up: FollowUp, actor) -> bool:
    return meetings_services.may_run(follow_up.meeting, actor)


def _checked(parts: Mapping[str, str]) -> dict[str, str]:
    """The four parts, stripped; every empty (or too long) one refused by its name."""
    problems = rules.part_problems(parts)
    if problems:
        raise ValidationError(
            {
                name: ValidationError(message, code=code)
                for name, (message, code) in problems.items()
            }
        )
    return {name: (parts.get(name) or "").strip() for name in rules.PART_NAMES}


def _recipients(follow_up: FollowUp) -> tuple[list, list[str]]:
    """The call's contacts who have an email, and whom to copy: the AE/RM, the
    call's AE or else the account's owner."""
    meeting = follow_up.meeting
    contacts = [c for c in meeting.contacts.order_by("pk") if c.email]
    ae = meeting.ae or meeting.account.account_owner
    return contacts, [ae.email] if ae is not None and ae.email else []


def preview(follow_up: FollowUp, parts: Mapping[str, str]) -> Draft:
    """The email as it would go: refused, naming each empty part, like the send."""
    checked = _checked(parts)
    contacts, cc = _recipients(follow_up)
    if not contacts:
        raise ValidationError(
            {
                "contacts": ValidationError(
                    "None of the call's contacts has an email address: add one to a contact.",
                    code="required",
                )
            }
        )
    cse = follow_up.cse
    return Draft(
        to=[c.email for c in contacts],
        cc=cc,
        subject=rules.subject(follow_up.meeting.name),
        body=rules.body(
            checked,
            greeting=rules.greeting([c.name for c in contacts]),
            signature=cse.get_full_name() or str(cse),
        ),
    )


@transaction.atomic
def send(
    follow_up: FollowUp, *, actor, parts: Mapping[str, str], now: datetime | None = None
) -> FollowUp:
    """Send the follow-up, once: its email to the call's contacts with the AE/RM in
    copy, on time or late against its due time; the CTA's task ticked with the
    outcome; a CSAT survey to each recipient. Sending it again returns it as sent."""
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("meeting", "meeting__account", "cse")
        .get(pk=follow_up.pk)
    )
    if follow_up.status == FollowUpStatus.SENT:
        return follow_up
    if not may_send(follow_up, actor):
        raise PermissionDenied(
            f"Only {follow_up.cse} (the call's CSE) or a manager sends its follow-up."
        )
    draft = preview(follow_up, parts)
    now = now or timezone.now()
    check_topic(follow_up.meeting, now=now, adds_follow_up=True)
    follow_up.message = core_services.enqueue_email(
        key=outbox_key(follow_up),
        to=draft.to,
        cc=draft.cc,
        reply_to=[follow_up.cse.email] if follow_up.cse.email else [],
        subject=draft.subject,
        body_text=draft.body,
    )
    for name, text in _checked(parts).items():
        setattr(follow_up, name, text)
    follow_up.status, follow_up.sent_at, follow_up.sent_by = FollowUpStatus.SENT, now, actor
    follow_up.on_time = rules.on_time(now, follow_up.due_at)
    follow_up.save()
    meeting = follow_up.meeting
    if meeting.cta_id is not None:
        ctas_services.record_follow_up(
            meeting.cta_id,
            note=rules.outcome_note(on_time=follow_up.on_time, outcome=meeting.outcome),
            actor=actor,
        )
    contacts, _ = _recipients(follow_up)
    for contact in contacts:
        surveys_services.send_survey(
            SurveyKind.CSAT,
            follow_up,
            contact,
            cse=follow_up.cse,
            about=meeting.name,
            link=meeting.get_absolute_url(),
            actor=actor,
            now=now,
        )
    events.publish(FollowUpSent(follow_up, actor))
    return follow_up


# --- Topic rules (DESIGN rule 9) -----------------------------------------------------


def new_request_url(meeting, *, topic: str = "") -> str:
    """Where "open a new request" leads from this call's engagement, filled in."""
    first = meeting.contacts.order_by("pk").first()
    return meetings_services.new_request_url(
        account_id=meeting.account_id,
        cta=meeting.cta,
        request=meeting.request,
        contact_id=first.pk if first else None,
        topic=topic,
    )


def check_topic(
    meeting,
    *,
    now: datetime,
    adds_follow_up: bool = False,
    new_topic: bool = False,
    offering_id: int | None = None,
    topic: str = "",
) -> None:
    """The topic rules (meetings.services.check_topic) for what is added after
    `meeting`, on its engagement: its CTA's calls, its request's, or itself."""
    first = meeting.contacts.order_by("pk").first()
    meetings_services.check_topic(
        account_id=meeting.account_id,
        now=now,
        cta=meeting.cta,
        request=meeting.request if not meeting.cta_id else None,
        meeting_id=meeting.pk,
        new_topic=new_topic,
        offering_id=offering_id,
        adds_follow_up=adds_follow_up,
        contact_id=first.pk if first else None,
        topic=topic,
    )


# --- Further questions ---------------------------------------------------------------


def _refuse(field: str, problem: tuple[str, str]) -> ValidationError:
    message, code = problem
    return ValidationError({field: ValidationError(message, code=code)})


@transaction.atomic
def ask(
    meeting,
    *,
    actor,
    question: str,
    contact=None,
    new_topic: bool = False,
    offering_id: int | None = None,
    now: datetime | None = None,
) -> FurtherQuestion:
    """A customer's further question after the call, entered by whoever heard it (the
    CSE, the AE, the CSM): it goes to the CSE who held the call, due within 1
    business day on their calendar, and they are told (outbox)."""
    meeting = type(meeting).objects.select_related("cse", "account").get(pk=meeting.pk)
    if meeting.status != MeetingStatus.HELD:
        raise _refuse("meeting", ("The call has not been held yet: ask at the call.", "not_held"))
    problem = rules.text_problem(question, what="question")
    if problem:
        raise _refuse("question", problem)
    if contact is not None and contact.account_id != meeting.account_id:
        raise _refuse(
            "contact",
            (f"{contact} is not a contact of {meeting.account.name}.", "not_the_accounts"),
        )
    now = now or timezone.now()
    check_topic(meeting, now=now, new_topic=new_topic, offering_id=offering_id, topic=question)
    cse = meeting.cse
    asked = FurtherQuestion.objects.create(
        meeting=meeting,
        account_id=meeting.account_id,
        cse=cse,
        contact=contact,
        question=question.strip(),
        asked_by=actor,
        asked_at=now,
        due_at=people_services.calendar_of(cse).add_days_at(now, rules.ANSWER_BUSINESS_DAYS),
    )
    if cse.email:
        core_services.enqueue_email(
            key=f"question:{asked.pk}:asked",
            to=[cse.email],
            subject=f"A further question after {meeting.name}",
            body_text=f"{actor} entered a question from {meeting.account.name}, due "
            f"{timezone.localtime(asked.due_at):%d %b %Y, %H:%M %Z}:\n\n{asked.question}\n",
        )
    events.publish(QuestionAsked(asked, actor))
    return asked


def may_answer(question: FurtherQuestion, actor) -> bool:
    return question.cse_id == actor.pk or actor.manages_cses


@transaction.atomic
def answer(
    question: FurtherQuestion, *, actor, text: str, now: datetime | None = None
) -> FurtherQuestion:
    """The CSE's answer, once, on time or late against its due time; the AE/RM is
    told (outbox). Answering again returns it as answered."""
    question = (
        FurtherQuestion.objects.select_for_update(of=("self",))
        .select_related("meeting", "meeting__ae", "account__account_owner")
        .get(pk=question.pk)
    )
    if question.answered:
        return question
    if not may_answer(question, actor):
        raise PermissionDenied(
            f"Only {question.cse} (who held the call) or a manager answers its questions."
        )
    problem = rules.text_problem(text, what="answer")
    if problem:
        raise _refuse("answer", problem)
    now = now or timezone.now()
    question.answer, question.answered_at, question.answered_by = text.strip(), now, actor
    question.on_time = rules.on_time(now, question.due_at)
    question.save()
    ae = question.meeting.ae or question.account.account_owner
    if ae is not None and ae.email:
        core_services.enqueue_email(
            key=f"question:{question.pk}:answered",
            to=[ae.email],
            subject=f"Answered: a further question after {question.meeting.name}",
            body_text=f"{actor} answered {'on time' if question.on_time else 'late'}.\n\n"
            f"Question:\n{question.question}\n\nAnswer:\n{question.answer}\n",
        )
    events.publish(QuestionAnswered(question, actor))
    return question
