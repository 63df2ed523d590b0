"""The outreach email through its service: drafted in the owner's name on acceptance,
read and reworded by them, sent once through the outbox, ticking "Reach out…"."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from rhythm.cases import services as cases
from rhythm.core.models import OutboundMessage
from rhythm.core.rules import AS_DRAFTED, Wording
from rhythm.ctas import services
from rhythm.ctas.choices import TaskStatus
from rhythm.people.choices import Role
from rhythm.timeline.models import TimelineEntry
from tests.factories import UserFactory


@pytest.fixture
def cta(cast, case_data):
    return cases.open_case(cast.account_owner, case_data).case.cta


@pytest.fixture
def accepted(cta, covering_cse):
    covering_cse.first_name, covering_cse.last_name = "Martin", "Brummer"
    covering_cse.booking_url = "https://calendly.com/martin-cse/30min"
    covering_cse.save()
    return services.accept(cta, cse=covering_cse, actor=covering_cse)


def _outreach_task(cta):
    return cta.tasks.get(title__startswith="Reach out")


def _errors(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_the_draft_greets_by_first_name_names_the_offering_and_links_the_booking(accepted):
    draft = services.outreach_draft(accepted)
    assert draft is not None
    assert draft.body_text.startswith("Hello Ana,\n")  # the contact is Ana Costa
    assert '"Streamline Your CI Workflows"' in draft.body_text
    assert "https://calendly.com/martin-cse/30min" in draft.body_text
    assert draft.subject.startswith("Streamline Your CI Workflows — ")
    assert draft.to == ("ana@customer.example",) and draft.cc == (
        accepted.account.account_owner.email,
    )
    assert draft.from_email == f"Martin Brummer <{accepted.owner.email}>"
    assert 'href="https://calendly.com/martin-cse/30min"' in draft.body_html


def test_without_a_booking_link_the_draft_asks_for_times(accepted):
    accepted.owner.booking_url = ""
    accepted.owner.save()
    draft = services.outreach_draft(accepted)
    assert "Reply to this email with two or three times that suit you." in draft.body_text


def test_no_draft_where_no_outreach_goes(cast, case_data, covering_cse):
    opted_out = cases.open_case(cast.account_owner, {**case_data, "opt_out_outreach": True}).case
    assert services.outreach_draft(opted_out.cta, covering_cse) is None


def test_sending_the_edited_outreach_writes_those_words_and_ticks_reach_out(
    accepted, django_capture_on_commit_callbacks
):
    body = "Hello Ana,\r\n\r\nMartin here: shall we look at your pipelines on Tuesday?\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        services.send_outreach(
            accepted, actor=accepted.owner, wording=Wording("Your CI, faster", body)
        )
    message = OutboundMessage.objects.get(idempotency_key=f"cta-outreach:{accepted.pk}")
    assert message.subject == "Your CI, faster"
    assert (
        message.body_text
        == "Hello Ana,\n\nMartin here: shall we look at your pipelines on Tuesday?\n"
    )
    # Its HTML is made from what was written, not from the drafted template.
    assert "Tuesday" in message.body_html and "Streamline" not in message.body_html
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "Your CI, faster"
    accepted.refresh_from_db()
    assert accepted.outreach_message == message
    task = _outreach_task(accepted)
    assert task.status == TaskStatus.DONE and task.completed_by == accepted.owner
    entry = TimelineEntry.objects.get(title="Outreach sent: Your CI, faster")
    assert entry.account_id == accepted.account_id and "ana@customer.example" in entry.body


def test_a_retry_sends_nothing_twice_and_other_words_are_refused(
    accepted, django_capture_on_commit_callbacks
):
    words = Wording("Your CI, faster", "Hello Ana,\n\nTuesday?")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_outreach(accepted, actor=accepted.owner, wording=words)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_outreach(accepted, actor=accepted.owner, wording=words)  # a lost response
    assert OutboundMessage.objects.count() == 1 and len(mail.outbox) == 1
    with pytest.raises(ValidationError) as refused:
        services.send_outreach(
            accepted, actor=accepted.owner, wording=Wording(body="Or Wednesday?")
        )
    (message,) = _errors(refused)["outreach"]
    assert message.startswith("The outreach email already went on ")
    assert "to ana@customer.example" in message
    assert OutboundMessage.objects.count() == 1


def test_sending_as_drafted_uses_the_template_and_its_html(accepted):
    services.send_outreach(accepted, actor=accepted.owner)
    message = OutboundMessage.objects.get()
    assert message.body_text == services.outreach_draft(accepted).body_text
    assert "<strong>Streamline Your CI Workflows</strong>" in message.body_html


@pytest.mark.parametrize(
    ("wording", "field", "text"),
    [
        (Wording(subject="  "), "subject", "Write a subject, or leave the drafted one."),
        (Wording(subject="x" * 256), "subject", "At most 255 characters; this has 256."),
        (Wording(body="\n \n"), "body", "Write the email, or leave the drafted text."),
        (Wording(body="x" * 20_001), "body", "At most 20000 characters; this has 20001."),
    ],
)
def test_blank_or_oversized_words_are_refused_naming_the_field(accepted, wording, field, text):
    with pytest.raises(ValidationError) as refused:
        services.send_outreach(accepted, actor=accepted.owner, wording=wording)
    assert _errors(refused) == {field: [text]}
    assert not OutboundMessage.objects.exists()
    assert _outreach_task(accepted).status == TaskStatus.OPEN


def test_the_outreach_waits_for_an_owner(cta, covering_cse):
    with pytest.raises(ValidationError) as refused:
        services.send_outreach(cta, actor=covering_cse)
    assert _errors(refused) == {
        "owner": ["Accept the CTA first: the outreach goes in its owner's name."]
    }


def test_another_cse_may_not_send_it_a_manager_may_stand_in(accepted, cast):
    with pytest.raises(PermissionDenied, match="Only its owner, or a manager for them"):
        services.send_outreach(accepted, actor=UserFactory(roles=[Role.CSE]))
    services.send_outreach(accepted, actor=cast.manager)
    message = OutboundMessage.objects.get()
    assert message.from_email == f"Martin Brummer <{accepted.owner.email}>"  # still the owner's
    assert _outreach_task(accepted).completed_by == cast.manager


def test_the_opt_out_holds_whoever_asks(cast, case_data, covering_cse):
    case = cases.open_case(cast.account_owner, {**case_data, "opt_out_outreach": True}).case
    cta = services.accept(case.cta, cse=covering_cse, actor=covering_cse)
    with pytest.raises(ValidationError) as refused:
        services.send_outreach(cta, actor=covering_cse)
    assert _errors(refused) == {
        "outreach": ["The account owner opted out of automatic outreach: no email goes from here."]
    }
    assert not OutboundMessage.objects.exists()


def test_a_new_owner_does_not_send_it_again(accepted, cast):
    services.send_outreach(accepted, actor=accepted.owner)
    other = UserFactory(roles=[Role.CSE], covered_regions=[accepted.account.region])
    other.covered_segments.set([accepted.account.segment])
    services.accept(accepted, cse=other, actor=cast.manager, outreach=AS_DRAFTED)
    services.send_outreach(accepted, actor=other)  # as drafted: it already went
    assert OutboundMessage.objects.filter(idempotency_key__startswith="cta-outreach:").count() == 1


def test_a_manager_rewords_the_email_that_tells_the_cse(cta, cast, covering_cse):
    services.accept(
        cta,
        cse=covering_cse,
        actor=cast.manager,
        wording={"assigned": Wording("Yours: the CI one", "Please take this one today.")},
    )
    told = OutboundMessage.objects.get(idempotency_key__startswith="cta-assigned:")
    assert told.to == [covering_cse.email]
    assert (told.subject, told.body_text) == ("Yours: the CI one", "Please take this one today.\n")


def test_words_for_the_emails_of_an_assignment_are_checked_first(cta, cast, covering_cse):
    with pytest.raises(ValidationError) as refused:
        services.accept(
            cta,
            cse=covering_cse,
            actor=cast.manager,
            wording={"assigned": Wording(subject="")},
            outreach=Wording(body=" "),
        )
    assert set(_errors(refused)) == {"assigned_email.subject", "outreach.body"}
    cta.refresh_from_db()
    assert cta.owner is None  # nothing happened


def test_the_closing_email_takes_the_closers_words_and_ends_with_the_reason(accepted, cast):
    services.close(
        accepted,
        actor=cast.manager,
        reason="The customer solved it.",
        skip_reason="Solved before the call.",
        wording=Wording(body="Hello,\n\nWe closed it: they found the answer in the docs."),
    )
    told = OutboundMessage.objects.get(idempotency_key=f"cta-closed:{accepted.pk}")
    assert told.to == [cast.account_owner.email]
    assert told.body_text == (
        "Hello,\n\nWe closed it: they found the answer in the docs.\n"
        "\nWhy: The customer solved it.\n"
    )


# --- Over the API ------------------------------------------------------------------


def test_an_api_caller_reads_the_draft_and_sends_it_reworded(api, accepted):
    client = api(accepted.owner)
    draft = client.get(f"/ctas/{accepted.pk}/outreach").json()
    assert draft["state"] == "draft" and draft["message"] is None
    assert draft["email"]["body"].startswith("Hello Ana,\n")
    assert draft["email"]["to"] == ["ana@customer.example"]
    sent = client.post(f"/ctas/{accepted.pk}/outreach", {"body": "Hello Ana,\n\nTuesday?"})
    assert sent.status_code == 200, sent.content
    assert sent.json()["tasks"][1]["status"] == "done"
    after = client.get(f"/ctas/{accepted.pk}/outreach").json()
    assert after["state"] == "sent" and after["email"]["body"] == "Hello Ana,\n\nTuesday?\n"
    assert after["email"]["subject"] == draft["email"]["subject"]  # left out: as drafted
    again = client.post(f"/ctas/{accepted.pk}/outreach", {"body": "Wednesday?"})
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "outreach"
    assert again.json()["errors"][0]["rule"] == "already_sent"


def test_an_api_caller_accepts_and_sends_the_default_text_in_one_call(api, cta, covering_cse):
    response = api(covering_cse).post(f"/ctas/{cta.pk}/accept", {"outreach": {}})
    assert response.status_code == 200, response.content
    assert response.json()["outreach"].startswith("Outreach email ")
    message = OutboundMessage.objects.get(idempotency_key=f"cta-outreach:{cta.pk}")
    cta.refresh_from_db()
    assert message.body_text == services.outreach_draft(cta).body_text


def test_the_api_names_the_field_of_blank_words(api, cta, covering_cse):
    response = api(covering_cse).post(f"/ctas/{cta.pk}/accept", {"outreach": {"subject": " "}})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "outreach.subject",
            "rule": "invalid",
            "message": "Write a subject, or leave the drafted one.",
        }
    ]
