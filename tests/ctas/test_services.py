import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from rhythm.cases import services as cases
from rhythm.cases.models import Case
from rhythm.core.models import OutboundMessage
from rhythm.core.rules import AS_DRAFTED
from rhythm.ctas import services
from rhythm.ctas.choices import CtaSource, CtaStatus, TaskStatus
from rhythm.ctas.models import Cta, CtaTask, PlaybookStep
from rhythm.customers.models import Opportunity
from tests.factories import UserFactory


@pytest.fixture
def cta(cast, case_data):
    return cases.open_case(cast.account_owner, case_data).case.cta


def test_accepting_drafts_the_outreach_and_sends_nothing(
    cast, cta, covering_cse, django_capture_on_commit_callbacks
):
    """Accepting no longer sends blind: the outreach waits, drafted in the new
    owner's name, for them to read and send (tests/ctas/test_outreach.py)."""
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(cta, cse=covering_cse, actor=covering_cse)
    assert not OutboundMessage.objects.exists() and mail.outbox == []
    cta.refresh_from_db()
    assert cta.status == CtaStatus.IN_PROGRESS and cta.owner == covering_cse
    assert cta.tasks.get(position=1).status == TaskStatus.DONE
    assert cta.tasks.get(position=2).status == TaskStatus.OPEN  # "Reach out…" waits
    assert services.outreach_state(cta) == (
        f"Drafted in {covering_cse}'s name, waiting for them to read it and send it."
    )


def test_accepting_with_the_outreach_writes_it_once_with_the_owner_in_copy(
    cast, cta, account, contact, covering_cse, django_capture_on_commit_callbacks
):
    covering_cse.booking_url = "https://calendly.com/demo/cse"
    covering_cse.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(cta, cse=covering_cse, actor=covering_cse, outreach=AS_DRAFTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(cta, cse=covering_cse, actor=covering_cse, outreach=AS_DRAFTED)  # a retry
    assert OutboundMessage.objects.filter(idempotency_key=f"cta-outreach:{cta.pk}").count() == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [contact.email]
    assert email.cc == [account.account_owner.email]
    assert "Streamline Your CI Workflows" in email.body
    assert "https://calendly.com/demo/cse" in email.body
    assert email.alternatives and "text/html" in email.alternatives[0][1]
    cta.refresh_from_db()
    assert cta.status == CtaStatus.IN_PROGRESS and cta.owner == covering_cse
    assert cta.tasks.get(position=1).status == TaskStatus.DONE
    assert cta.tasks.get(position=2).status == TaskStatus.DONE


def test_an_opted_out_case_sends_nothing_and_says_why(cast, case_data, covering_cse):
    case = cases.open_case(cast.account_owner, {**case_data, "opt_out_outreach": True}).case
    # Asked to send the outreach with the acceptance, the opt-out still holds.
    cta = services.accept(case.cta, cse=covering_cse, actor=covering_cse, outreach=AS_DRAFTED)
    assert cta.outreach_message is None
    assert not OutboundMessage.objects.exists()
    outreach_task = cta.tasks.get(position=2)
    assert outreach_task.status == TaskStatus.SKIPPED
    assert "opted out" in outreach_task.note


def test_only_the_owner_or_a_manager_closes_an_owned_cta(cast, cta, covering_cse):
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    with pytest.raises(PermissionDenied):
        services.close(cta, actor=UserFactory(roles=["cse"]))  # another CSE
    cta.refresh_from_db()
    assert cta.status == CtaStatus.IN_PROGRESS
    services.close(
        cta, actor=cast.manager, reason="Duplicate of another engagement.", skip_reason="Duplicate"
    )
    cta.refresh_from_db()
    assert cta.status == CtaStatus.CLOSED
    assert Case.objects.get(pk=cta.case_id).status == "closed"


def test_a_cse_cannot_assign_a_cta_to_someone_else(cast, cta, covering_cse):
    other = UserFactory(roles=["cse"])
    with pytest.raises(PermissionDenied):
        services.accept(cta, cse=other, actor=covering_cse)
    services.accept(cta, cse=other, actor=cast.manager, override_reason="Knows them")
    cta.refresh_from_db()
    assert cta.owner == other


def test_ticking_tasks_and_closing(cast, cta, covering_cse):
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    task = cta.tasks.get(position=3)
    services.set_task_status(task, status=TaskStatus.DONE, actor=covering_cse)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_by == covering_cse
    with pytest.raises(PermissionDenied):
        services.set_task_status(task, status=TaskStatus.OPEN, actor=UserFactory(roles=["cse"]))
    services.close(cta, actor=covering_cse, skip_reason="Answered by email instead.")
    cta.refresh_from_db()
    assert cta.status == CtaStatus.CLOSED and cta.closed_at
    assert Case.objects.get(pk=cta.case_id).status == "closed"


def test_editing_the_playbook_never_rewrites_created_tasks(cast, cta, case_data):
    step = PlaybookStep.objects.get(playbook=cta.playbook, position=3)
    step.title = "Book the call within two days"
    step.save()
    assert cta.tasks.get(position=3).title == "Schedule the call"
    again = {**case_data, "duplicate_reason": "A second team on the same deal."}
    later = cases.open_case(cast.account_owner, again).case.cta
    assert later.tasks.get(position=3).title == "Book the call within two days"


def _case_without_cta(case_data, owner):
    """A case saved without its CTA, as if the real-time path had failed."""
    return Case.objects.create(
        kind="cse_help",
        opportunity_id=case_data["opportunity"],
        account=Opportunity.objects.get(pk=case_data["opportunity"]).account,
        offering_id=case_data["offering"],
        contact_id=case_data["contact"],
        challenges=case_data["challenges"],
        opened_by=owner,
    )


def test_a_cta_is_due_with_its_last_task(cta):
    last = max(task.due_date for task in cta.tasks.all())
    assert cta.due_date == last
    assert all(task.due_date <= cta.due_date for task in cta.tasks.all())


def test_a_cta_is_due_with_its_last_task_on_both_paths(cast, case_data):
    """The reconciliation raises the CTA a real-time intake missed with the same due date."""
    opened = _case_without_cta(case_data, cast.account_owner)
    services.reconcile()
    again = Cta.objects.get(case=opened)
    assert again.due_date == max(task.due_date for task in again.tasks.all())


def test_the_database_refuses_a_second_cta_for_a_case(cast, cta):
    with pytest.raises(IntegrityError), transaction.atomic():
        Cta.objects.create(name="duplicate", account_id=cta.account_id, case_id=cta.case_id)


def test_reconciliation_raises_missing_ctas_once(cast, case_data):
    missing = [_case_without_cta(case_data, cast.account_owner) for _ in range(3)]
    assert services.reconcile(dry_run=True).missing == 3
    assert Cta.objects.count() == 0
    report = services.reconcile()
    assert report.missing == 3 and len(report.raised) == 3
    assert {c.case_id for c in Cta.objects.all()} == {c.pk for c in missing}
    assert set(Cta.objects.values_list("source", flat=True)) == {CtaSource.RECONCILIATION}
    assert services.reconcile().raised == []
    assert Cta.objects.count() == 3


def test_reconcile_command_reports_what_it_fixed(cast, case_data, capsys):
    lacking = _case_without_cta(case_data, cast.account_owner)
    call_command("reconcile_ctas", "--dry-run")
    out = capsys.readouterr().out
    assert "1 CSE-help case(s) lack a CTA" in out
    assert f"Case ids: {lacking.pk}\n" in out  # which, for a person to look at
    call_command("reconcile_ctas")
    assert "raised 1" in capsys.readouterr().out
    assert Cta.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reconciliations_at_once_never_duplicate(cast, case_data):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's concurrency")
    for _ in range(20):
        _case_without_cta(case_data, cast.account_owner)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            services.reconcile(batch_size=5)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Cta.objects.count() == 20
    assert Cta.objects.values("case").distinct().count() == 20


def test_the_reconciliation_is_scheduled_every_four_hours_pacific():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from huey.contrib.djhuey import HUEY

    from rhythm.ctas.tasks import reconcile_ctas

    assert reconcile_ctas.task_class in HUEY._registry._periodic_tasks
    pacific_half_past_four = datetime(2026, 11, 24, 4, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    utc = pacific_half_past_four.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    assert reconcile_ctas.task_class.validate_datetime(None, utc)


def test_the_cli_takes_the_hyphenated_name(cast, case_data, monkeypatch, capsys):
    import sys

    from rhythm import cli

    _case_without_cta(case_data, cast.account_owner)
    monkeypatch.setattr(sys, "argv", ["rhythm", "reconcile-ctas", "--dry-run"])
    cli.main()
    assert "1 CSE-help case(s) lack a CTA" in capsys.readouterr().out


def test_reassigning_tells_the_previous_owner_and_the_new_one_takes_over(cast, cta, covering_cse):
    services.accept(cta, cse=covering_cse, actor=cast.manager, outreach=AS_DRAFTED)
    successor = UserFactory(roles=["cse"])
    services.accept(cta, cse=successor, actor=cast.manager, override_reason="Covering leave")
    cta.refresh_from_db()
    assert cta.owner == successor
    (told,) = [m for m in OutboundMessage.objects.all() if m.subject.startswith("Reassigned")]
    assert told.to == [covering_cse.email] and str(successor) in told.body_text
    (handover,) = [m for m in OutboundMessage.objects.all() if m.to == [successor.email]]
    assert f"take it over from {covering_cse}" in handover.body_text
    # The customer got one outreach, from the first CSE.
    assert OutboundMessage.objects.filter(idempotency_key=f"cta-outreach:{cta.pk}").count() == 1
    # The same reassignment again tells nobody anything new.
    services.accept(cta, cse=successor, actor=cast.manager, override_reason="Covering leave")
    assert OutboundMessage.objects.filter(subject__startswith="Reassigned").count() == 1


def test_the_outreach_says_who_asked_and_what_the_session_is(cast, cta, covering_cse):
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    services.send_outreach(cta, actor=covering_cse)
    outreach = OutboundMessage.objects.get(idempotency_key=f"cta-outreach:{cta.pk}")
    owner = cta.case.account.account_owner
    offering = cta.case.offering
    said = f"{owner.get_full_name() or owner.username} asked us to help you with"
    assert said in outreach.body_text and said in outreach.body_html
    assert f'"{offering.name}". What it covers: {offering.description}' in outreach.body_text
    assert "You asked" not in outreach.body_text


def test_closing_a_cta_asks_which_open_tasks_were_done_and_why_the_rest_are_skipped(
    cast, cta, covering_cse
):
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    schedule = cta.tasks.get(title="Schedule the call")
    services.close(
        cta,
        actor=covering_cse,
        done_task_ids=[schedule.pk],
        skip_reason="The customer answered their own question.",
    )
    schedule.refresh_from_db()
    assert schedule.status == TaskStatus.DONE and schedule.completed_by == covering_cse
    assert schedule.completed_at is not None
    statuses = {t.title: t.status for t in cta.tasks.all()}
    assert statuses["Close the CTA"] == TaskStatus.DONE
    assert TaskStatus.OPEN not in statuses.values()
    skipped = cta.tasks.get(title__startswith="Send the follow-up")
    assert skipped.status == TaskStatus.SKIPPED and skipped.completed_by is None
    assert skipped.note == "Skipped: The customer answered their own question."
    assert skipped.history.count() == 2  # created, then skipped
    assert schedule.history.first().status == TaskStatus.DONE
    log = cta.transitions.get(to_state=CtaStatus.CLOSED)
    assert "The customer answered their own question." in log.reason


def test_closing_with_every_task_done_needs_no_skip_reason(cast, cta, covering_cse):
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    open_ids = list(cta.tasks.filter(status=TaskStatus.OPEN).values_list("pk", flat=True))
    services.close(cta, actor=covering_cse, done_task_ids=open_ids)
    assert set(cta.tasks.values_list("status", flat=True)) == {TaskStatus.DONE}


def test_closing_with_skipped_tasks_and_no_reason_is_refused_naming_the_field(
    cast, cta, covering_cse
):
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    with pytest.raises(ValidationError) as refused:
        services.close(cta, actor=covering_cse, skip_reason="   ")
    assert set(refused.value.message_dict) == {"skip_reason"}
    assert (
        "Say why the 5 unticked tasks are skipped" in refused.value.message_dict["skip_reason"][0]
    )
    cta.refresh_from_db()
    # Nothing half-written: the CTA, its log and its tasks are as they were.
    assert cta.status == CtaStatus.IN_PROGRESS and cta.closed_at is None
    assert not cta.transitions.filter(to_state=CtaStatus.CLOSED).exists()
    assert not cta.tasks.filter(status=TaskStatus.SKIPPED).exclude(note__contains="opted").exists()
    assert Case.objects.get(pk=cta.case_id).status != "closed"


def test_done_task_ids_of_another_cta_or_unknown_are_refused_naming_the_field(
    cast, cta, covering_cse
):
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    other_cta = Cta.objects.create(name="Another", account=cta.account, owner=covering_cse)
    foreign = CtaTask.objects.create(cta=other_cta, position=1, title="Someone else's task")
    already_done = cta.tasks.exclude(status=TaskStatus.OPEN).first()
    assert already_done is not None  # accepting ticked "Accept the request"
    for ids in ([999_999], [foreign.pk], [already_done.pk]):
        with pytest.raises(ValidationError) as refused:
            services.close(cta, actor=covering_cse, done_task_ids=ids, skip_reason="Done enough")
        assert set(refused.value.message_dict) == {"done_task_ids"}
    cta.refresh_from_db()
    assert cta.status == CtaStatus.IN_PROGRESS
