"""The program manager changes a planned event: on its page, over the API (PATCH) and
through the service, with the sign-up's rules; a published event's registrants are
told of a new title or time, and their reminders follow it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from rhythm.core.models import OutboundMessage
from rhythm.webinars import services
from rhythm.webinars.models import Registration
from tests.factories import UserFactory
from tests.webinars import helpers

START = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)


def fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def changed_emails(to: str) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(to=[to], subject__startswith="Changed:"))


def test_a_published_events_new_time_is_told_to_its_registrants_once(cast):
    lab = helpers.published_lab(cast.program_manager, cast.cse, START)
    helpers.confirmed(lab, "ada@x.example")
    Registration.objects.filter(webinar=lab).update(day_reminder_at=START - timedelta(days=1))
    data = {**helpers.lab_data(START + timedelta(days=1)), "abstract": "New words."}
    services.save_webinar(data, actor=cast.program_manager, webinar=lab)
    (told,) = changed_emails("ada@x.example")
    assert "Thu 11 March 2027" in told.body_text.replace("Thursday", "Thu")
    # Its reminders go again, for the new time.
    assert Registration.objects.get(webinar=lab).day_reminder_at is None
    # Saving the same again tells nobody anything; nor does an abstract alone.
    services.save_webinar(data, actor=cast.program_manager, webinar=lab)
    services.save_webinar({**data, "abstract": "Other."}, actor=cast.program_manager, webinar=lab)
    assert len(changed_emails("ada@x.example")) == 1


def test_a_draft_changes_quietly_and_its_checklist_moves_with_it(cast):
    lab = services.save_webinar(helpers.lab_data(START), actor=cast.program_manager)
    later = START + timedelta(days=2)
    services.save_webinar(helpers.lab_data(later), actor=cast.program_manager, webinar=lab)
    assert not OutboundMessage.objects.filter(subject__startswith="Changed:").exists()
    assert min(i.due_at for i in lab.checklist.all()) < later
    assert max(i.due_at for i in lab.checklist.all()) > START


def test_the_sign_up_rules_hold_for_the_program_manager(cast):
    first = helpers.published_lab(cast.program_manager, cast.cse, START)
    other = services.save_webinar(
        helpers.lab_data(START + timedelta(days=1), title="CI lab"), actor=cast.program_manager
    )
    # Assigning a DRI who hosts another event then is refused with the reason.
    with pytest.raises(ValidationError) as exc:
        services.save_webinar(
            {**helpers.lab_data(START + timedelta(minutes=30), title="CI lab"), "host": cast.cse},
            actor=cast.program_manager,
            webinar=other,
        )
    name = cast.cse.get_full_name() or cast.cse.username
    assert exc.value.message_dict["host"] == [
        f"{name} already hosts “Security and Compliance hands-on lab” at that time."
    ]
    services.save_webinar(
        {**helpers.lab_data(START + timedelta(days=1), title="CI lab"), "host": cast.cse},
        actor=cast.program_manager,
        webinar=other,
    )
    # Moving the first onto the second's time is refused, by the start, for its DRI.
    with pytest.raises(ValidationError) as exc:
        services.save_webinar(
            helpers.lab_data(START + timedelta(days=1)), actor=cast.program_manager, webinar=first
        )
    assert list(exc.value.message_dict) == ["starts_at"]
    # A published event keeps its DRI; someone who does not host events is refused.
    with pytest.raises(ValidationError) as exc:
        services.save_webinar(
            {**helpers.lab_data(START), "host": None}, actor=cast.program_manager, webinar=first
        )
    assert list(exc.value.message_dict) == ["host"]
    with pytest.raises(ValidationError) as exc:
        services.save_webinar(
            {**helpers.lab_data(START), "host": cast.demo_architect},
            actor=cast.program_manager,
            webinar=first,
        )
    assert list(exc.value.message_dict) == ["host"]
    # Helpers are set, the DRI never among them.
    helper = UserFactory(username="hana", roles=["cse"])
    services.save_webinar(
        {**helpers.lab_data(START), "helpers": [helper, cast.cse]},
        actor=cast.program_manager,
        webinar=first,
    )
    assert list(first.helpers.all()) == [helper]
    with pytest.raises(PermissionDenied):
        services.save_webinar(helpers.lab_data(START), actor=cast.cse, webinar=first)


def test_the_edit_page_for_the_program_manager_only(cast):
    lab = helpers.published_lab(cast.program_manager, cast.cse, START)
    page = Client()
    page.force_login(cast.program_manager)
    detail = page.get(f"/webinars/{lab.pk}/")
    assert 'data-testid="edit-webinar"' in detail.text
    form = page.get(f"/webinars/{lab.pk}/edit/")
    assert form.status_code == 200 and 'value="2027-03-10T16:00"' in form.text
    assert 'data-testid="edit-published-note"' in form.text
    post = {
        "title": "Security lab, moved",
        "kind": "lab",
        "lab_template": helpers.template().pk,
        "region": "EMEA",
        "starts_at": "2027-03-12T16:00",
        "time_zone": "Europe/Berlin",
        "duration_minutes": "120",
        "host": cast.cse.pk,
    }
    bad = page.post(f"/webinars/{lab.pk}/edit/", {**post, "duration_minutes": "5"})
    assert bad.status_code == 422 and "A duration between 15 and 480 minutes." in bad.text
    done = page.post(f"/webinars/{lab.pk}/edit/", post)
    assert done.status_code == 302
    lab.refresh_from_db()
    assert (lab.title, lab.local_start.day, lab.local_start.hour) == ("Security lab, moved", 12, 16)
    cse_page = Client()
    cse_page.force_login(cast.cse)
    assert 'data-testid="edit-webinar"' not in cse_page.get(f"/webinars/{lab.pk}/").text
    assert cse_page.get(f"/webinars/{lab.pk}/edit/").status_code == 403


def test_patch_over_the_api(api, cast):
    lab = helpers.published_lab(cast.program_manager, cast.cse, START)
    helper = UserFactory(username="hana", roles=["cse"])
    pm = api(cast.program_manager)
    answer = pm.patch(f"/webinars/{lab.pk}", {"capacity": 80, "helpers": [helper.pk]})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["capacity"], body["helpers"], body["title"]) == (80, [helper.pk], lab.title)
    assert body["starts_at"].startswith("2027-03-10T15:00")
    refused = pm.patch(f"/webinars/{lab.pk}", {"host": None})
    assert refused.status_code == 422 and fields(refused) == ["host"]
    unknown = pm.patch(f"/webinars/{lab.pk}", {"helpers": [99999]})
    assert unknown.status_code == 422 and fields(unknown) == ["helpers"]
    assert pm.patch(f"/webinars/{lab.pk}", {"colour": "red"}).status_code == 422
    assert api(cast.cse).patch(f"/webinars/{lab.pk}", {"capacity": 1}).status_code == 403
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        services.move(lab, "delivered", actor=cast.cse)
    assert pm.patch(f"/webinars/{lab.pk}", {"capacity": 90}).status_code == 409
