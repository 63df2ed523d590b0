"""A form's target opened with GET leads back to the page with the form.

That GET happens when sign-in sends someone back (``next=`` is the form's target
once their session has expired) or when the address is opened from the history.
"""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

FORM_TARGETS = [
    ("timeline:add-note", [7], "customers:account-tab", [7, "timeline"]),
    ("engagements:transition", [7], "engagements:detail", [7]),
    ("engagements:board-move", [], "engagements:board", []),
    ("officehours:session-create", [], "officehours:list", []),
    ("meetings:held", [7], "meetings:detail", [7]),
    ("ctas:accept", [7], "ctas:detail", [7]),
    ("ctas:close", [7], "ctas:detail", [7]),
    ("ctas:task-toggle", [7], "ctas:list", []),
    ("people:create-token", [], "people:tokens", []),
]


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True)


@pytest.mark.parametrize(("target", "args", "page", "page_args"), FORM_TARGETS)
def test_a_get_on_a_form_target_goes_to_its_page(client, superuser, target, args, page, page_args):
    client.force_login(superuser)
    response = client.get(reverse(target, args=args))
    assert response.status_code == 302
    assert response["Location"] == reverse(page, args=page_args)
    assert client.delete(reverse(target, args=args)).status_code == 405


def test_signing_in_again_after_an_expired_session_lands_on_the_page(client, superuser):
    target = reverse("timeline:add-note", args=[7])
    to_sign_in = client.post(target, {"text": "hello"})
    assert to_sign_in.status_code == 302
    assert to_sign_in["Location"].startswith(reverse("login"))
    client.force_login(superuser)
    assert client.get(target)["Location"] == reverse("customers:account-tab", args=[7, "timeline"])


def test_a_task_target_leads_to_its_cta(client, superuser, cast, case_data):
    from rhythm.cases import services as case_services

    case = case_services.open_case(cast.account_owner, case_data).case
    task = case.cta.tasks.first()
    client.force_login(superuser)
    response = client.get(reverse("ctas:task-toggle", args=[task.pk]))
    assert response["Location"] == reverse("ctas:detail", args=[case.cta.pk])
