"""What the demo holds: a whole team, 300 customers, spread the way a real book is."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
from django.conf import settings
from django.db.models import Count

from rhythm.customers.models import Account, Contact, Objective, Opportunity, Segment, SuccessPlan
from rhythm.demo import data
from rhythm.people.choices import Role
from rhythm.people.models import User
from rhythm.webinars.models import EnvironmentRequest, Redemption, Webinar
from tests.demo.conftest import TODAY

pytestmark = pytest.mark.usefixtures("demo", "db")


def demo_accounts():
    return Account.objects.filter(crm_id__startswith="DEMO-")


def test_the_first_load_reports_what_it_created(demo):
    assert demo == {
        "team members": len(data.TEAM),
        "segments": 3,
        "accounts": 300,
        "cases": 40,
        "engagement requests": 16,
        "office-hours sessions": 3,
        "office-hours questions": 4,
        "surveys": 17,  # 12 CSAT after CTAs' calls, 5 NPS of completed engagements
        "survey answers": 14,
        "content items": 7,
        "content bugs": 3,
        "community events": 5,
        "escalations": 5,
        "follow-ups": 11,  # up to four per CSE, one per clock state
        "further questions": 7,
        "webinars": 17,  # the month's 10, and 7 held in the months before
        "webinar registrations": 118,
        # 300 accounts x 15 weeks x 3 utilisation metrics, + 3 of today each.
        "metric values": 14400,
        # "90-day low license utilisation", active and run once; an account in an open
        # escalation (demo.escalations) is suppressed.
        "campaign sends": 14,
        # demo.history: the events held, surveyed after the fact (3 to 6 contacts each).
        "post-event surveys": 42,
    }


def test_the_kpis_show_months_of_history_and_real_latencies():
    """demo.history spreads what the use cases made "now" over the past months: the
    trends have more than one month, the clocks are not zero."""
    from rhythm.kpis import definitions, rules
    from rhythm.kpis.figures import Filters, Scope

    manager = User.objects.get(username="maria.manager")
    today = TODAY
    months = [rules.add_months(today.replace(day=1), -i) for i in range(9)]
    period = rules.Period(
        "demo", rules.MONTH, "the demo's months", months[-1], rules.add_months(months[0], 1)
    )
    scope = Scope(manager, Filters(period), datetime.combine(TODAY, time(8), UTC))
    got = {k.key: f for k, f in definitions.compute(scope)}
    busy = [r for r in got["volume_by_month"].rows if r.values[0]]
    assert len(busy) >= 4, busy
    assert got["cta_latency"].value and 0 < got["cta_latency"].value <= 4
    assert got["first_contact"].value and got["first_contact"].value > 0
    stays = {r.bucket: r.values[1] for r in got["time_in_state"].rows}
    assert stays["review"] and stays["started"] and stays["started"] > stays["review"]
    assert len([r for r in got["cta_latency"].rows if r.values[0]]) >= 4
    events = {k.key: f for k, f in definitions.compute_webinars(scope)}
    assert len([r for r in events["webinar_attendance"].rows if r.values[2]]) >= 4
    assert events["webinar_survey"].value is not None


def test_a_month_of_webinars_and_labs():
    """From two weeks back to five ahead, in every region: delivered ones with who
    came, published ones with their DRI, a late environment request, one lab still
    waiting for its DRI."""
    events = Webinar.objects.all()
    assert set(events.values_list("region", flat=True)) == {"AMER", "EMEA", "APAC"}
    assert set(events.values_list("status", flat=True)) == {"delivered", "published", "draft"}
    assert events.filter(status="draft", host=None).count() == 1
    assert EnvironmentRequest.objects.filter(late=True).exclude(late_reason="").count() == 1
    assert Redemption.objects.exists()
    assert events.exclude(post_event_sent_at=None).count() == 1


def test_three_segments_with_arr_ranges():
    segments = list(Segment.objects.order_by("arr_floor"))
    assert [s.name for s in segments] == ["Scale", "Mid-Touch", "Strategic"]
    assert all(s.arr_floor < s.arr_ceiling for s in segments)
    # Ranges meet end to end: every ARR belongs to exactly one segment.
    assert all(a.arr_ceiling == b.arr_floor for a, b in zip(segments, segments[1:], strict=False))


def test_a_team_of_at_least_twelve_covering_every_role_and_region():
    members = User.objects.filter(username__in=[m.username for m in data.TEAM])
    assert members.count() == len(data.TEAM) >= 12
    for role in Role:
        assert members.with_role(role).exists(), f"no demo member is a {role.label}"
    assert {m.region for m in members} == set(settings.RHYTHM_REGIONS)


def test_cses_and_managers_have_booking_links_and_cover_segments():
    for member in data.TEAM:
        if member.role not in (Role.CSE, Role.CSE_MANAGER):
            continue
        user = User.objects.get(username=member.username)
        assert user.booking_url.startswith("https://")
        assert {s.name for s in user.covered_segments.all()} == set(member.segments)
        assert user.covered_regions == list(member.covers)


def test_the_admin_is_a_superuser_and_nobody_else_is():
    assert User.objects.filter(is_superuser=True).get().username == "admin"
    admin = User.objects.get(username="admin")
    assert admin.is_staff
    assert admin.has_role(Role.ADMIN)


def test_every_demo_member_signs_in_with_the_demo_password(client):
    for member in data.TEAM:
        response = client.post(
            "/login/",
            {"username": member.username, "password": settings.RHYTHM_DEMO_PASSWORD},
        )
        assert response.status_code == 302, f"{member.username} could not sign in"
        assert client.session["_auth_user_id"] == str(User.objects.get(username=member.username).pk)
        client.logout()


def test_three_hundred_accounts_each_with_contacts_deals_and_a_plan():
    accounts = demo_accounts().annotate(
        contacts_n=Count("contacts", distinct=True),
        opportunities_n=Count("opportunities", distinct=True),
        plans_n=Count("success_plans", distinct=True),
    )
    assert accounts.count() == 300
    assert len({a.name for a in accounts}) == 300  # names are unique
    for account in accounts:
        assert 2 <= account.contacts_n <= 4, account
        assert 1 <= account.opportunities_n <= 3, account
        assert account.plans_n == 1, account
    plans = SuccessPlan.objects.filter(account__in=demo_accounts()).annotate(
        objectives_n=Count("objectives")
    )
    assert all(2 <= p.objectives_n <= 4 for p in plans)


def test_accounts_are_spread_over_segments_regions_and_renewal_dates():
    accounts = list(demo_accounts().select_related("segment"))

    by_segment = Counter(a.segment.name for a in accounts)
    assert set(by_segment) == {"Scale", "Mid-Touch", "Strategic"}
    assert min(by_segment.values()) >= 30  # no segment is a token presence

    by_region = Counter(a.region for a in accounts)
    assert by_region == dict.fromkeys(settings.RHYTHM_REGIONS, 100)

    renewals = [a.renewal_date for a in accounts]
    assert min(renewals) >= TODAY + timedelta(days=5)
    assert max(renewals) <= TODAY + timedelta(days=540)
    assert len({(d.year, d.month) for d in renewals}) >= 15
    # Some renew within three months (the escalation rule weighs them), some in a year.
    assert sum(d <= TODAY + timedelta(days=90) for d in renewals) >= 20
    assert sum(d > TODAY + timedelta(days=365) for d in renewals) >= 20


def test_account_figures_are_consistent():
    for account in demo_accounts().select_related("segment", "account_owner", "csm"):
        assert account.segment.arr_floor <= account.arr <= account.segment.arr_ceiling
        assert account.lam >= account.arr
        assert 0 < account.licenses_used <= account.licenses_purchased
        assert account.account_owner.has_role(Role.ACCOUNT_OWNER)
        assert account.csm.has_role(Role.CSM)


def test_open_deals_close_ahead_and_closed_ones_closed_already():
    deals = Opportunity.objects.filter(account__crm_id__startswith="DEMO-")
    assert deals.filter(is_open=True).exists() and deals.filter(is_open=False).exists()
    assert not deals.filter(is_open=True, close_date__lte=TODAY).exists()
    assert not deals.filter(is_open=False, close_date__gt=TODAY).exists()


def test_every_customer_row_is_in_the_history():
    assert Account.history.filter(crm_id__startswith="DEMO-").count() == 300
    assert Contact.history.count() == Contact.objects.count()
    assert Opportunity.history.count() == Opportunity.objects.count()
    assert Objective.history.count() == Objective.objects.count()
