"""The design language's one-place pieces (docs/ui.md): the form renderer, the time
filter with its zone, office hours in two zones, the page header, the menu."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from rhythm.core.rules import next_weekly
from rhythm.ctas.choices import CtaStatus
from tests.factories import UserFactory

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


# --- The form renderer: every Django form laid out once -----------------------------


class Example(forms.Form):
    name = forms.CharField(max_length=5, help_text="As the customer writes it.")
    kind = forms.ChoiceField(choices=[("a", "Spot"), ("b", "Complex")], widget=forms.RadioSelect)
    opt_out = forms.BooleanField(required=False, label="Do not contact the customer")
    region = forms.ChoiceField(choices=[("", "—"), ("EMEA", "EMEA")])

    def clean(self):
        raise forms.ValidationError("Spot engagements need no name.", code="spot_named")


def _group(html: str, field: str) -> str:
    found = re.search(
        rf'<div class="rh-field[^"]*" data-field="{field}">(.*?)(?=<div class="rh-field|$)',
        html,
        re.S,
    )
    assert found, html
    return found.group(1)


def test_a_label_stands_above_its_input_without_a_trailing_colon():
    html = str(Example())
    name = _group(html, "name")
    assert '<label class="form-label" for="id_name">Name</label>' in name
    assert name.index("<label") < name.index("<input")
    assert ":</label>" not in html and "Name:" not in html
    # Bootstrap's classes come from the renderer, not from each template.
    assert re.search(r'<input type="text" name="name"[^>]*class="form-control"', name)
    assert 'class="form-select"' in _group(html, "region")


def test_help_text_and_errors_stand_under_the_field_and_name_their_rule():
    form = Example({"name": "Too long a name", "kind": "a"})
    assert not form.is_valid()
    name = _group(str(form), "name")
    field_at, help_at, error_at = (
        name.index("<input"),
        name.index('id="id_name_helptext"'),
        name.index('id="id_name_error"'),
    )
    assert field_at < help_at < error_at
    assert re.search(
        r'<input[^>]*aria-invalid="true"[^>]*aria-describedby="id_name_helptext id_name_error"',
        name,
    )
    error = re.search(
        r'<ul class="errorlist" id="id_name_error"><li data-rule="(\w+)">([^<]+)</li>', name
    )
    assert error.groups() == (
        "max_length",
        "Ensure this value has at most 5 characters (it has 15).",
    )
    # An error about no one field stands on top, with its rule too.
    assert re.match(
        r'\s*<ul class="errorlist nonfield">'
        r'<li data-rule="spot_named">Spot engagements need no name.</li></ul>',
        str(form),
    )


def test_a_required_field_left_empty_says_so_under_it():
    form = Example({"name": "Ada"})
    form.is_valid()
    kind = _group(str(form), "kind")
    assert '<li data-rule="required">This field is required.</li>' in kind


def test_a_checkbox_stands_before_its_label_and_radio_choices_share_a_row():
    html = str(Example())
    box = _group(html, "opt_out")
    assert re.search(
        r'<div class="form-check">'
        r'<input type="checkbox" name="opt_out" id="id_opt_out" class="form-check-input">'
        r'<label class="form-check-label" for="id_opt_out">Do not contact the customer</label>'
        r"</div>",
        box,
    )
    kind = _group(html, "kind")
    assert '<legend class="form-label">Kind</legend>' in kind
    assert '<div id="id_kind" class="rh-choices rh-choices-radio">' in kind
    assert kind.count('class="form-check"') == 2
    assert (
        'class="form-check-input"' in kind
        and '<label class="form-check-label" for="id_kind_1">Complex</label>' in kind
    )


@pytest.mark.django_db
def test_an_empty_choice_asks_to_choose_instead_of_dashes():
    """A model choice's "---------" reads "Choose…"; an empty choice with a label of
    its own ("—" above) keeps it."""
    from rhythm.catalog.models import Offering

    class Pick(forms.Form):
        offering = forms.ModelChoiceField(Offering.objects.all())
        region = forms.ChoiceField(choices=[("", "—"), ("EMEA", "EMEA")])

    html = str(Pick())
    assert '<option value="" selected>Choose…</option>' in html
    assert "---------" not in html
    assert '<option value="" selected>—</option>' in html


def test_django_s_own_forms_go_through_it_too(client):
    html = client.get(reverse("login")).content.decode()
    assert '<label class="form-label" for="id_username">Username</label>' in html
    assert "Username:" not in html and "Password:" not in html


# --- Times with their zone ---------------------------------------------------------


def test_a_time_shows_the_viewer_s_zone_and_its_summer_time():
    winter = datetime(2025, 1, 15, 16, 0, tzinfo=UTC)
    summer = datetime(2025, 7, 15, 16, 0, tzinfo=UTC)
    with timezone.override(BERLIN):
        assert render("{{ t|when }}", t=winter) == "15 Jan 2025, 17:00 CET"
        assert render("{{ t|when }}", t=summer) == "15 Jul 2025, 18:00 CEST"
        assert render('{{ t|when:"time" }} / {{ t|when:"short" }}', t=summer) == (
            "18:00 CEST / 15 Jul, 18:00 CEST"
        )
        # Django's own date format carries the zone too, for a page that forgets |when.
        assert render("{{ t }}", t=winter) == "15 Jan 2025, 17:00 CET"
    with timezone.override(NEW_YORK):
        assert render("{{ t|when }}", t=winter) == "15 Jan 2025, 11:00 EST"
        assert render("{{ t|when }}", t=summer) == "15 Jul 2025, 12:00 EDT"


def test_a_date_has_no_zone_and_nothing_is_a_dash():
    assert render("{{ d|when }}|{{ n|when }}", d=date(2025, 3, 4), n=None) == "4 Mar 2025|—"


def test_the_next_weekly_slot_is_counted_on_its_own_date_s_offset():
    tuesday_5pm = time(17, 0)
    # Monday 3 March: the next Tuesday 17:00 in Berlin is CET, 16:00 UTC.
    start = next_weekly(1, tuesday_5pm, BERLIN, datetime(2025, 3, 3, 12, tzinfo=UTC))
    assert start.astimezone(UTC) == datetime(2025, 3, 4, 16, tzinfo=UTC)
    # Once it has begun, the next one is a week on; across Europe's change (30 March)
    # it is 17:00 CEST, 15:00 UTC.
    start = next_weekly(1, tuesday_5pm, BERLIN, datetime(2025, 3, 25, 16, 1, tzinfo=UTC))
    assert start.astimezone(UTC) == datetime(2025, 4, 1, 15, tzinfo=UTC)
    # Exactly at its start it is still this one.
    start = next_weekly(1, tuesday_5pm, BERLIN, datetime(2025, 3, 4, 16, tzinfo=UTC))
    assert start.astimezone(UTC) == datetime(2025, 3, 4, 16, tzinfo=UTC)


@pytest.mark.django_db
def test_office_hours_show_in_the_viewer_s_zone_with_the_host_s_beside_them():
    host = UserFactory(first_name="Martin", last_name="Brummer", time_zone="Europe/Berlin")

    class Session:
        cse, weekday, start_time = host, 1, time(17, 0)

    source = "{% office_hours session now %}"
    text = lambda html: re.sub(r"<[^>]+>", "", html)  # noqa: E731
    # 3 March: both on winter time, six hours apart.
    with timezone.override(NEW_YORK):
        html = render(source, session=Session, now=datetime(2025, 3, 3, tzinfo=UTC))
    assert text(html) == "Tue 11:00 EST · Tue 17:00 CET for Martin Brummer"
    # 10 March: New York has moved its clocks and Berlin has not: five hours apart.
    with timezone.override(NEW_YORK):
        html = render(source, session=Session, now=datetime(2025, 3, 10, tzinfo=UTC))
    assert text(html) == "Tue 12:00 EDT · Tue 17:00 CET for Martin Brummer"
    # Late enough in the host's day, the viewer's day is the next one.
    with timezone.override(ZoneInfo("Asia/Tokyo")):
        html = render(source, session=Session, now=datetime(2025, 3, 3, tzinfo=UTC))
    assert text(html) == "Wed 01:00 JST · Tue 17:00 CET for Martin Brummer"
    # A viewer in the host's zone reads one time.
    with timezone.override(BERLIN):
        html = render(source, session=Session, now=datetime(2025, 3, 3, tzinfo=UTC))
    assert text(html) == "Tue 17:00 CET" and "session-host-time" not in html


@pytest.mark.django_db
def test_the_session_choice_of_the_question_form_reads_both_zones(client, cast):
    from rhythm.officehours import services

    host = cast.cse
    host.time_zone = "Europe/Berlin"
    host.save(update_fields=["time_zone"])
    services.save_session(host, {"weekday": 1, "start_time": time(17, 0)})
    cast.csm.time_zone = "America/New_York"
    cast.csm.save(update_fields=["time_zone"])
    client.force_login(cast.csm)
    html = client.get(reverse("officehours:list")).content.decode()
    options = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', html)
    assert any(
        re.search(rf"— Tue 1[01]:00 E[SD]T \(Tue 17:00 CES?T for {host}\)", o) for o in options
    )
    assert re.search(r'data-testid="session-time">Tue 1[01]:00 E[SD]T<', html)


# --- Page header, badges, people, lateness -----------------------------------------


@pytest.mark.django_db
def test_the_page_header_carries_title_status_owner_and_actions():
    owner = UserFactory(first_name="Priya", last_name="Raman")
    html = render(
        '{% pageheader title status=status owner=owner testid="cta" %}'
        '<a class="btn" href="/x">Accept</a>{% pagemeta %}<span>Due soon</span>{% endpageheader %}',
        title="Acme - Ad-Hoc CSE Engagement Request",
        status=CtaStatus.IN_PROGRESS,
        owner=owner,
    )
    assert (
        '<h1 class="rh-page-title" data-testid="cta-title">'
        "Acme - Ad-Hoc CSE Engagement Request</h1>" in html
    )
    # The status in its enum's colour, as a subtle badge.
    assert (
        '<span class="badge rh-badge rh-badge-success" data-testid="cta-status">In progress</span>'
        in html
    )
    assert '<div class="rh-page-actions"><a class="btn" href="/x">Accept</a></div>' in html
    assert 'data-testid="cta-owner">Priya Raman</span>' in html and ">PR</span>" in html
    assert "<span>Due soon</span>" in html
    nobody = render("{% pageheader 'A CTA' owner=None %}{% endpageheader %}")
    assert ">Unassigned</span>" in nobody and "rh-page-actions" not in nobody


def test_a_due_date_is_marked_late_only_while_the_work_is_open():
    today = date(2025, 3, 10)
    late = render("{% due d today=today %}", d=date(2025, 3, 7), today=today)
    assert late == '<span class="rh-late" data-testid="late">7 Mar 2025 · 3 days late</span>'
    done = render("{% due d done=True today=today %}", d=date(2025, 3, 7), today=today)
    assert done == '<span class="rh-due">7 Mar 2025</span>'
    assert (
        render("{% due d today=today %}", d=today, today=today)
        == '<span class="rh-due">10 Mar 2025</span>'
    )


@pytest.mark.django_db
def test_the_menu_is_grouped_and_marks_the_page_s_own_entry(client, cast):
    client.force_login(cast.cse)
    html = client.get(reverse("ctas:list") + "?show=all").content.decode()
    groups = re.findall(r'<div class="rh-nav-group"[^>]*>([^<]+)</div>', html)
    assert groups[:3] == ["Customers", "Engagements", "Team"]
    active = re.findall(r'<a class="rh-nav-link active" href="([^"]+)"', html)
    assert active == [reverse("ctas:list")]
    # Under /engagements/, the board's own address wins over the requests list's.
    html = client.get(reverse("engagements:board")).content.decode()
    assert re.findall(r'<a class="rh-nav-link active" href="([^"]+)"', html) == [
        reverse("engagements:board")
    ]
