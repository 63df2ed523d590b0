"""The people pages through the HTTP client: start page, team, member page, API tokens."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rhythm.core.models import ApiToken
from rhythm.core.services import authenticate_token, create_token
from rhythm.people import services
from rhythm.people.choices import Role
from tests.conftest import CAST
from tests.factories import AccountFactory, SegmentFactory, UserFactory

ALL_ROLES = frozenset(CAST) - {"outsider"}
CHANGE_USER = frozenset({"manager", "admin"})


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Hundreds of users are created below; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def scale(db):
    return SegmentFactory(name="Scale", arr_floor=0, arr_ceiling=50000)


def _member_data(person, **changes) -> dict:
    data = {
        "title": person.title,
        "region": person.region,
        "time_zone": person.time_zone,
        "holiday_country": person.holiday_country,
        "holiday_subdivision": person.holiday_subdivision,
        "working_days": person.working_days,
        "weekly_capacity_hours": person.weekly_capacity_hours,
        "covered_regions": person.covered_regions,
        "covered_segments": [s.pk for s in person.covered_segments.all()],
        "booking_url": person.booking_url,
    }
    data.update(changes)
    return data


def _field_errors(html: str, field: str) -> str:
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


# --- Permissions, looped over the cast ----------------------------------------


def test_anonymous_is_sent_to_sign_in_everywhere(client, cast):
    _token, _plain = create_token(cast.cse, "mine")
    token = ApiToken.objects.get()
    urls = [
        ("get", reverse("home")),
        ("get", reverse("people:team")),
        ("get", reverse("people:member", args=[cast.cse.pk])),
        ("post", reverse("people:member", args=[cast.cse.pk])),
        ("get", reverse("people:tokens")),
        ("post", reverse("people:create-token")),
        ("post", reverse("people:revoke-token", args=[token.pk])),
        ("get", reverse("password_change")),
        ("post", reverse("password_change")),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(f"{reverse('login')}?next="), (method, url)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1


def test_anonymous_htmx_filter_of_the_team_sends_the_page_to_sign_in(client, db):
    response = client.get(reverse("people:team"), {"role": "cse"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/team/%3Frole%3Dcse"


@pytest.mark.parametrize("who", CAST)
def test_pages_every_signed_in_person_has(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("people:tokens")).status_code == 200
    assert client.get(reverse("password_change")).status_code == 200
    # Everyone may see their own page, whatever their role.
    assert client.get(reverse("people:member", args=[getattr(cast, who).pk])).status_code == 200


@pytest.mark.parametrize("who", CAST)
def test_team_and_member_pages(client, cast, who):
    client.force_login(getattr(cast, who))
    expected = 200 if who in ALL_ROLES else 403
    assert client.get(reverse("people:team")).status_code == expected
    assert client.get(reverse("people:member", args=[cast.cse.pk])).status_code == expected


@pytest.mark.parametrize("who", CAST)
def test_member_change(client, cast, who):
    client.force_login(getattr(cast, who))
    url = reverse("people:member", args=[cast.cse.pk])
    response = client.post(url, _member_data(cast.cse, weekly_capacity_hours="30"))
    cast.cse.refresh_from_db()
    if who in CHANGE_USER:
        assert response.status_code == 302
        assert cast.cse.weekly_capacity_hours == Decimal("30")
    else:
        # The CSE's own page saves their own details only; everyone else is refused.
        assert response.status_code == (302 if who == "cse" else 403)
        assert cast.cse.weekly_capacity_hours == Decimal("40")


@pytest.mark.parametrize("who", CAST)
def test_tokens_create_and_revoke(client, cast, who):
    person = getattr(cast, who)
    client.force_login(person)
    response = client.post(reverse("people:create-token"), {"name": "laptop"})
    assert response.status_code == 302
    token = ApiToken.objects.get(user=person)
    assert token.name == "laptop"
    assert client.post(reverse("people:revoke-token", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_someone_elses_token_cannot_be_revoked(client, cast):
    create_token(cast.cse, "theirs")
    theirs = ApiToken.objects.get()
    client.force_login(cast.admin)
    assert client.post(reverse("people:revoke-token", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert "theirs" not in client.get(reverse("people:tokens")).content.decode()


def test_token_actions_take_post_only(client, cast):
    create_token(cast.cse, "mine")
    token = ApiToken.objects.get()
    client.force_login(cast.cse)
    # A GET (the address opened again, or sign-in sending someone back to it)
    # lands on the tokens page and changes nothing.
    assert client.get(reverse("people:create-token"))["Location"] == reverse("people:tokens")
    revoke = reverse("people:revoke-token", args=[token.pk])
    assert client.get(revoke)["Location"] == reverse("people:tokens")
    assert client.put(revoke).status_code == 405
    assert ApiToken.objects.count() == 1


def test_archived_and_unknown_members_are_not_found(client, cast):
    leaver = UserFactory(roles=[Role.CSE])
    services.archive_member(leaver)
    client.force_login(cast.manager)
    assert client.get(reverse("people:member", args=[leaver.pk])).status_code == 404
    assert client.get(reverse("people:member", args=[999999])).status_code == 404
    assert str(leaver) not in client.get(reverse("people:team")).content.decode()


# --- The new token is shown once, and it works ---------------------------------


def test_new_token_is_shown_once_and_authenticates(client, cast):
    client.force_login(cast.cse)
    page = client.post(reverse("people:create-token"), {"name": "ci"}, follow=True)
    found = re.search(r'data-testid="new-token">([^<]+)<', page.content.decode())
    assert found
    plain = found.group(1)
    assert authenticate_token(plain).user == cast.cse
    again = client.get(reverse("people:tokens")).content.decode()
    assert plain not in again
    assert ApiToken.objects.get().prefix in again


# --- The member page: a manager edits capacity and coverage -------------------


def test_manager_edits_capacity_and_coverage_and_history_says_who(client, cast, scale):
    client.force_login(cast.manager)
    url = reverse("people:member", args=[cast.cse.pk])
    response = client.post(
        url,
        _member_data(
            cast.cse,
            weekly_capacity_hours="32.5",
            covered_regions=["EMEA", "APAC"],
            covered_segments=[scale.pk],
        ),
    )
    assert response.status_code == 302
    cse = type(cast.cse).objects.get(pk=cast.cse.pk)
    assert cse.weekly_capacity_hours == Decimal("32.5")
    assert cse.covered_regions == ["EMEA", "APAC"]
    assert list(cse.covered_segments.all()) == [scale]
    latest = cse.history.order_by("-history_date", "-history_id")
    assert {row.history_user for row in latest[:2]} == {cast.manager}
    assert any(row.weekly_capacity_hours == Decimal("32.5") for row in latest[:2])

    page = client.get(url).content.decode()
    assert f"{cse} updated." in page
    history = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split('data-testid="history"')[1]))
    assert f"{cast.manager} changed team member {cse}" in history
    assert "Weekly capacity hours: 40 → 32.5" in history
    assert "Covered segments: — → Scale" in history


def test_cse_sees_a_member_page_without_the_form_and_cannot_change_it(client, cast, scale):
    client.force_login(cast.cse)
    url = reverse("people:member", args=[cast.manager.pk])
    page = client.get(url).content.decode()
    assert '<form method="post" class="rhythm-form"' not in page
    assert "Weekly capacity" in page
    versions = cast.manager.history.count()
    response = client.post(url, _member_data(cast.manager, weekly_capacity_hours="1"))
    assert response.status_code == 403
    cast.manager.refresh_from_db()
    assert cast.manager.weekly_capacity_hours == Decimal("40")
    assert cast.manager.history.count() == versions
    # Not even their own capacity: their page saves only their own details.
    client.post(
        reverse("people:member", args=[cast.cse.pk]),
        _member_data(cast.cse, weekly_capacity_hours="1"),
    )
    cast.cse.refresh_from_db()
    assert cast.cse.weekly_capacity_hours == Decimal("40")


def test_bad_member_values_are_refused_beside_their_fields(client, cast):
    client.force_login(cast.manager)
    url = reverse("people:member", args=[cast.cse.pk])
    versions = cast.cse.history.count()
    response = client.post(
        url,
        _member_data(
            cast.cse,
            weekly_capacity_hours="120",
            time_zone="Mars/Olympus",
            title="Renamed while refused",
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "less than or equal to 80" in _field_errors(html, "weekly_capacity_hours")
    assert "IANA time zone" in _field_errors(html, "time_zone")
    assert _field_errors(html, "title") == ""
    cast.cse.refresh_from_db()
    assert cast.cse.weekly_capacity_hours == Decimal("40")
    assert cast.cse.title != "Renamed while refused"
    assert cast.cse.history.count() == versions


def test_unknown_holiday_subdivision_is_refused_beside_its_field(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        reverse("people:member", args=[cast.cse.pk]),
        _member_data(cast.cse, holiday_country="US", holiday_subdivision="ZZ"),
    )
    assert response.status_code == 200
    assert "not a subdivision" in _field_errors(response.content.decode(), "holiday_subdivision")


# --- The team page and the start page ----------------------------------------


def test_team_page_lists_region_segments_and_capacity(client, cast, scale):
    services.update_member(
        cast.cse, {"weekly_capacity_hours": Decimal("25"), "region": "EMEA"}, segment_ids=[scale.pk]
    )
    client.force_login(cast.csm)
    html = client.get(reverse("people:team")).content.decode()
    row = re.search(rf'<a class="rh-person" href="/team/{cast.cse.pk}/">.*?</tr>', html, re.S)
    assert row
    cells = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0)))
    assert "EMEA" in cells and "Scale" in cells and "25" in cells and "CSE" in cells


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_team_page_queries_do_not_grow_with_members(client, cast, scale):
    other = SegmentFactory(name="Strategic", arr_floor=250000, arr_ceiling=2000000)

    def hire(count):
        for person in UserFactory.create_batch(count, roles=[Role.CSE, Role.CSM]):
            person.covered_segments.set([scale, other])

    hire(1)
    client.force_login(cast.manager)
    url = reverse("people:team")
    client.get(url)
    few = _count_queries(client, url)
    hire(490)
    assert _count_queries(client, url) == few


def test_member_page_queries_do_not_grow_with_history(client, cast, scale):
    client.force_login(cast.manager)
    url = reverse("people:member", args=[cast.cse.pk])
    for hours in ("30", "31"):
        client.post(url, _member_data(cast.cse, weekly_capacity_hours=hours))
    few = _count_queries(client, url)
    for hours in range(20, 60):
        segments = [scale.pk] if hours % 2 else []
        client.post(
            url, _member_data(cast.cse, weekly_capacity_hours=hours, covered_segments=segments)
        )
    assert _count_queries(client, url) == few


def test_home_shows_roles_count_and_upcoming_renewals(client, cast):
    soon = timezone.localdate() + timedelta(days=20)
    AccountFactory(name="Renews Soon", account_owner=cast.account_owner, renewal_date=soon)
    AccountFactory(name="Not Mine", renewal_date=soon)
    client.force_login(cast.account_owner)
    html = client.get(reverse("home")).content.decode()
    assert "Account owner" in html
    assert "Renews Soon" in html and "Not Mine" not in html
    assert f'{soon:%-d %b %Y} <span class="text-secondary">(in 20 days)</span>' in html
    client.force_login(cast.outsider)
    html = client.get(reverse("home")).content.decode()
    assert "No role yet" in html
    assert f'href="{reverse("customers:account-list")}"' not in html
    assert f'href="{reverse("people:team")}"' not in html


def test_navigation_follows_the_role(client, cast):
    client.force_login(cast.cse)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("customers:account-list")}"' in html
    assert f'href="{reverse("people:team")}"' in html


def test_team_filters_by_role_and_region_and_totals_capacity(client, cast):
    services.update_member(cast.cse, {"region": "EMEA", "weekly_capacity_hours": Decimal("30")})
    emea_cse = UserFactory(region="EMEA", weekly_capacity_hours=Decimal("12.5"), roles=[Role.CSE])
    client.force_login(cast.manager)
    url = reverse("people:team")

    def names(params):
        html = client.get(url, params).content.decode()
        found = re.findall(
            r'<a class="rh-person" href="/team/\d+/">.*?<span>([^<]+)</span></a>', html
        )
        return set(found), html

    found, html = names({"role": "cse", "region": "EMEA"})
    assert found == {str(cast.cse), str(emea_cse)}
    assert re.search(r"2 members</td><td[^>]*>42.5 h \(CSEs\)<", html)
    # The total counts engagement hours: the CSEs', not every member's.
    _, everyone = names({})
    assert re.search(r"members</td><td[^>]*>42.5 h \(CSEs\)<", everyone)
    found, _ = names({"role": "cse"})
    assert found == {str(cast.cse), str(emea_cse)}
    found, _ = names({"region": "AMER", "role": "csm"})
    assert found == {str(cast.csm)}
    # Unknown values are ignored rather than hiding everyone.
    found, _ = names({"role": "wizard", "region": "MOON"})
    assert len(found) == 10


def _work(html: str) -> dict[str, str]:
    import re

    tiles = re.findall(
        r'data-testid="work-item".*?"rh-figure">(.*?)</span>\s*'
        r'<span class="rh-figure-label">(.*?)</span>',
        html,
        re.S,
    )
    return {label: count for count, label in tiles}


def test_home_says_what_waits_for_each_role(client, cast, case_data, covering_cse):
    from rhythm.cases import services as cases
    from rhythm.ctas import services as ctas

    opened = cases.open_case(cast.account_owner, case_data).case
    client.force_login(cast.manager)
    assert _work(client.get(reverse("home")).content.decode()) == {
        "Requests waiting for review": "0",
        "CTAs nobody has accepted": "1",
    }
    ctas.accept(opened.cta, cse=covering_cse, actor=covering_cse)
    client.force_login(covering_cse)
    assert _work(client.get(reverse("home")).content.decode()) == {
        "Your open CTAs": "1",
        "Your engagements running": "0",
        "Outreach drafts for you to send": "1",  # accepted: the draft waits for them
    }
    client.force_login(cast.account_owner)
    assert _work(client.get(reverse("home")).content.decode()) == {"Your open CS Help cases": "1"}
    client.force_login(cast.csm)
    assert _work(client.get(reverse("home")).content.decode()) == {
        "Questions waiting for your answer": "0"
    }


def test_home_takes_the_same_queries_however_much_work_waits(client, cast, case_data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rhythm.cases import services as cases

    client.force_login(cast.manager)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for n in range(5):
        cases.open_case(
            cast.account_owner,
            {**case_data, "challenges": f"Need {n}", "duplicate_reason": f"Team {n}"},
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many) == len(few)


def test_a_member_sets_their_own_booking_link_and_nothing_else(client, cast, api):
    client.force_login(cast.cse)
    page = reverse("people:member", args=[cast.cse.pk])
    assert 'data-testid="profile-form"' in client.get(page).content.decode()
    saved = client.post(
        page,
        {
            "title": "Senior CSE",
            "time_zone": "Europe/Berlin",
            "booking_url": "https://cal.example/martin",
            "weekly_capacity_hours": "80",
        },
    )
    assert saved.status_code == 302
    cast.cse.refresh_from_db()
    assert cast.cse.booking_url == "https://cal.example/martin"
    assert cast.cse.weekly_capacity_hours != Decimal("80")  # not theirs to set
    bad = client.post(page, {"time_zone": "Mars/Olympus", "booking_url": "not a link"})
    html = bad.content.decode()
    assert "booking_url" in html and bad.status_code == 200
    # Through the API: their own details, yes; capacity, no; someone else's, no.
    own = api(cast.cse).patch(
        f"/team-members/{cast.cse.pk}", {"booking_url": "https://cal.example/m2"}
    )
    assert own.status_code == 200
    capacity = api(cast.cse).patch(f"/team-members/{cast.cse.pk}", {"weekly_capacity_hours": 80})
    assert capacity.status_code == 403
    other = api(cast.cse).patch(
        f"/team-members/{cast.csm.pk}", {"booking_url": "https://x.example"}
    )
    assert other.status_code == 403


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"holiday_country": "ZZ"}, "holiday_country", "ZZ is not a supported"),
        ({"holiday_subdivision": "ZZ"}, "holiday_subdivision", "ZZ is not a subdivision of US"),
        ({"working_days": []}, "working_days", "at least one working day"),
    ],
)
def test_an_unknown_holiday_calendar_is_refused_beside_its_field(
    client, cast, changes, field, words
):
    client.force_login(cast.manager)
    url = reverse("people:member", args=[cast.cse.pk])
    response = client.post(url, _member_data(cast.cse, **changes))
    assert response.status_code == 200
    assert words in _field_errors(response.content.decode(), field)
    cast.cse.refresh_from_db()
    assert (cast.cse.holiday_country, cast.cse.holiday_subdivision) == ("US", "")
