"""Community events: logged on an account through the service, the API and the form,
on the account's tab and timeline, refused by field, and counted for the KPIs in one
query."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from rhythm.community import services
from rhythm.community.models import CommunityEvent
from rhythm.timeline.models import TimelineEntry
from tests.content_fixtures import meetup_talk
from tests.core.test_api_auth_and_errors import assert_error
from tests.factories import AccountFactory


def test_logging_one_writes_the_timeline(cast, account):
    talk = meetup_talk(account, cast.cse, outcome="")
    entry = TimelineEntry.objects.get(account=account, kind="community")
    assert entry.title == "Talk at meetup GitLab Users Meetup logged"
    assert "Faster pipelines with caching" in entry.body
    services.update_event(talk, cast.cse, {"outcome": "Two teams asked for the CI lab."})
    latest = TimelineEntry.objects.filter(account=account, kind="community").order_by("-pk")[0]
    assert latest.title.endswith("outcome recorded") and "CI lab" in latest.body
    assert talk.history.first().outcome == "Two teams asked for the CI lab."


def test_every_broken_field_is_named(cast, account):
    with pytest.raises(ValidationError) as refused:
        services.log_event(
            cast.cse,
            account,
            {
                "name": "",
                "kind": "party",
                "date": None,
                "contribution": "",
                "contributors": [cast.account_owner.pk],
            },
        )
    assert {n: e[0].code for n, e in refused.value.error_dict.items()} == {
        "name": "required",
        "kind": "invalid_choice",
        "date": "required",
        "contribution": "required",
        "contributors": "not_a_cse",
    }
    assert not CommunityEvent.objects.exists()
    with pytest.raises(PermissionDenied):
        meetup_talk(account, cast.account_owner)


def test_archiving_keeps_it_out_of_the_lists_and_counts(cast, account):
    talk = meetup_talk(account, cast.cse)
    services.archive_event(talk, cast.cse)
    assert CommunityEvent.objects.filter(pk=talk.pk).exists()  # never deleted
    today = timezone.localdate()
    assert services.counts(since=today - timedelta(days=30), until=today) == []


def test_counts_by_kind_and_period_in_one_query(cast, account, django_assert_num_queries):
    other = AccountFactory()
    year = timezone.localdate().year - 1
    for when, kind, contribution, where in [
        (date(year, 1, 10), "conference", "talk", account),
        (date(year, 1, 20), "conference", "booth", other),
        (date(year, 2, 5), "meetup", "workshop", account),
        (date(year, 5, 5), "hackathon", "booth", account),
    ]:
        meetup_talk(where, cast.cse, date=when, kind=kind, contribution=contribution)
    with django_assert_num_queries(1):
        monthly = services.counts(since=date(year, 1, 1), until=date(year, 12, 31))
    assert [(r["period"], r["kind"], r["events"]) for r in monthly] == [
        (date(year, 1, 1), "conference", 2),
        (date(year, 2, 1), "meetup", 1),
        (date(year, 5, 1), "hackathon", 1),
    ]
    assert monthly[0]["contributions"] == {"booth": 1, "talk": 1}
    quarterly = services.counts(
        since=date(year, 1, 1),
        until=date(year, 12, 31),
        period="quarter",
        queryset=CommunityEvent.objects.filter(account=account),
    )
    assert [(r["period"], r["kind"], r["events"]) for r in quarterly] == [
        (date(year, 1, 1), "conference", 1),
        (date(year, 1, 1), "meetup", 1),
        (date(year, 4, 1), "hackathon", 1),
    ]


def test_the_api_logs_lists_by_account_counts_and_archives(api, cast, account):
    other = AccountFactory()
    meetup_talk(other, cast.cse)
    cse = api(cast.cse)
    body = {
        "account": account.pk,
        "kind": "hackathon",
        "name": "Acme Hack Week",
        "date": str(timezone.localdate()),
        "contribution": "workshop",
        "contributors": [cast.cse.pk, cast.manager.pk],
    }
    created = cse.post("/community-events", body)
    assert created.status_code == 201, created.content
    assert sorted(created.json()["contributors"]) == sorted([cast.cse.pk, cast.manager.pk])
    listed = api(cast.account_owner).get("/community-events", account=account.pk).json()
    assert [e["name"] for e in listed["items"]] == ["Acme Hack Week"]
    assert api(cast.account_owner).get("/community-events").json()["count"] == 1  # theirs only
    today = timezone.localdate()
    counts = cse.get(
        "/community-events/counts", since=str(today - timedelta(days=30)), until=str(today)
    )
    assert counts.json()["total"] == 2
    patched = cse.patch(f"/community-events/{created.json()['id']}", {"outcome": "Three demos."})
    assert patched.json()["outcome"] == "Three demos."
    bad = cse.post("/community-events", {**body, "date": str(today + timedelta(days=400))})
    assert_error(bad, 422, field="date", rule="too_far_ahead")
    nobody = cse.post("/community-events", {**body, "contributors": []})
    assert_error(nobody, 422, field="contributors")
    gone = cse._call("delete", f"/community-events/{created.json()['id']}")
    assert gone.status_code == 204
    assert api(cast.account_owner).get("/community-events").json()["count"] == 0


def test_the_account_tab_and_the_form(cast, account):
    browser = Client()
    browser.force_login(cast.cse)
    empty = browser.get(f"/accounts/{account.pk}/community/")
    assert empty.status_code == 200 and b"No community event logged." in empty.content
    url = f"/community/accounts/{account.pk}/new"
    refused = browser.post(
        url, {"name": "DevOpsDays", "kind": "conference", "contribution": "talk"}
    )
    assert refused.status_code == 422 and b"Give the date of the event." in refused.content
    logged = browser.post(
        url,
        {
            "name": "DevOpsDays",
            "kind": "conference",
            "date": str(timezone.localdate()),
            "contribution": "talk",
            "contributors": [cast.cse.pk],
        },
        follow=True,
    )
    assert logged.status_code == 200 and b"DevOpsDays" in logged.content
    assert b"Outcome not recorded yet" in logged.content
    overview = browser.get(f"/accounts/{account.pk}/")
    assert b"Community events" in overview.content
