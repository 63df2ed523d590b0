"""Success plans and objectives made and changed on the account page's success plans
tab: who may, what a refusal says (beside the field it is about), and the way back
to the request form that sent the CSM there."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from rhythm.core.forms import FIELD as TOKEN_FIELD
from rhythm.customers import services
from rhythm.customers.models import Objective, SuccessPlan
from rhythm.people.choices import Role
from tests.conftest import CAST
from tests.customers.html import texts
from tests.factories import ObjectiveFactory, SuccessPlanFactory, UserFactory

HTMX = {"HX-Request": "true"}
MAKES_PLANS = frozenset({"csm", "admin"})  # customers.add_successplan, change_successplan
CHANGES_OBJECTIVES = frozenset({"csm", "cse", "manager", "admin"})  # change_objective


def _as(client, user):
    client.force_login(user)
    return client


def _errors(html: str, field: str) -> str:
    """The text of the errors Django renders beside one field ('' when none)."""
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error"[^>]*>(.*?)</ul>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip() if found else ""


def _plans_tab(account) -> str:
    return reverse("customers:account-tab", args=[account.pk, "success-plans"])


def _token(html: str) -> str:
    return re.search(rf'name="{TOKEN_FIELD}" value="([^"]+)"', html).group(1)


OBJECTIVE = {"title": "Adopt SAST", "status": "amber", "progress": "30", "due_date": "2031-06-30"}


# --- Who may -------------------------------------------------------------------------


@pytest.mark.parametrize("who", CAST)
def test_who_makes_a_plan(client, cast, account, who):
    _as(client, getattr(cast, who))
    url = reverse("customers:plan-create", args=[account.pk])
    allowed = who in MAKES_PLANS
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, {"name": "FY27 plan", "summary": "Agreed outcomes."})
    made = SuccessPlan.objects.filter(account=account, name="FY27 plan")
    if allowed:
        assert response.status_code == 302 and response["Location"] == _plans_tab(account)
        assert made.get().summary == "Agreed outcomes."
        assert made.get().history.first().history_user == getattr(cast, who)
    else:
        assert response.status_code == 403 and not made.exists()


@pytest.mark.parametrize("who", CAST)
def test_who_adds_and_changes_objectives(client, cast, account, who):
    plan = SuccessPlanFactory(account=account)
    objective = ObjectiveFactory(success_plan=plan, title="Move CI", progress=10)
    _as(client, getattr(cast, who))
    added = client.post(reverse("customers:objective-create", args=[plan.pk]), OBJECTIVE)
    assert added.status_code == (302 if who in MAKES_PLANS else 403)
    assert Objective.objects.filter(title="Adopt SAST").exists() == (who in MAKES_PLANS)
    changed = client.post(
        reverse("customers:objective-edit", args=[objective.pk]),
        {"title": "Move CI", "status": "green", "progress": "55"},
    )
    objective.refresh_from_db()
    if who in CHANGES_OBJECTIVES:
        assert changed.status_code == 302 and changed["Location"] == _plans_tab(account)
        assert (objective.progress, objective.status) == (55, "green")
    else:
        assert changed.status_code == 403 and objective.progress == 10


@pytest.mark.parametrize("role", [Role.ACCOUNT_OWNER, Role.CSM])
def test_the_plans_of_an_account_someone_may_not_see_are_not_found(client, account, role):
    plan = SuccessPlanFactory(account=account)
    objective = ObjectiveFactory(success_plan=plan)
    stranger = UserFactory(roles=[role])
    stranger.user_permissions.add(*_all_plan_rights())
    _as(client, stranger)
    for url in (
        reverse("customers:plan-create", args=[account.pk]),
        reverse("customers:plan-edit", args=[plan.pk]),
        reverse("customers:objective-create", args=[plan.pk]),
        reverse("customers:objective-edit", args=[objective.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {**OBJECTIVE, "name": "x"}).status_code == 404, url
    assert SuccessPlan.objects.count() == 1 and Objective.objects.count() == 1


def _all_plan_rights():
    return Permission.objects.filter(
        content_type__app_label="customers",
        codename__in=["add_successplan", "change_successplan", "add_objective", "change_objective"],
    )


def test_an_archived_plan_takes_no_objective(client, cast, account):
    plan = SuccessPlanFactory(account=account)
    services.archive(plan)
    _as(client, cast.csm)
    url = reverse("customers:objective-create", args=[plan.pk])
    assert client.post(url, OBJECTIVE).status_code == 404
    assert not Objective.objects.exists()


# --- What a refusal says -------------------------------------------------------------


def test_a_plan_without_a_name_is_refused_beside_the_name(client, cast, account):
    _as(client, cast.csm)
    response = client.post(reverse("customers:plan-create", args=[account.pk]), {"name": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert _errors(html, "name") == "This field is required."
    assert not SuccessPlan.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("progress", "150", "Ensure this value is less than or equal to 100."),
        ("progress", "-1", "Ensure this value is greater than or equal to 0."),
        ("progress", "half", "Enter a whole number."),
        ("due_date", "31/02/2031", "Enter a valid date."),
        ("status", "purple", "Select a valid choice. purple is not one of the available choices."),
        ("title", "x" * 201, "Ensure this value has at most 200 characters (it has 201)."),
    ],
)
def test_a_bad_objective_is_refused_beside_its_field(client, cast, account, field, value, said):
    plan = SuccessPlanFactory(account=account)
    _as(client, cast.csm)
    response = client.post(
        reverse("customers:objective-create", args=[plan.pk]), {**OBJECTIVE, field: value}
    )
    assert response.status_code == 200
    assert _errors(response.content.decode(), field) == said
    assert not Objective.objects.exists()


def test_a_plan_on_an_archived_account_is_refused_saying_why(client, cast, account):
    services.archive(account)
    _as(client, cast.csm)
    response = client.post(reverse("customers:plan-create", args=[account.pk]), {"name": "FY27"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"No account with id {account.pk}." in html  # the service's word, above the form
    assert not SuccessPlan.objects.exists()


def test_a_plan_form_sent_twice_makes_one_plan(client, cast, account):
    _as(client, cast.csm)
    url = reverse("customers:plan-create", args=[account.pk])
    token = _token(client.get(url).content.decode())
    for _ in range(2):
        response = client.post(url, {"name": "FY27 plan", TOKEN_FIELD: token})
        assert response.status_code == 302
    assert SuccessPlan.objects.filter(name="FY27 plan").count() == 1


def test_editing_a_plan_and_an_objective_starts_from_what_they_say(client, cast, account):
    plan = SuccessPlanFactory(account=account, name="FY27 plan", summary="Outcomes.")
    objective = ObjectiveFactory(success_plan=plan, title="Move CI", status="red", progress=15)
    _as(client, cast.csm)
    plan_form = client.get(reverse("customers:plan-edit", args=[plan.pk])).content.decode()
    assert 'value="FY27 plan"' in plan_form and "Outcomes.</textarea>" in plan_form
    form = client.get(reverse("customers:objective-edit", args=[objective.pk])).content.decode()
    assert 'value="Move CI"' in form and 'value="15"' in form
    assert re.search(r'value="red"[^>]*checked', form)
    client.post(
        reverse("customers:plan-edit", args=[plan.pk]), {"name": "FY28 plan", "summary": ""}
    )
    plan.refresh_from_db()
    assert (plan.name, plan.summary) == ("FY28 plan", "")


# --- In the tab, by HTMX ---------------------------------------------------------------


def test_the_forms_open_inside_the_tab_and_answer_there(client, cast, account):
    plan = SuccessPlanFactory(account=account)
    _as(client, cast.csm)
    url = reverse("customers:objective-create", args=[plan.pk])
    form = client.get(url, headers=HTMX).content.decode()
    assert "<html" not in form and 'data-testid="plan-form"' in form
    assert f'hx-post="{url}"' in form
    refused = client.post(url, {**OBJECTIVE, "progress": "150"}, headers=HTMX)
    assert "<html" not in refused.content.decode()
    assert _errors(refused.content.decode(), "progress")
    saved = client.post(url, OBJECTIVE, headers=HTMX)
    # Saved: the whole page again, so that the header's health is counted anew.
    assert saved.status_code == 200 and saved["HX-Redirect"] == _plans_tab(account)
    objective = Objective.objects.get()
    assert (objective.title, objective.status, objective.progress) == ("Adopt SAST", "amber", 30)
    assert str(objective.due_date) == "2031-06-30"


def test_the_tab_shows_each_plan_its_health_and_objectives(client, cast, account):
    plan = SuccessPlanFactory(account=account, name="FY27 plan")
    ObjectiveFactory(success_plan=plan, title="Move CI", status="red", progress=25)
    ObjectiveFactory(success_plan=plan, title="Adopt SAST", status="green", progress=75)
    services.archive(ObjectiveFactory(success_plan=plan, title="Dropped"))
    SuccessPlanFactory(account=account, name="Bare plan")
    _as(client, cast.cse)
    html = client.get(_plans_tab(account)).content.decode()
    assert texts(html, "plan-name") == ["Bare plan", "FY27 plan"]
    assert texts(html, "plan-health") == ["No objectives", "Red"]
    objectives = texts(html, "objective")
    assert len(objectives) == 2 and "Dropped" not in " ".join(objectives)
    assert 'aria-valuenow="25"' in html
    # A CSE changes an objective's progress, but makes no plan and adds no objective.
    assert html.count('data-testid="edit-objective"') == 2
    assert 'data-testid="new-plan"' not in html and 'data-testid="add-objective"' not in html


# --- From the request form and back ---------------------------------------------------


def test_an_objective_added_from_the_request_form_goes_back_to_it_chosen(client, cast, account):
    plan = SuccessPlanFactory(account=account)
    form = reverse("engagements:create", args=[account.pk])
    _as(client, cast.csm)
    tab = client.get(_plans_tab(account), {"next": form}).content.decode()
    assert 'data-testid="plans-next"' in tab
    assert f"?next={form}" in tab  # the forms keep the way back
    response = client.post(
        reverse("customers:objective-create", args=[plan.pk]), {**OBJECTIVE, "next": form}
    )
    objective = Objective.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{form}?objective={objective.pk}"
    chosen = client.get(response["Location"]).content.decode()
    assert re.search(rf'<option value="{objective.pk}" selected>', chosen)


def test_a_plan_made_from_the_request_form_keeps_the_way_back(client, cast, account):
    form = reverse("engagements:create", args=[account.pk])
    _as(client, cast.csm)
    response = client.post(
        reverse("customers:plan-create", args=[account.pk]),
        {"name": "FY27 plan", "next": form},
        headers=HTMX,
    )
    assert response["HX-Redirect"] == f"{_plans_tab(account)}?next={form.replace('/', '%2F')}"


def test_an_objective_already_there_is_picked_for_the_request(client, cast, account):
    objective = ObjectiveFactory(success_plan=SuccessPlanFactory(account=account))
    form = reverse("engagements:create", args=[account.pk])
    _as(client, cast.csm)
    tab = client.get(_plans_tab(account), {"next": form}).content.decode()
    assert f'href="{form}?objective={objective.pk}" data-testid="use-objective"' in tab


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/steal", "//evil.example/", "javascript:alert(1)"]
)
def test_a_next_that_leads_away_is_ignored(client, cast, account, elsewhere):
    plan = SuccessPlanFactory(account=account)
    _as(client, cast.csm)
    tab = client.get(_plans_tab(account), {"next": elsewhere}).content.decode()
    assert 'data-testid="plans-next"' not in tab and "evil" not in tab
    response = client.post(
        reverse("customers:objective-create", args=[plan.pk]), {**OBJECTIVE, "next": elsewhere}
    )
    assert response["Location"] == _plans_tab(account)
