"""CS operations edit playbooks in the browser; a change never rewrites tasks already made."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from rhythm.cases import services as cases
from rhythm.ctas import rules
from rhythm.ctas.models import Cta, Playbook, PlaybookStep
from tests.conftest import CAST

EDITORS = {"cs_ops", "admin"}


@pytest.fixture
def playbook(db):
    return Playbook.objects.get(name=rules.ONE_OFF_PLAYBOOK)


def _errors(html: str, field_id: str) -> str:
    found = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


@pytest.mark.parametrize("who", CAST)
def test_who_reads_and_who_edits_playbooks(client, cast, playbook, who):
    client.force_login(getattr(cast, who))
    listing = client.get(reverse("ctas:playbooks"))
    page = client.get(reverse("ctas:playbook", args=[playbook.pk]))
    if who == "outsider":
        assert listing.status_code == page.status_code == 403
        return
    assert listing.status_code == page.status_code == 200
    html = page.content.decode()
    assert "Accept the request" in html
    assert ('data-testid="new-step-form"' in html) == (who in EDITORS)
    step = playbook.steps.order_by("position").first()
    response = client.post(
        reverse("ctas:step-update", args=[step.pk]),
        {
            f"step-{step.pk}-position": step.position,
            f"step-{step.pk}-title": "Changed",
            f"step-{step.pk}-due_offset_days": 0,
            f"step-{step.pk}-condition": "always",
        },
    )
    assert response.status_code == (302 if who in EDITORS else 403)


def test_cs_ops_edit_a_step_and_existing_tasks_keep_theirs(client, cast, playbook, case_data):
    earlier = cases.open_case(cast.account_owner, case_data).case.cta
    step = playbook.steps.get(position=3)
    client.force_login(cast.cs_ops)
    response = client.post(
        reverse("ctas:step-update", args=[step.pk]),
        {
            f"step-{step.pk}-position": 3,
            f"step-{step.pk}-title": "Schedule the discovery call",
            f"step-{step.pk}-due_offset_days": 4,
            f"step-{step.pk}-condition": "always",
        },
        follow=True,
    )
    assert "tasks already created keep their own copy" in response.content.decode()
    step.refresh_from_db()
    assert (step.title, step.due_offset_days) == ("Schedule the discovery call", 4)
    assert "Schedule the discovery call" not in [t.title for t in earlier.tasks.all()]

    case_data["challenges"] = "Another one"
    case_data["duplicate_reason"] = "A second team on the same deal."
    later = cases.open_case(cast.account_owner, case_data).case.cta
    assert "Schedule the discovery call" in [t.title for t in later.tasks.all()]
    assert Cta.objects.count() == 2


def test_add_and_remove_steps(client, cast, playbook):
    client.force_login(cast.cs_ops)
    url = reverse("ctas:step-create", args=[playbook.pk])
    last = playbook.steps.order_by("-position").first().position
    client.post(
        url,
        {"new-title": "Ask for a CSAT score", "new-due_offset_days": 5, "new-condition": "always"},
    )
    added = playbook.steps.get(title="Ask for a CSAT score")
    assert added.position == last + 1

    removed = client.post(reverse("ctas:step-archive", args=[added.pk]), follow=True)
    assert "Ask for a CSAT score removed" in removed.content.decode()
    added.refresh_from_db()
    assert added.archived_at is not None
    assert (
        "Ask for a CSAT score"
        not in client.get(reverse("ctas:playbook", args=[playbook.pk])).content.decode()
    )


def test_bad_steps_are_refused_beside_the_field_and_nothing_changes(client, cast, playbook):
    client.force_login(cast.cs_ops)
    before = list(PlaybookStep.objects.values_list("position", "title", "due_offset_days"))
    blank = client.post(
        reverse("ctas:step-create", args=[playbook.pk]),
        {"new-title": " ", "new-due_offset_days": -1, "new-condition": "always"},
    )
    assert blank.status_code == 422
    html = blank.content.decode()
    assert "required" in _errors(html, "id_new-title")
    assert "greater than or equal to 0" in _errors(html, "id_new-due_offset_days")

    assert list(PlaybookStep.objects.values_list("position", "title", "due_offset_days")) == before


def test_a_step_moved_to_a_taken_position_takes_it_and_the_others_move_down(client, cast, playbook):
    client.force_login(cast.cs_ops)
    titles = list(playbook.steps.order_by("position").values_list("title", flat=True))
    third = playbook.steps.get(position=3)
    client.post(
        reverse("ctas:step-update", args=[third.pk]),
        {
            f"step-{third.pk}-position": 1,
            f"step-{third.pk}-title": third.title,
            f"step-{third.pk}-due_offset_days": third.due_offset_days,
            f"step-{third.pk}-condition": third.condition,
        },
    )
    moved = list(playbook.steps.active().order_by("position").values_list("title", flat=True))
    assert moved == [titles[2], titles[0], titles[1], *titles[3:]]
    assert list(
        playbook.steps.active().values_list("position", flat=True).order_by("position")
    ) == list(range(1, len(titles) + 1))

    # A new step at position 2 goes there; one past the end goes last.
    url = reverse("ctas:step-create", args=[playbook.pk])
    client.post(
        url,
        {
            "new-title": "Check the contract",
            "new-position": 2,
            "new-due_offset_days": 0,
            "new-condition": "always",
        },
    )
    client.post(
        url,
        {
            "new-title": "Say thanks",
            "new-position": 999,
            "new-due_offset_days": 9,
            "new-condition": "always",
        },
    )
    final = list(playbook.steps.active().order_by("position").values_list("title", flat=True))
    assert final[1] == "Check the contract" and final[-1] == "Say thanks"
    assert len(final) == len(titles) + 2


def test_cs_ops_create_and_rename_a_playbook(client, cast, playbook):
    client.force_login(cast.cs_ops)
    created = client.post(
        reverse("ctas:playbooks"), {"name": "Renewal risk", "description": "When health drops."}
    )
    made = Playbook.objects.get(name="Renewal risk")
    assert created["Location"] == reverse("ctas:playbook", args=[made.pk])
    duplicate = client.post(reverse("ctas:playbooks"), {"name": "Renewal risk"})
    assert "already exists" in _errors(duplicate.content.decode(), "id_name")
    assert Playbook.objects.filter(name="Renewal risk").count() == 1

    client.post(reverse("ctas:playbook", args=[made.pk]), {"name": "Renewal at risk"})
    made.refresh_from_db()
    assert made.name == "Renewal at risk"
    assert "Playbooks" in client.get(reverse("home")).content.decode()  # in the navigation


def test_steps_reorder_through_the_api(api, cast, playbook):
    steps = list(playbook.steps.order_by("position"))
    last = steps[-1]
    moved = api(cast.cs_ops).patch(f"/playbook-steps/{last.pk}", {"position": 1})
    assert moved.status_code == 200, moved.content
    assert moved.json()["position"] == 1
    listed = api(cast.cs_ops).get(f"/playbooks/{playbook.pk}").json()["steps"]
    assert [s["id"] for s in listed] == [last.pk, *[s.pk for s in steps[:-1]]]
    assert [s["position"] for s in listed] == list(range(1, len(steps) + 1))
    refused = api(cast.cse).patch(f"/playbook-steps/{last.pk}", {"position": 2})
    assert refused.status_code == 403
