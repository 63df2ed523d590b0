"""The outbox: written in the caller's transaction, delivered after commit, never twice."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from smtplib import SMTPServerDisconnected

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, transaction

from rhythm.core import locks, rules, services, tasks
from rhythm.core.choices import MessageStatus
from rhythm.core.models import OutboundMessage

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
FAILING = "tests.core.test_outbox.FailingBackend"
SLOW = "tests.core.test_outbox.SlowBackend"
# Real commits, seen by other threads and processes. (Afterwards the tables are
# flushed and post_migrate fills in the role groups and catalog again.)
committed = pytest.mark.django_db(transaction=True)


class FailingBackend(BaseEmailBackend):
    """An SMTP server that hangs up on every message."""

    calls = 0

    def send_messages(self, email_messages):
        type(self).calls += 1
        raise SMTPServerDisconnected("Connection unexpectedly closed")


class SlowBackend(LocmemBackend):
    """Delivers to mail.outbox, but slowly enough for racing workers to overlap."""

    def send_messages(self, messages):
        threading.Event().wait(0.2)
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _failing_backend_starts_clean():
    FailingBackend.calls = 0


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def enqueue(key: str = "welcome:1", **overrides) -> OutboundMessage:
    fields = {
        "key": key,
        "to": ["ana@customer.example"],
        "cc": ["adam.ae@rhythm.example"],
        "reply_to": ["martin.cse@rhythm.example"],
        "subject": "Your CSE engagement",
        "body_text": "Hello Ana,\n\nThe plan is attached.",
        "body_html": "<p>Hello Ana,</p><p>The plan is attached.</p>",
    }
    return services.enqueue_email(**{**fields, **overrides})


def status_of(message: OutboundMessage) -> MessageStatus:
    message.refresh_from_db()
    return message.status_enum


# --- writing ------------------------------------------------------------------


def test_enqueue_belongs_to_the_callers_transaction(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue()
        assert OutboundMessage.objects.count() == 1  # visible inside, until…
        raise RuntimeError("the change that caused the email failed")

    assert not OutboundMessage.objects.exists()
    assert callbacks == []
    assert mailoutbox == []


def test_the_same_key_twice_writes_one_row_and_sends_once(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = enqueue("case:42:outreach")
        again = enqueue("case:42:outreach", subject="A retried request")

    assert again.pk == first.pk
    assert OutboundMessage.objects.count() == 1
    assert len(callbacks) == 1
    assert [m.subject for m in mailoutbox] == ["Your CSE engagement"]

    # Later, in another transaction: still nothing new.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue("case:42:outreach")
    assert callbacks == []
    assert len(mailoutbox) == 1


def test_a_different_key_is_a_different_message(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue("a")
        enqueue("b")
    assert OutboundMessage.objects.count() == 2
    assert len(mailoutbox) == 2


def test_a_message_needs_a_recipient(db):
    with pytest.raises(ValueError, match="^to:"):
        enqueue(to=[])
    assert not OutboundMessage.objects.exists()


def test_a_line_break_in_the_subject_is_folded_not_sent_to_fail(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue(subject="Follow-up:\r\n  your call")
    assert message.subject == "Follow-up: your call"
    assert status_of(message) == MessageStatus.SENT
    assert mailoutbox[0].subject == "Follow-up: your call"


# --- delivering ---------------------------------------------------------------


def test_delivery_waits_for_commit_then_sends_html_and_text_once(
    db, mailoutbox, settings, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(T0, tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        message = enqueue()
        assert mailoutbox == []  # nothing leaves before the commit
        assert status_of(message) == MessageStatus.PENDING

    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.subject == "Your CSE engagement"
    assert email.to == ["ana@customer.example"]
    assert email.cc == ["adam.ae@rhythm.example"]
    assert email.reply_to == ["martin.cse@rhythm.example"]
    assert email.from_email == settings.DEFAULT_FROM_EMAIL
    assert email.body == "Hello Ana,\n\nThe plan is attached."
    assert [(a.content, a.mimetype) for a in email.alternatives] == [
        ("<p>Hello Ana,</p><p>The plan is attached.</p>", "text/html")
    ]
    assert email.extra_headers["X-Rhythm-Message-Key"] == "welcome:1"
    mime = email.message()
    assert mime.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in mime.get_payload()] == ["text/plain", "text/html"]

    message.refresh_from_db()
    assert message.status_enum == MessageStatus.SENT
    assert (message.attempts, message.sent_at, message.last_error) == (1, T0, "")


def test_a_text_only_message_gets_its_html_part_from_its_text(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(body_text="Hello <Ana>,\n\nSee https://rhythm.example/x", body_html="")
    ((html, kind),) = mailoutbox[0].alternatives
    assert kind == "text/html"
    assert "<p>Hello &lt;Ana&gt;,</p>" in html
    assert '<a href="https://rhythm.example/x"' in html


def test_a_sent_message_is_never_sent_again(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue()
    assert len(mailoutbox) == 1

    # Every way a second attempt could come: the task again, the service, the
    # sweeper, a retry from the CLI, and a sweeper long after the claim.
    assert tasks.deliver_message.call_local(message.pk) == "skipped"
    assert services.deliver(message.pk).outcome == "skipped"
    assert tasks.deliver_due_messages.call_local() == 0
    assert services.retry_message(message.pk) is False
    with time_machine.travel(datetime.now(UTC) + timedelta(days=1)):
        assert services.due_message_ids() == []
        assert tasks.deliver_due_messages.call_local() == 0

    assert len(mailoutbox) == 1
    assert status_of(message) == MessageStatus.SENT
    message.refresh_from_db()
    assert message.attempts == 1


def test_a_message_someone_else_is_sending_is_left_alone(db, mailoutbox):
    message = OutboundMessage.objects.create(
        idempotency_key="claimed", to=["a@customer.example"], subject="s", body_text="b"
    )
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, claimed_at=datetime.now(UTC)
    )
    assert services.deliver(message.pk).outcome == "skipped"
    assert services.due_message_ids() == []
    assert mailoutbox == []


def test_an_unknown_message_is_skipped(db):
    assert services.deliver(987654).outcome == "skipped"


@committed
def test_racing_workers_send_a_message_exactly_once(settings, mailoutbox):
    settings.EMAIL_BACKEND = SLOW
    message = OutboundMessage.objects.create(
        idempotency_key="race", to=["a@customer.example"], subject="s", body_text="b"
    )
    start = threading.Barrier(6)
    outcomes: list[str] = []

    def worker():
        try:
            start.wait()
            outcomes.append(services.deliver(message.pk).outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["sent"] + ["skipped"] * 5
    assert len(mailoutbox) == 1
    assert status_of(message) == MessageStatus.SENT


# --- failing and retrying -------------------------------------------------------


def test_a_transport_failure_is_retried_with_backoff_then_marked_failed(
    db, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING
    with time_machine.travel(T0, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            message = enqueue()

        message.refresh_from_db()
        assert message.status_enum == MessageStatus.PENDING
        assert message.attempts == 1
        assert message.next_attempt_at == T0 + timedelta(minutes=1)
        assert message.claimed_at is None
        assert "SMTPServerDisconnected" in message.last_error

        # Not yet due: neither the task nor the sweeper touches it.
        assert services.deliver(message.pk).outcome == "skipped"
        assert tasks.deliver_due_messages.call_local() == 0
        assert FailingBackend.calls == 1

        # The sweeper takes it each time its moment comes, waiting longer each time.
        waits = []
        while message.status_enum == MessageStatus.PENDING:
            clock.move_to(message.next_attempt_at)
            before = message.next_attempt_at
            assert services.due_message_ids() == [message.pk]
            tasks.deliver_due_messages.call_local()
            message.refresh_from_db()
            if message.status_enum == MessageStatus.PENDING:
                waits.append(message.next_attempt_at - before)

        assert message.status_enum == MessageStatus.FAILED
        assert message.attempts == rules.MAX_DELIVERY_ATTEMPTS
        assert FailingBackend.calls == rules.MAX_DELIVERY_ATTEMPTS
        assert waits == [timedelta(minutes=m) for m in (2, 4, 8, 16, 32, 60)]

        # Failed is final until a person retries it.
        clock.shift(timedelta(days=2))
        assert services.due_message_ids() == []
        assert services.deliver(message.pk).outcome == "skipped"
        assert FailingBackend.calls == rules.MAX_DELIVERY_ATTEMPTS
    assert mailoutbox == []


def test_a_failure_then_a_success_sends_once_and_clears_the_error(
    db, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING
    with time_machine.travel(T0, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            message = enqueue()
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        clock.shift(timedelta(minutes=1))
        assert tasks.deliver_due_messages.call_local() == 1

    message.refresh_from_db()
    assert message.status_enum == MessageStatus.SENT
    assert (message.attempts, message.last_error) == (2, "")
    assert len(mailoutbox) == 1


def _claimed(key: str, *, by: str, last_beat: datetime) -> OutboundMessage:
    """A message a worker claimed and was sending when it last showed life."""
    message = OutboundMessage.objects.create(
        idempotency_key=key, to=["a@customer.example"], subject=key, body_text="b"
    )
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING,
        claimed_at=last_beat,
        claimed_by=by,
        heartbeat_at=last_beat,
        attempts=1,
    )
    return message


def _gone_pid() -> int:
    """The pid of a process of this machine that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_quiet_workers_claim_is_released_and_a_beating_ones_kept(db, mailoutbox):
    quiet_for = rules.CLAIM_STALE_AFTER + timedelta(seconds=1)
    with time_machine.travel(T0, tick=False) as clock:
        quiet = _claimed("quiet", by="elsewhere:4242:aa", last_beat=T0 - quiet_for)
        beating = _claimed("beating", by="elsewhere:4243:bb", last_beat=T0 - timedelta(seconds=5))

        assert tasks.deliver_due_messages.call_local() == 1

        assert status_of(quiet) == MessageStatus.SENT
        assert status_of(beating) == MessageStatus.SENDING  # still someone's
        assert [m.subject for m in mailoutbox] == ["quiet"]

        clock.shift(rules.CLAIM_STALE_AFTER)
        assert tasks.deliver_due_messages.call_local() == 1
    assert sorted(m.subject for m in mailoutbox) == ["beating", "quiet"]


def test_a_live_workers_heartbeat_releases_dead_claims_within_a_minute(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    # Not only the minutely sweeper: every live worker's heartbeat releases them,
    # so a dead worker's claim is back in line CLAIM_STALE_AFTER and a beat later.
    assert rules.CLAIM_STALE_AFTER + timedelta(seconds=locks.HEARTBEAT_SECONDS) < timedelta(
        minutes=1
    )
    with time_machine.travel(T0, tick=False):
        dead = _claimed(
            "dead", by="elsewhere:4242:aa", last_beat=T0 - rules.CLAIM_STALE_AFTER * 1.1
        )
        mine = _claimed("mine", by=locks.worker_id(), last_beat=T0 - rules.CLAIM_STALE_AFTER * 2)

        with django_capture_on_commit_callbacks(execute=True):
            locks.beat()  # touches this process's claims first, then releases the quiet ones

        assert status_of(dead) == MessageStatus.SENT  # released and queued (immediate here)
        assert status_of(mine) == MessageStatus.SENDING
    assert [m.subject for m in mailoutbox] == ["dead"]


def test_a_claim_of_a_process_that_is_gone_is_released_at_once(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    gone = f"{socket.gethostname()}:{_gone_pid()}:cafe"
    message = _claimed("restarted", by=gone, last_beat=datetime.now(UTC))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.release_dead_claims() == [message.pk]
    assert status_of(message) == MessageStatus.SENT


def test_a_resend_after_an_unknown_outcome_has_the_same_message_id(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False):
        message = _claimed(
            "cta-outreach:7", by="elsewhere:1:aa", last_beat=T0 - timedelta(minutes=1)
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.release_dead_claims()
    message.refresh_from_db()
    assert message.unknown_outcomes == 1
    assert message.attempts == 2
    # The copy the dead worker may have handed to the server carried this same id.
    (sent,) = mailoutbox
    expected = rules.message_id("cta-outreach:7", "localhost")
    assert sent.extra_headers["Message-ID"] == expected
    assert sent.message()["Message-ID"] == expected
    (line,) = run("list").splitlines()
    assert f"resend after 1 unknown outcome(s), Message-ID {expected}" in line


def test_the_message_id_is_derived_from_the_key_and_the_sender_domain():
    first = rules.message_id("cta-outreach:7", "rhythm.example")
    assert first == rules.message_id("cta-outreach:7", "rhythm.example")
    assert first != rules.message_id("cta-outreach:8", "rhythm.example")
    assert first.startswith("<rhythm.") and first.endswith("@rhythm.example>")
    assert rules.email_domain("Rhythm <Rhythm@CSE.example>") == "cse.example"


# --- `rhythm outbox` ------------------------------------------------------------


@pytest.fixture
def failed_and_sent(db, settings, django_capture_on_commit_callbacks):
    """One message that failed for good, one that went out."""
    with django_capture_on_commit_callbacks(execute=True):
        sent = enqueue("sent-one", subject="Delivered fine")
    settings.EMAIL_BACKEND = FAILING
    with django_capture_on_commit_callbacks(execute=True):
        failed = enqueue("failed-one", subject="Bounced", to=["zoe@customer.example"])
    OutboundMessage.objects.filter(pk=failed.pk).update(
        status=MessageStatus.FAILED, attempts=rules.MAX_DELIVERY_ATTEMPTS
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return failed, sent


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("outbox", *args, stdout=out)
    return out.getvalue()


def test_outbox_list_shows_every_message_newest_first(failed_and_sent):
    failed, sent = failed_and_sent
    lines = run("list").splitlines()
    assert [line.split("\t")[:2] for line in lines] == [
        [str(failed.pk), "failed"],
        [str(sent.pk), "sent"],
    ]
    assert "zoe@customer.example" in lines[0]
    assert "Bounced" in lines[0]
    assert "SMTPServerDisconnected" in lines[0]  # why it failed


def test_outbox_list_shows_who_is_in_copy(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.enqueue_email(
            key="with-cc",
            to=["ana@customer.example"],
            cc=["ae@rhythm.example"],
            subject="Next steps",
            body_text="Hello",
        )
    (line,) = run("list").splitlines()
    assert "\tana@customer.example (cc ae@rhythm.example)\tNext steps" in line


def test_outbox_list_filters_by_status(failed_and_sent):
    failed, _ = failed_and_sent
    lines = run("list", "--status", "failed").splitlines()
    assert [line.split("\t")[0] for line in lines] == [str(failed.pk)]
    assert run("list", "--status", "pending") == ""


def test_outbox_retry_sends_a_failed_message(
    failed_and_sent, mailoutbox, django_capture_on_commit_callbacks
):
    failed, _ = failed_and_sent
    with django_capture_on_commit_callbacks(execute=True):
        output = run("retry", str(failed.pk))
    assert output.strip() == f"{failed.pk}: queued again."
    failed.refresh_from_db()
    assert failed.status_enum == MessageStatus.SENT
    assert failed.attempts == 1  # counted afresh
    assert [m.subject for m in mailoutbox] == ["Delivered fine", "Bounced"]


def test_outbox_retry_failed_takes_every_failed_one(
    failed_and_sent, mailoutbox, django_capture_on_commit_callbacks
):
    failed, _ = failed_and_sent
    with django_capture_on_commit_callbacks(execute=True):
        output = run("retry", "--failed")
    assert output.strip() == f"{failed.pk}: queued again."
    assert status_of(failed) == MessageStatus.SENT


def test_outbox_retry_never_resends_a_sent_message(failed_and_sent, mailoutbox):
    _, sent = failed_and_sent
    output = run("retry", str(sent.pk))
    assert "not retried" in output
    assert "sent" in output
    assert len(mailoutbox) == 1


def test_outbox_retry_names_the_field_it_could_not_use(failed_and_sent):
    with pytest.raises(CommandError, match=r"^ids: no message has id 424242"):
        run("retry", "424242")
    with pytest.raises(CommandError, match=r"^ids: give message ids"):
        run("retry")


def test_the_admin_retries_failed_messages_and_deletes_none(
    failed_and_sent, admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    failed, sent = failed_and_sent
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/core/outboundmessage/",
            {"action": "retry", "_selected_action": [failed.pk, sent.pk]},
        )
    assert response.status_code == 302
    assert status_of(failed) == MessageStatus.SENT
    assert [m.subject for m in mailoutbox] == ["Delivered fine", "Bounced"]
    assert admin_client.get(f"/admin/core/outboundmessage/{sent.pk}/delete/").status_code == 403
