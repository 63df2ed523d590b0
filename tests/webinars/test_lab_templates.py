"""Lab templates, kept by the program manager: the page, its form, the API and the
service's rules (a name once, an access window of 2 or 4 days, links that are links)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from rhythm.webinars import services
from rhythm.webinars.models import LabTemplate
from tests.webinars import helpers

GOOD = {
    "name": "CI/CD Lab",
    "master_deck_url": "https://drive.example/master/cicd",
    "content_project_url": "https://gitlab.example/learn-labs/cicd",
    "access_days": 4,
    "exercises": "Write a pipeline\nAdd a cache\nDeploy a review app",
    "instructions": "Open exercise 1.",
}


def fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def test_the_rules_name_the_field_and_write_nothing(cast):
    pm = cast.program_manager
    template = services.save_lab_template(GOOD, actor=pm)
    assert (template.name, template.access_days) == ("CI/CD Lab", 4)
    cases = [
        ({"name": " "}, "name"),
        ({"name": "ci/cd lab"}, "name"),  # taken, whatever the case
        ({"access_days": 3}, "access_days"),
        ({"master_deck_url": "drive/master"}, "master_deck_url"),
    ]
    for change, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.save_lab_template({**GOOD, "name": "Other", **change}, actor=pm)
        assert list(exc.value.message_dict) == [field]
    assert LabTemplate.objects.count() == 1
    # Its own name is no clash when it is changed.
    services.save_lab_template({**GOOD, "access_days": 2}, actor=pm, template=template)
    template.refresh_from_db()
    assert template.access_days == 2
    with pytest.raises(PermissionDenied):
        services.save_lab_template({**GOOD, "name": "Mine"}, actor=cast.cse)


def test_a_lab_drafted_from_a_template_takes_its_window(cast):
    template = services.save_lab_template(GOOD, actor=cast.program_manager)
    lab = services.save_webinar(helpers.lab_data(lab_template=template), actor=cast.program_manager)
    assert (lab.access_days, lab.content_project_url) == (4, GOOD["content_project_url"])


def test_the_page_and_its_form(cast):
    helpers.template()
    pm = Client()
    pm.force_login(cast.program_manager)
    page = pm.get("/webinars/lab-templates/")
    assert page.status_code == 200 and 'data-testid="new-lab-template"' in page.text
    assert "Security and Compliance Lab" in page.text
    assert 'href="/webinars/lab-templates/"' in pm.get("/webinars/").text  # and in the menu
    bad = pm.post("/webinars/lab-templates/new/", {**GOOD, "access_days": "2", "name": ""})
    assert bad.status_code == 422 and "Give the lab template a name." in bad.text
    assert pm.post("/webinars/lab-templates/new/", {**GOOD, "access_days": "2"}).status_code == 302
    made = LabTemplate.objects.get(name="CI/CD Lab")
    form = pm.get(f"/webinars/lab-templates/{made.pk}/")
    assert form.status_code == 200 and "Write a pipeline" in form.text
    pm.post(f"/webinars/lab-templates/{made.pk}/", {**GOOD, "access_days": "4"})
    made.refresh_from_db()
    assert made.access_days == 4
    cse = Client()
    cse.force_login(cast.cse)
    listed = cse.get("/webinars/lab-templates/")
    assert listed.status_code == 200 and 'data-testid="new-lab-template"' not in listed.text
    assert cse.get("/webinars/lab-templates/new/").status_code == 403


def test_over_the_api(api, cast):
    pm = api(cast.program_manager)
    made = pm.post("/lab-templates", GOOD)
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["name"], body["access_days"]) == ("CI/CD Lab", 4)
    again = pm.post("/lab-templates", GOOD)
    assert again.status_code == 422 and fields(again) == ["name"]
    changed = pm.patch(f"/lab-templates/{body['id']}", {"access_days": 2})
    assert changed.status_code == 200 and changed.json()["access_days"] == 2
    assert changed.json()["exercises"] == GOOD["exercises"]
    wrong = pm.patch(f"/lab-templates/{body['id']}", {"access_days": 5})
    assert wrong.status_code == 422 and fields(wrong) == ["access_days"]
    assert api(cast.cse).get(f"/lab-templates/{body['id']}").status_code == 200
    assert api(cast.cse).post("/lab-templates", {**GOOD, "name": "X"}).status_code == 403
    assert api(cast.cse).patch(f"/lab-templates/{body['id']}", {"name": "X"}).status_code == 403
