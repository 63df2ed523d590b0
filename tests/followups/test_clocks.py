"""SLA clocks: the scan tells the CSE of a clock due soon or breached and, on breach,
their manager, once per clock and kind, even with two scans at the same moment; a
paused clock's due time moves on by the working time it waited."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rhythm.core.models import OutboundMessage
from rhythm.core.rules import BusinessCalendar
from rhythm.followups import clocks, rules, services
from rhythm.followups.choices import ClockKind, ClockState
from rhythm.followups.models import FollowUp, FurtherQuestion
from rhythm.followups.tasks import scan_clocks
from rhythm.people.services import calendar_of
from tests.core.test_api_auth_and_errors import assert_error
from tests.factories import UserFactory
from tests.followups.test_followups import PARTS, _held, cta  # noqa: F401  (a fixture)

UTC = ZoneInfo("UTC")


def _next_wednesday_at(hour: int) -> datetime:
    today = timezone.now().astimezone(UTC).date() + timedelta(days=7)
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7)
    return datetime.combine(wednesday, time(hour), tzinfo=UTC)


@pytest.fixture
def follow_up(cta, cast):  # noqa: F811
    """The cast CSE's open follow-up, due on a Wednesday at 15:00 UTC; the cast's
    manager is the CSE's, who works Monday to Friday, 9:00 to 17:00 UTC, no holidays."""
    cast.cse.manager = cast.manager
    cast.cse.time_zone, cast.cse.holiday_country, cast.cse.holiday_subdivision = "UTC", "", ""
    cast.cse.save()
    follow_up = _held(cta)
    FollowUp.objects.filter(pk=follow_up.pk).update(due_at=_next_wednesday_at(15))
    follow_up.refresh_from_db()
    return follow_up


def _alerts(follow_up) -> dict[str, list[str]]:
    prefix = f"clock:follow_up:{follow_up.pk}:"
    return {
        m.idempotency_key.removeprefix(prefix): m.to
        for m in OutboundMessage.objects.filter(idempotency_key__startswith=prefix)
    }


# --- The rules ---------------------------------------------------------------------------

CALENDAR = BusinessCalendar()  # Monday to Friday, 9:00 to 17:00 UTC


@pytest.mark.parametrize(
    ("now_hour_offset", "state"),
    [
        (-27, ClockState.ON_TIME),  # Tuesday 12:00: 5 + 6 working hours left
        (-3, ClockState.DUE_SOON),  # Wednesday 12:00: 3 left
        (-4, ClockState.DUE_SOON),  # Wednesday 11:00: exactly 4
        (-5, ClockState.ON_TIME),
        (1, ClockState.BREACHED),
    ],
)
def test_a_clock_is_on_time_due_soon_or_breached_on_working_hours(now_hour_offset, state):
    due = _next_wednesday_at(15)
    now = due + timedelta(hours=now_hour_offset)
    assert rules.clock_state(CALENDAR, now=now, due_at=due, paused=False, soon_hours=4) == state
    assert (
        rules.clock_state(CALENDAR, now=now, due_at=due, paused=True, soon_hours=4)
        == ClockState.PAUSED
    )


def test_a_monday_morning_due_time_is_due_soon_on_friday_afternoon():
    monday = _next_wednesday_at(10) + timedelta(days=5)
    friday = monday - timedelta(days=3) + timedelta(hours=5)  # Friday 15:00
    assert rules.clock_state(CALENDAR, now=friday, due_at=monday, paused=False, soon_hours=4) == (
        ClockState.DUE_SOON
    )


def test_a_pause_moves_the_due_time_by_its_working_time_only():
    due = _next_wednesday_at(15)
    monday_16 = due - timedelta(days=2) + timedelta(hours=1)
    tuesday_10 = monday_16 + timedelta(hours=18)  # 1 h on Monday, 1 h on Tuesday
    moved = rules.resumed_due(CALENDAR, due_at=due, paused_at=monday_16, resumed_at=tuesday_10)
    assert moved == due + timedelta(hours=2)
    saturday = due + timedelta(days=3)
    assert (
        rules.resumed_due(
            CALENDAR, due_at=due, paused_at=saturday, resumed_at=saturday + timedelta(hours=30)
        )
        == due
    )


# --- The scan ------------------------------------------------------------------------------


def test_the_scan_tells_the_cse_when_due_soon_and_both_on_breach_once(cast, follow_up):
    due = follow_up.due_at
    assert clocks.scan(now=due - timedelta(hours=27)).written == 0  # on time
    assert clocks.scan(now=due - timedelta(hours=3)).written == 1
    assert _alerts(follow_up) == {"due_soon": [cast.cse.email]}
    assert clocks.scan(now=due - timedelta(hours=2)).written == 0  # told already
    breached = clocks.scan(now=due + timedelta(minutes=1))
    assert (breached.breached, breached.written) == (1, 2)
    assert clocks.scan(now=due + timedelta(hours=5)).written == 0
    assert _alerts(follow_up) == {
        "due_soon": [cast.cse.email],
        "breached": [cast.cse.email],
        "breached_manager": [cast.manager.email],
    }
    breach = OutboundMessage.objects.get(idempotency_key__endswith=":breached_manager")
    assert str(cast.cse) in breach.subject and follow_up.meeting.name in breach.subject
    assert reverse("followups:detail", args=[follow_up.pk]) in breach.body_text


def test_without_a_manager_named_the_team_managers_hear_of_a_breach(cast, follow_up):
    cast.cse.manager = None
    cast.cse.save()
    other = UserFactory(roles=["cse_manager"])
    clocks.scan(now=follow_up.due_at + timedelta(minutes=1))
    assert sorted(_alerts(follow_up)["breached_manager"]) == sorted(
        [cast.manager.email, other.email]
    )


def test_a_question_runs_a_clock_too(cast, follow_up):
    asked = services.ask(follow_up.meeting, actor=cast.csm, question="Autoscaling?")
    clocks.scan(now=asked.due_at + timedelta(minutes=1))
    keys = set(
        OutboundMessage.objects.filter(
            idempotency_key__startswith=f"clock:question:{asked.pk}:"
        ).values_list("idempotency_key", flat=True)
    )
    assert keys == {
        f"clock:question:{asked.pk}:breached",
        f"clock:question:{asked.pk}:breached_manager",
    }
    services.answer(asked, actor=cast.cse, text="Yes.")
    assert [c.kind for c in clocks.clocks(cast.cse, owner=cast.cse.pk)] == [ClockKind.FOLLOW_UP]


def test_a_sent_follow_up_stops_its_clock(cast, follow_up):
    services.send(follow_up, actor=cast.cse, parts=PARTS)
    assert clocks.scan(now=follow_up.due_at + timedelta(days=1)).written == 0
    assert clocks.clocks(cast.cse) == []


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_the_same_moment_tell_each_person_once(cast, follow_up):
    """Two workers' scans, each in its own thread and database connection, started
    together by a barrier: the outbox keys let one email through per clock and kind."""
    barrier = threading.Barrier(2)
    errors: list[Exception] = []
    written: list[int] = []
    now = follow_up.due_at + timedelta(minutes=1)

    def run():
        try:
            barrier.wait()
            written.append(clocks.scan(now=now).written)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _alerts(follow_up) == {
        "breached": [cast.cse.email],
        "breached_manager": [cast.manager.email],
    }
    assert OutboundMessage.objects.filter(idempotency_key__startswith="clock:").count() == 2
    assert sum(written) >= 2


def test_the_scan_is_a_periodic_task_every_15_minutes(cast, follow_up):
    from huey.contrib.djhuey import HUEY

    assert scan_clocks.task_class in HUEY._registry._periodic_tasks
    quarter_past = datetime(2026, 12, 1, 10, 15)
    assert scan_clocks.task_class.validate_datetime(None, quarter_past)
    assert not scan_clocks.task_class.validate_datetime(None, quarter_past + timedelta(minutes=1))
    FollowUp.objects.filter(pk=follow_up.pk).update(due_at=timezone.now() - timedelta(hours=1))
    scan_clocks()  # the queue runs it at once in the tests (immediate mode)
    assert set(_alerts(follow_up)) == {"breached", "breached_manager"}


def test_the_due_soon_window_is_a_setting(cast, follow_up, settings):
    settings.RHYTHM_CLOCK_DUE_SOON_HOURS = 1
    assert clocks.scan(now=follow_up.due_at - timedelta(hours=3)).written == 0
    assert clocks.scan(now=follow_up.due_at - timedelta(minutes=30)).written == 1


# --- Pausing ----------------------------------------------------------------------------------


def test_a_paused_clock_is_not_told_and_resuming_moves_its_due_time(cast, follow_up):
    due = follow_up.due_at
    monday_16 = due - timedelta(days=2) + timedelta(hours=1)
    clocks.pause(
        ClockKind.FOLLOW_UP,
        follow_up,
        actor=cast.cse,
        reason="Waiting on their logs.",
        now=monday_16,
    )
    assert clocks.scan(now=due + timedelta(hours=1)).written == 0
    [clock] = clocks.clocks(cast.cse)
    assert clock.state == ClockState.PAUSED and clock.item.pause_reason == "Waiting on their logs."
    resumed = clocks.resume(
        ClockKind.FOLLOW_UP, follow_up, actor=cast.cse, now=monday_16 + timedelta(hours=18)
    )
    assert resumed.due_at == due + timedelta(hours=2) and not resumed.paused
    assert resumed.history.filter(paused_at__isnull=False).exists()  # the pause is kept


def test_pausing_is_refused_by_field(cast, follow_up):
    with pytest.raises(ValidationError) as refused:
        clocks.pause(ClockKind.FOLLOW_UP, follow_up, actor=cast.cse, reason="  ")
    assert refused.value.error_dict["reason"][0].code == "required"
    with pytest.raises(PermissionDenied):
        clocks.pause(ClockKind.FOLLOW_UP, follow_up, actor=cast.csm, reason="Logs.")
    clocks.pause(ClockKind.FOLLOW_UP, follow_up, actor=cast.manager, reason="Logs.")
    with pytest.raises(ValidationError) as refused:
        clocks.pause(ClockKind.FOLLOW_UP, follow_up, actor=cast.cse, reason="Logs.")
    assert refused.value.error_dict["clock"][0].code == "paused"
    clocks.resume(ClockKind.FOLLOW_UP, follow_up, actor=cast.cse)
    with pytest.raises(ValidationError) as refused:
        clocks.resume(ClockKind.FOLLOW_UP, follow_up, actor=cast.cse)
    assert refused.value.error_dict["clock"][0].code == "running"


# --- The API and the home page -----------------------------------------------------------------


def test_the_api_lists_clocks_by_owner_and_state(api, cast, follow_up):
    FollowUp.objects.filter(pk=follow_up.pk).update(due_at=timezone.now() - timedelta(hours=1))
    asked = services.ask(follow_up.meeting, actor=cast.csm, question="Autoscaling?")
    client = api(cast.manager)
    breached = client.get("/clocks", owner=cast.cse.pk, state="breached").json()
    assert [(c["kind"], c["id"], c["state"]) for c in breached["items"]] == [
        ("follow_up", follow_up.pk, "breached")
    ]
    everything = client.get("/clocks", owner=cast.cse.pk).json()["items"]
    assert [c["kind"] for c in everything] == ["follow_up", "question"]  # by due time
    assert everything[1]["id"] == asked.pk and everything[1]["state"] in {"on_time", "due_soon"}
    assert client.get("/clocks", owner=cast.manager.pk).json()["items"] == []
    assert_error(client.get("/clocks", state="late"), 422, field="state")


def test_the_api_pauses_and_resumes_a_clock(api, cast, follow_up):
    client = api(cast.cse)
    path = f"/clocks/follow_up/{follow_up.pk}"
    assert_error(client.post(f"{path}/pause", {"reason": ""}), 422, field="reason", rule="required")
    paused = client.post(f"{path}/pause", {"reason": "Waiting on their logs."}).json()
    assert (paused["state"], paused["pause_reason"]) == ("paused", "Waiting on their logs.")
    assert_error(
        client.post(f"{path}/pause", {"reason": "Again."}), 422, field="clock", rule="paused"
    )
    resumed = client.post(f"{path}/resume").json()
    assert resumed["state"] != "paused" and resumed["paused_at"] is None
    assert_error(
        client.post(f"/clocks/meeting/{follow_up.pk}/pause", {"reason": "x"}), 422, field="kind"
    )
    assert api(cast.csm).post(f"{path}/pause", {"reason": "Mine."}).status_code == 403


def test_the_cses_home_lists_their_clocks_coloured_by_state(cast, follow_up):
    FollowUp.objects.filter(pk=follow_up.pk).update(due_at=timezone.now() - timedelta(hours=1))
    asked = services.ask(follow_up.meeting, actor=cast.csm, question="Autoscaling?")
    FurtherQuestion.objects.filter(pk=asked.pk).update(due_at=timezone.now() + timedelta(days=20))
    client = Client()
    client.force_login(cast.cse)
    page = client.get(reverse("home")).content.decode()
    section = page.split('data-testid="clocks"', 1)[1]
    breached, later = section.index("Breached"), section.index("On time")
    assert breached < later  # by due time
    assert "rh-badge-danger" in section and "rh-badge-success" in section
    assert follow_up.get_absolute_url() in section


def test_a_clocks_due_time_is_on_its_cses_calendar(cast, follow_up):
    cast.cse.time_zone = "Europe/Berlin"
    cast.cse.save()
    [clock] = clocks.clocks(cast.cse)
    assert clock.zone == calendar_of(cast.cse).zone == ZoneInfo("Europe/Berlin")
