"""A model's page is named once, in its get_absolute_url, and resolves to that page."""

from __future__ import annotations

import pytest
from django.urls import resolve

from rhythm.cases.models import Case
from rhythm.ctas.models import Cta, Playbook
from rhythm.customers.models import Account
from rhythm.engagements.models import EngagementRequest
from rhythm.meetings.models import Meeting
from rhythm.officehours.models import Question
from rhythm.people.models import User

PAGES = [
    (Account, "customers:account-detail", "account_id", "/accounts/4711/"),
    (Case, "cases:detail", "case_id", "/cases/4711/"),
    (Cta, "ctas:detail", "cta_id", "/ctas/4711/"),
    (Playbook, "ctas:playbook", "playbook_id", "/ctas/playbooks/4711/"),
    (EngagementRequest, "engagements:detail", "request_id", "/engagements/4711/"),
    (Meeting, "meetings:detail", "meeting_id", "/meetings/4711/"),
    (Question, "officehours:question", "question_id", "/office-hours/questions/4711/"),
    (User, "people:member", "member_id", "/team/4711/"),
]


@pytest.mark.parametrize(
    ("model", "view_name", "kwarg", "path"), PAGES, ids=[m.__name__ for m, *_ in PAGES]
)
def test_get_absolute_url_round_trips_through_the_resolver(model, view_name, kwarg, path):
    url = model(pk=4711).get_absolute_url()
    assert url == path  # the address emails and timelines have always carried
    match = resolve(url)
    assert match.view_name == view_name
    assert match.kwargs == {kwarg: 4711}


def test_an_account_page_is_served_at_its_absolute_url(client, cast, account):
    client.force_login(cast.csm)
    response = client.get(account.get_absolute_url())
    assert response.status_code == 200
    assert account.name in response.content.decode()
