from datetime import time

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from rhythm.meetings.models import Meeting
from rhythm.officehours import services
from rhythm.officehours.choices import QuestionStatus
from rhythm.timeline.models import TimelineEntry


@pytest.fixture
def session(cast):
    return services.save_session(
        cast.cse, {"weekday": 2, "start_time": time(16, 0), "duration_minutes": 60}
    )


@pytest.fixture
def question(cast, session, account):
    return services.ask(
        cast.csm,
        session=session,
        account_id=account.pk,
        topic="Monorepo pipelines",
        context="They build 40 services from one repository.",
    )


def test_a_csm_brings_a_question_with_context(question, account):
    assert question.status == QuestionStatus.OPEN
    assert TimelineEntry.objects.filter(account=account, kind="question").exists()


def test_a_question_needs_topic_context_and_a_visible_account(cast, session):
    with pytest.raises(ValidationError) as caught:
        services.ask(cast.csm, session=session, account_id=999999, topic=" ", context="")
    assert set(caught.value.error_dict) == {"account", "topic", "context"}


def test_an_async_answer_notifies_the_csm(cast, question, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.answer(question, actor=cast.cse, text="Use rules:changes with parent-child.")
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED
    assert mail.outbox[0].to == [cast.csm.email]
    assert "parent-child" in mail.outbox[0].body


def test_a_spot_engagement_is_one_meeting_named_cse_topic(cast, question, account):
    services.make_spot_engagement(question, actor=cast.cse)
    question.refresh_from_db()
    meeting = Meeting.objects.get(pk=question.meeting_id)
    assert meeting.name == "CSE: Monorepo pipelines"
    assert meeting.kind == "spot" and meeting.timeline_type == "CSE Engagement"
    assert cast.cse in meeting.participants.all()
    assert TimelineEntry.objects.filter(account=account, title__startswith="CSE: ").exists()
    with pytest.raises(ValidationError):
        services.answer(question, actor=cast.cse, text="too late")


def test_only_the_sessions_cse_handles_its_questions(cast, question):
    with pytest.raises(PermissionDenied):
        services.answer(question, actor=cast.csm, text="I know this one")
