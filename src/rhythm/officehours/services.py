"""Office hours: CSMs bring spot questions; the CSE answers async or holds a spot call."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from rhythm.core import events
from rhythm.core import services as core_services
from rhythm.customers.models import Account
from rhythm.meetings import services as meetings
from rhythm.officehours import rules
from rhythm.officehours.choices import QuestionStatus
from rhythm.officehours.events import QuestionAnswered, QuestionAsked, QuestionTakenToCall
from rhythm.officehours.models import OfficeHourSession, Question
from rhythm.people.choices import Role
from rhythm.people.models import User


@transaction.atomic
def save_session(
    actor, data: dict[str, Any], session: OfficeHourSession | None = None
) -> OfficeHourSession:
    if not actor.has_perm("officehours.add_officehoursession"):
        raise PermissionDenied("Only a CSE or a CSE manager runs office hours.")
    if session is not None:
        session = OfficeHourSession.objects.select_for_update().get(pk=session.pk)
        if session.cse_id != actor.pk and not actor.manages_cses:
            raise PermissionDenied("Only the session's CSE or a manager changes it.")
    session = session or OfficeHourSession(cse=actor)
    for key in ("title", "weekday", "start_time", "duration_minutes", "recurring"):
        if key in data:
            setattr(session, key, data[key])
    if "cse" in data and data["cse"] is not None:
        cse = _cse(data["cse"])
        if cse.pk != actor.pk and not actor.manages_cses:
            raise PermissionDenied("Only a manager sets up office hours for someone else.")
        session.cse = cse
    session.full_clean()
    clash = next(
        (
            other
            for other in OfficeHourSession.objects.active()
            .filter(cse_id=session.cse_id, weekday=session.weekday)
            .exclude(pk=session.pk)
            if rules.overlaps(
                session.start_time,
                session.duration_minutes,
                other.start_time,
                other.duration_minutes,
            )
        ),
        None,
    )
    if clash is not None:
        raise ValidationError(
            {"start_time": ValidationError(f"It overlaps {clash}.", code="overlaps")}
        )
    session.save()
    return session


def _cse(pk: Any):
    cse = User.objects.active().filter(pk=pk, groups__name=Role.CSE.label).first()
    if cse is None:
        raise ValidationError(
            {"cse": ValidationError(f"No active CSE with id {pk}.", code="does_not_exist")}
        )
    return cse


@transaction.atomic
def ask(
    actor, *, session: OfficeHourSession, account_id: Any, topic: str, context: str
) -> Question:
    """A CSM brings a question, with its context, to a session."""
    if not actor.has_perm("officehours.add_question"):
        raise PermissionDenied("Only a CSM brings questions to office hours.")
    errors = {}
    account = (
        Account.objects.visible_to(actor).active().filter(pk=account_id).first()
        if str(account_id).isdigit()
        else None
    )
    if account is None:
        errors["account"] = ValidationError(
            f"No account with id {account_id}.", code="does_not_exist"
        )
    if not (topic or "").strip():
        errors["topic"] = ValidationError("Name the topic.", code="required")
    if not (context or "").strip():
        errors["context"] = ValidationError("Give the CSE the context.", code="required")
    if session.is_archived:
        errors["session"] = ValidationError("This session no longer runs.", code="archived")
    if errors:
        raise ValidationError(errors)
    assert account is not None
    question = Question(
        session=session,
        account=account,
        asked_by=actor,
        topic=topic.strip(),
        context=context.strip(),
    )
    question.full_clean()
    question.save()
    events.publish(QuestionAsked(question, actor))
    return question


def _locked_open(question: Question, actor) -> Question:
    question = (
        Question.objects.select_for_update()
        .select_related("session", "asked_by", "account")
        .get(pk=question.pk)
    )
    if question.session.cse_id != actor.pk and not actor.manages_cses:
        raise PermissionDenied("Only the session's CSE or a manager handles its questions.")
    if question.status != QuestionStatus.OPEN:
        raise ValidationError(
            {
                "status": ValidationError(
                    f"The question is already {question.status_enum.label.lower()}.",
                    code="not_open",
                )
            }
        )
    return question


@transaction.atomic
def answer(question: Question, *, actor, text: str) -> Question:
    """The CSE answers asynchronously; the CSM is told by email."""
    question = _locked_open(question, actor)
    if not (text or "").strip():
        raise ValidationError({"answer": ValidationError("Write the answer.", code="required")})
    now = timezone.now()
    question.status = QuestionStatus.ANSWERED
    question.answer = text.strip()
    question.answered_by = actor
    question.answered_at = now
    question.save(update_fields=["status", "answer", "answered_by", "answered_at", "updated_at"])
    events.publish(QuestionAnswered(question, actor))
    return question


@transaction.atomic
def make_spot_engagement(
    question: Question, *, actor, scheduled_at: datetime | None = None
) -> Question:
    """The CSE decides a call is needed: one meeting named `CSE: <topic>`, no request."""
    question = _locked_open(question, actor)
    meeting = meetings.schedule_spot_meeting(
        account=question.account,
        topic=question.topic,
        cse=question.session.cse,
        actor=actor,
        participants=[question.asked_by],
        scheduled_at=scheduled_at,
    )
    question.status = QuestionStatus.SPOT
    question.meeting = meeting
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.save(update_fields=["status", "meeting", "answered_by", "answered_at", "updated_at"])
    events.publish(QuestionTakenToCall(question, meeting, actor))
    return question


@transaction.atomic
def archive_session(actor, session: OfficeHourSession) -> OfficeHourSession:
    session = OfficeHourSession.objects.select_for_update().get(pk=session.pk)
    if session.cse_id != actor.pk and not actor.manages_cses:
        raise PermissionDenied("Only the session's CSE or a manager ends it.")
    return core_services.archive(session)
