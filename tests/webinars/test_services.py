"""Webinars through their services, on the real database and queue: planning and
sign-up, registration, environment requests, codes and access, the run of show and
what follows the event."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from rhythm.core.models import OutboundMessage
from rhythm.surveys.models import Survey
from rhythm.webinars import rules, services, tasks
from rhythm.webinars.models import Redemption, Registration
from tests.factories import ContactFactory, UserFactory
from tests.webinars import helpers

START = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)  # 16:00 in Berlin, a Wednesday


def outbox(to: str) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(to=[to]).order_by("id"))


def field_of(exc: pytest.ExceptionInfo) -> set[str]:
    return set(exc.value.message_dict)


# --- 1. Events and lab templates -------------------------------------------------------


def test_a_lab_takes_its_template_and_gets_its_run_of_show(cast):
    with time_machine.travel(START - timedelta(days=30), tick=False):
        lab = services.save_webinar(helpers.lab_data(START), actor=cast.program_manager)
    assert lab.status == "draft" and lab.access_days == 2
    assert lab.content_project_url == "https://gitlab.example/learn-labs/security"
    # 6. The deck's name, and the checklist due relative to the start.
    assert lab.deck_name == "Security and Compliance Lab - EMEA - 2027-03-10"
    steps = list(lab.checklist.all())
    assert [s.key for s in steps] == [
        "copy_deck",
        "codes",
        "presenter",
        "dry_run",
        "paste_notes",
        "housekeeping",
        "early",
    ]
    assert (
        steps[0].title
        == "Copy the master deck as “Security and Compliance Lab - EMEA - 2027-03-10”"
    )
    assert steps[-1].due_at == START - timedelta(minutes=10)
    assert "access for 2 days" in steps[5].title


def test_bad_input_names_the_field(cast):
    with pytest.raises(ValidationError) as exc:
        services.save_webinar(
            helpers.lab_data(title="", region="MARS", time_zone="Mars/Olympus", lab_template=None),
            actor=cast.program_manager,
        )
    assert field_of(exc) == {"title", "region", "time_zone", "lab_template"}
    with pytest.raises(PermissionDenied):
        services.save_webinar(helpers.lab_data(), actor=cast.cse)


# --- 2. DRI sign-up and publishing -----------------------------------------------------


def test_an_event_is_published_only_with_a_dri(cast):
    lab = services.save_webinar(helpers.lab_data(), actor=cast.program_manager)
    with pytest.raises(ValidationError) as exc:
        services.move(lab, "published", actor=cast.program_manager)
    assert exc.value.message_dict["host"] == ["An event cannot be published without a DRI (host)."]
    services.sign_up(lab, cast.cse, "host")
    assert services.move(lab, "published", actor=cast.program_manager).status == "published"
    assert list(lab.transitions.values_list("to_state", flat=True)) == ["published"]


def test_a_cse_cannot_host_two_events_at_once_nor_on_a_holiday(cast):
    first = services.save_webinar(helpers.lab_data(START), actor=cast.program_manager)
    services.sign_up(first, cast.cse, "host")
    overlapping = services.save_webinar(
        helpers.lab_data(START + timedelta(minutes=60), title="CI lab"), actor=cast.program_manager
    )
    with pytest.raises(ValidationError) as exc:
        services.sign_up(overlapping, cast.cse, "host")
    assert exc.value.message_dict["role"] == [
        "You already host “Security and Compliance hands-on lab” at that time."
    ]
    # Christmas Day is a public holiday on a German CSE's calendar.
    german = UserFactory(
        username="jonas", roles=["cse"], holiday_country="DE", time_zone="Europe/Berlin"
    )
    christmas = services.save_webinar(
        helpers.lab_data(datetime(2027, 12, 25, 10, tzinfo=UTC)), actor=cast.program_manager
    )
    with pytest.raises(ValidationError) as exc:
        services.sign_up(christmas, german, "host")
    assert exc.value.message_dict["role"] == ["25 Dec 2027 is a holiday on your calendar."]
    # A later slot is fine, and a helper signs up beside the DRI.
    later = services.save_webinar(
        helpers.lab_data(START + timedelta(hours=3)), actor=cast.program_manager
    )
    assert services.sign_up(later, cast.cse, "host").host == cast.cse
    services.sign_up(later, cast.manager, "helper")
    assert list(later.helpers.all()) == [cast.manager]
    with pytest.raises(PermissionDenied):
        services.sign_up(later, cast.csm, "helper")


# --- 3. Registration: double opt-in, waiting list, cancellation, reminders ------------


def test_registration_confirms_by_email_and_fills_the_waiting_list_in_order(cast):
    lab = helpers.published_lab(cast.program_manager, cast.cse, capacity=1)
    services.register(lab, name="Ada", email="Ada@Initech.example", company="Initech", consent=True)
    ada = Registration.objects.get(email="ada@initech.example")
    assert ada.status == "pending"  # nothing held until the link is followed
    assert services.confirm(helpers.token_in_outbox("ada@initech.example")).status == "confirmed"
    bob = helpers.confirmed(lab, "bob@initech.example", "Bob")
    cy = helpers.confirmed(lab, "cy@initech.example", "Cy")
    assert (bob.status, cy.status) == ("waitlisted", "waitlisted")
    assert outbox("bob@initech.example")[-1].subject.startswith("You are on the waiting list")
    services.cancel_by_token(helpers.token_in_outbox("ada@initech.example"))
    bob.refresh_from_db(), cy.refresh_from_db()
    assert (bob.status, cy.status) == ("confirmed", "waitlisted")
    assert outbox("bob@initech.example")[-1].subject == f"A seat for you: {lab.title}"


def test_registering_again_tells_nothing_and_replaces_the_link(cast):
    lab = helpers.published_lab(cast.program_manager, cast.cse)
    first = services.register(lab, name="Ada", email="ada@x.example", company="X", consent=True)
    again = services.register(lab, name="Ada", email="ada@x.example", company="X", consent=True)
    assert first.registration.pk == again.registration.pk
    assert len(outbox("ada@x.example")) == 2
    old = first.url.rstrip("/").rsplit("/", 1)[1]
    with pytest.raises(services.LinkRefused):
        services.by_token(old)


def test_registration_names_bad_fields(cast):
    lab = helpers.published_lab(cast.program_manager, cast.cse)
    with pytest.raises(ValidationError) as exc:
        services.register(lab, name="", email="not-an-email", company="", consent=False)
    assert field_of(exc) == {"name", "email", "company", "consent"}
    assert exc.value.message_dict["email"] == ["Enter a valid email address."]


def test_reminders_go_a_day_and_an_hour_before_once_each(cast):
    with time_machine.travel(START - timedelta(days=20), tick=False):
        lab = helpers.published_lab(cast.program_manager, cast.cse, START)
        helpers.confirmed(lab, "ada@x.example")
    for at, expected in (
        (START - timedelta(days=2), {"day": 0, "hour": 0, "host": 0}),
        (START - timedelta(hours=20), {"day": 1, "hour": 0, "host": 0}),
        (START - timedelta(hours=19), {"day": 0, "hour": 0, "host": 0}),
        (START - timedelta(minutes=50), {"day": 0, "hour": 1, "host": 0}),
        (START - timedelta(minutes=8), {"day": 0, "hour": 0, "host": 1}),
        (START - timedelta(minutes=5), {"day": 0, "hour": 0, "host": 0}),
    ):
        with time_machine.travel(at, tick=False):
            assert tasks.send_reminders.call_local() == expected, at
    subjects = [m.subject for m in outbox("ada@x.example")]
    assert subjects[-2:] == [f"Tomorrow: {lab.title}", f"In an hour: {lab.title}"]
    assert outbox(cast.cse.email)[-1].subject == f"Log in now: {lab.title} starts in 10 minutes"


def test_the_ical_feed_lists_the_published_events(cast, client):
    lab = helpers.published_lab(cast.program_manager, cast.cse)
    services.save_webinar(helpers.lab_data(title="Still a draft"), actor=cast.program_manager)
    response = client.get("/webinars/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    entries = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in entries] == [f"{lab.title} (Hands-on lab, EMEA)"]
    assert entries[0].decoded("dtstart") == lab.starts_at.replace(microsecond=0)
    assert f"/webinars/{lab.pk}/register/" in str(entries[0]["url"])


# --- 4. Environment requests --------------------------------------------------------------


def test_a_request_8_days_ahead_is_on_time_and_5_days_ahead_is_late_with_its_reason(cast):
    with time_machine.travel(START - timedelta(days=8), tick=False):
        lab = helpers.published_lab(cast.program_manager, cast.cse, START)
        env = services.file_environment_request(lab, actor=cast.cse)
    assert (env.late, env.days_before) == (False, 8)
    assert (
        outbox(cast.demo_architect.email)[-1].subject == f"Lab environment request: {lab.deck_name}"
    )
    with time_machine.travel(START - timedelta(days=5), tick=False):
        other = helpers.published_lab(
            cast.program_manager, cast.cse, START + timedelta(hours=4), title="CI lab"
        )
        with pytest.raises(ValidationError) as exc:
            services.file_environment_request(other, actor=cast.cse)
        assert exc.value.message_dict["late_reason"] == [
            "Filed 5 days before delivery, under the 7 required: say why it is late."
        ]
        with pytest.raises(PermissionDenied):
            services.file_environment_request(other, actor=cast.manager)  # not its DRI
        late = services.file_environment_request(
            other, actor=cast.cse, late_reason="The DRI changed this week."
        )
    assert (late.late, late.days_before, late.late_reason) == (
        True,
        5,
        "The DRI changed this week.",
    )
    told = outbox(cast.demo_architect.email)[-1]
    assert told.subject.startswith("Late lab environment request")
    assert "Reason: The DRI changed this week." in told.body_text


def test_the_board_needs_both_codes_and_tells_the_dri(cast):
    lab = helpers.published_lab(cast.program_manager, cast.cse)
    env = services.file_environment_request(lab, actor=cast.cse)
    with pytest.raises(PermissionDenied):
        services.move_request(env, "in_progress", actor=cast.cse)
    services.move_request(env, "in_progress", actor=cast.demo_architect)
    with pytest.raises(ValidationError) as exc:
        services.move_request(env, "ready", actor=cast.demo_architect, production_code="P-1")
    assert field_of(exc) == {"testing_code"}
    env = services.move_request(
        env, "ready", actor=cast.demo_architect, production_code="P-1", testing_code="T-1"
    )
    assert outbox(cast.cse.email)[-1].subject == f"Lab environment ready: {lab.deck_name}"
    assert services.move_request(env, "verified", actor=cast.demo_architect).verified_at


# --- 5. Codes and access windows ----------------------------------------------------------


def test_redemption_rules_and_the_expiry_task(cast):
    with time_machine.travel(START - timedelta(days=10), tick=False):
        lab = helpers.published_lab(cast.program_manager, cast.cse, START)
        helpers.ready_environment(lab, cast.cse, cast.demo_architect, production="PROD-1")
        helpers.confirmed(lab, "ada@x.example")
        services.register(lab, name="Pending", email="pen@x.example", company="X", consent=True)

    def redeem(email, code="prod-1 "):
        return services.redeem(lab, email=email, code=code)

    with time_machine.travel(START - timedelta(days=1), tick=False):
        with pytest.raises(ValidationError) as exc:
            redeem("ada@x.example")
        assert exc.value.message_dict["code"] == ["The code works from the lab's day, 10 Mar 2027."]
    with time_machine.travel(START - timedelta(minutes=30), tick=False):
        for email, code in (
            ("nobody@x.example", "PROD-1"),
            ("pen@x.example", "PROD-1"),
            ("ada@x.example", "TEST-9Q2L"),
        ):
            with pytest.raises(ValidationError) as exc:
                redeem(email, code)
            assert exc.value.message_dict["code"] == [rules.NO_MATCH]  # the same words for each
        done = redeem("ada@x.example")
        assert done.redemption.access_ends_at == START - timedelta(minutes=30) + timedelta(days=2)
        assert "gitlabdemo.example" in done.instructions
        with pytest.raises(ValidationError) as exc:
            redeem("ada@x.example")
        assert "already" in exc.value.message_dict["code"][0]
    assert services.redemption_counts([lab]) == {lab.pk: 1}
    with time_machine.travel(START + timedelta(days=1), tick=False):
        assert tasks.end_access_windows.call_local() == 0
    with time_machine.travel(START + timedelta(days=2), tick=False):
        assert tasks.end_access_windows.call_local() == 1
        assert tasks.end_access_windows.call_local() == 0
    assert Redemption.objects.get().ended_at is not None
    with time_machine.travel(START + timedelta(days=2), tick=False):
        services.move(lab, "delivered", actor=cast.cse)
        services.move(lab, "closed", actor=cast.program_manager)
    with pytest.raises(ValidationError) as exc:
        redeem("ada@x.example")
    assert exc.value.message_dict["code"] == ["This lab is closed: its codes no longer work."]


# --- 6. Run of show -------------------------------------------------------------------


def test_the_dri_ticks_the_run_of_show(cast):
    lab = helpers.published_lab(cast.program_manager, cast.cse)
    item = lab.checklist.first()
    assert services.tick(item, actor=cast.cse, done=True).done_by == cast.cse
    with pytest.raises(PermissionDenied):
        services.tick(item, actor=cast.manager, done=False)


# --- 7. After the event -------------------------------------------------------------------


def test_attendance_and_the_post_event_email_once_each(cast, account):
    lab = helpers.published_lab(cast.program_manager, cast.cse)
    ContactFactory(account=account, name="Ada", email="Ada@Customer.example")
    for email in ("ada@customer.example", "bob@x.example", "cy@x.example", "dee@x.example"):
        helpers.confirmed(lab, email)
    csv = (
        "Name,Email,Joined\nAda,ADA@customer.example,10:02\nZed,zed@elsewhere.example,10:05\n"
        "Dee,dee@x.example,10:01\n"
    )
    result = services.record_attendance(
        lab, rules.parse_attendance_csv(csv), actor=cast.program_manager
    )
    assert (result.marked, result.unknown) == (2, ["zed@elsewhere.example"])
    with pytest.raises(ValidationError) as exc:
        services.send_post_event(
            lab, actor=cast.program_manager, recording_url="https://v/1", deck_url="https://d/1"
        )
    assert field_of(exc) == {"status"}
    with pytest.raises(ValidationError) as exc:
        services.move(lab, "delivered", actor=cast.cse)  # it has not started
    assert exc.value.message_dict == {"starts_at": [rules.NOT_STARTED]}
    with time_machine.travel(lab.starts_at + timedelta(hours=2), tick=False):
        services.move(lab, "delivered", actor=cast.cse)
    with pytest.raises(ValidationError) as exc:
        services.send_post_event(lab, actor=cast.program_manager, recording_url="", deck_url="")
    assert field_of(exc) == {"recording_url", "deck_url"}
    sent = services.send_post_event(
        lab,
        actor=cast.program_manager,
        recording_url="https://video.example/rec",
        deck_url="https://deck.example/d",
    )
    assert sent == {"attendees": 2, "no_shows": 2, "surveys": 2}
    attendee = outbox("ada@customer.example")[-2]
    assert attendee.subject == f"Thank you for joining {lab.title}"
    assert outbox("ada@customer.example")[-1].subject == f"How did we do? ({lab.title})"
    assert "https://deck.example/d" in attendee.body_text
    no_show = outbox("bob@x.example")[-1]
    assert no_show.subject == f"Sorry we missed you: {lab.title}"
    assert "https://video.example/rec" in no_show.body_text and "deck" not in no_show.body_text
    # The short survey goes to attendees only (through surveys), once each: Ada as
    # her account's contact, Dee (no contact) by the address she registered with.
    asked = Survey.objects.order_by("recipient_email").values_list(
        "recipient_email", "contact__account", "account"
    )
    assert list(asked) == [
        ("ada@customer.example", account.pk, account.pk),
        ("dee@x.example", None, None),
    ]
    assert outbox("dee@x.example")[-1].subject == f"How did we do? ({lab.title})"
    assert not Survey.objects.filter(recipient_email__in=["bob@x.example", "cy@x.example"])
    again = services.send_post_event(lab, actor=cast.program_manager)
    assert again == {"attendees": 0, "no_shows": 0, "surveys": 0}
    assert OutboundMessage.objects.filter(subject__contains="missed you").count() == 2
    assert OutboundMessage.objects.filter(subject__startswith="How did we do?").count() == 2


def test_request_timing_rule():
    assert rules.request_timing(date(2027, 3, 2), date(2027, 3, 10), 7).late is False
    late = rules.request_timing(date(2027, 3, 5), date(2027, 3, 10), 7)
    assert (late.late, late.days_before) == (True, 5)
    assert rules.same_code(" prod-1", "PROD-1") and not rules.same_code("PROD-2", "PROD-1")
    assert not rules.same_code("", "")
