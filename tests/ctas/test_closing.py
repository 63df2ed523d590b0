"""Closing a CTA honestly: the closer says which open tasks were done and why the
rest are skipped, on the CTA page and through the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rhythm.cases import services as cases
from rhythm.ctas import services
from rhythm.ctas.choices import CtaStatus, TaskStatus
from rhythm.ctas.models import Cta, CtaTask


@pytest.fixture
def cta(cast, case_data, covering_cse):
    cta = cases.open_case(cast.account_owner, case_data).case.cta
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    return cta


def _open(cta) -> list[CtaTask]:
    return list(cta.tasks.filter(status=TaskStatus.OPEN).order_by("position"))


def test_the_close_form_lists_the_open_tasks_with_a_done_box_and_a_reason(
    client, cta, covering_cse
):
    client.force_login(covering_cse)
    page = client.get(reverse("ctas:detail", args=[cta.pk])).content.decode()
    for task in _open(cta):
        if task.title.startswith("Close"):
            assert f'id="close-done-{task.pk}"' not in page  # closing does it
        else:
            assert f'name="done" value="{task.pk}"' in page
            assert f"Done: {task.title}" in page
    assert 'name="skip_reason"' in page


def test_closing_on_the_page_records_done_and_skipped(client, cta, covering_cse):
    schedule = cta.tasks.get(title="Schedule the call")
    client.force_login(covering_cse)
    response = client.post(
        reverse("ctas:close", args=[cta.pk]),
        {"done": [str(schedule.pk)], "skip_reason": "Answered in the call itself."},
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.status == TaskStatus.DONE and schedule.completed_by == covering_cse
    follow_up = cta.tasks.get(title__startswith="Send the follow-up")
    assert follow_up.status == TaskStatus.SKIPPED
    assert follow_up.note == "Skipped: Answered in the call itself."


def test_a_missing_skip_reason_shows_beside_its_field_and_keeps_the_ticks(
    client, cta, covering_cse
):
    schedule = cta.tasks.get(title="Schedule the call")
    client.force_login(covering_cse)
    response = client.post(reverse("ctas:close", args=[cta.pk]), {"done": [str(schedule.pk)]})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="close-skip-error"' in page and "Say why the 4 unticked tasks are skipped" in page
    assert f'value="{schedule.pk}" id="close-done-{schedule.pk}" checked' in page
    cta.refresh_from_db()
    assert cta.status == CtaStatus.IN_PROGRESS
    schedule.refresh_from_db()
    assert schedule.status == TaskStatus.OPEN  # nothing half-written


def test_the_api_closes_with_done_task_ids_and_skip_reason(api, cta, covering_cse):
    done = [t.pk for t in _open(cta)[:2]]
    response = api(covering_cse).post(
        f"/ctas/{cta.pk}/close",
        {"done_task_ids": done, "skip_reason": "The customer went quiet."},
    )
    assert response.status_code == 200, response.content
    tasks = {t["id"]: t for t in response.json()["tasks"]}
    assert all(tasks[pk]["status"] == "done" and tasks[pk]["completed_by"] for pk in done)
    skipped = [t for t in tasks.values() if t["status"] == "skipped"]
    assert skipped and all(t["note"] == "Skipped: The customer went quiet." for t in skipped)
    assert "open" not in {t["status"] for t in tasks.values()}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "skip_reason"),
        ({"skip_reason": " "}, "skip_reason"),
        ({"done_task_ids": [999_999], "skip_reason": "Why not"}, "done_task_ids"),
    ],
)
def test_the_api_refuses_bad_answers_naming_the_field(api, cta, covering_cse, body, field):
    response = api(covering_cse).post(f"/ctas/{cta.pk}/close", body)
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    cta.refresh_from_db()
    assert cta.status == CtaStatus.IN_PROGRESS and _open(cta)


def test_the_api_refuses_a_task_of_another_cta(api, cta, covering_cse):
    other = Cta.objects.create(name="Another", account=cta.account, owner=covering_cse)
    foreign = CtaTask.objects.create(cta=other, position=1, title="Not this CTA's")
    response = api(covering_cse).post(
        f"/ctas/{cta.pk}/close", {"done_task_ids": [foreign.pk], "skip_reason": "x"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "done_task_ids"
    foreign.refresh_from_db()
    assert foreign.status == TaskStatus.OPEN
