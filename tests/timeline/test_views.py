"""The account timeline through the HTTP client: pages of 50, an object's entries in
one group, kind filters, notes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rhythm.people.choices import Role
from rhythm.timeline.models import TimelineEntry
from tests.conftest import CAST
from tests.factories import UserFactory

VIEWERS = frozenset(CAST) - {"outsider"}
NOTE_TAKERS = frozenset({"account_owner", "csm", "cse", "manager", "cs_ops", "admin"})
HTMX = {"HX-Request": "true"}


def _as(client, user):
    client.force_login(user)
    return client


def _entries(account, count: int, kind: str = "note", start: int = 0) -> None:
    now = timezone.now()
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            account=account,
            kind=kind,
            title=f"{kind} {i:03d}",
            occurred_at=now - timedelta(minutes=i),
        )
        for i in range(start, start + count)
    )


def _titles(html: str) -> list[str]:
    return re.findall(r'data-testid="timeline-entry">\s*<i[^>]*></i>\s*([^<\n]+)', html)


# --- Permissions, looped over the cast ----------------------------------------


def test_anonymous_is_sent_to_sign_in_as_a_whole_page(client, account):
    timeline = reverse("timeline:account", args=[account.pk])
    note = reverse("timeline:add-note", args=[account.pk])
    assert client.get(timeline, headers=HTMX)["HX-Redirect"].startswith(reverse("login"))
    assert client.post(note, {"text": "x"}, headers=HTMX)["HX-Redirect"].startswith(
        reverse("login")
    )
    assert client.get(timeline)["Location"].startswith(f"{reverse('login')}?next=")
    assert not TimelineEntry.objects.exists()


@pytest.mark.parametrize("who", CAST)
def test_who_reads_the_timeline_and_adds_notes(client, cast, account, who):
    _entries(account, 3)
    _as(client, getattr(cast, who))
    page = client.get(reverse("timeline:account", args=[account.pk]), headers=HTMX)
    assert page.status_code == (200 if who in VIEWERS else 403)
    if who in VIEWERS:
        assert ('data-testid="note-form"' in page.content.decode()) == (who in NOTE_TAKERS)
    noted = client.post(
        reverse("timeline:add-note", args=[account.pk]), {"text": "Met the VP"}, headers=HTMX
    )
    notes = TimelineEntry.objects.filter(title="Met the VP")
    if who in NOTE_TAKERS:
        assert noted.status_code == 200 and notes.get().actor == getattr(cast, who)
    else:
        assert noted.status_code == 403 and not notes.exists()


@pytest.mark.parametrize("role", [Role.ACCOUNT_OWNER, Role.CSM])
def test_the_timeline_of_an_account_someone_does_not_own_or_manage_is_not_found(
    client, account, role
):
    _entries(account, 3)
    _as(client, UserFactory(roles=[role]))
    assert client.get(reverse("timeline:account", args=[account.pk])).status_code == 404
    response = client.post(reverse("timeline:add-note", args=[account.pk]), {"text": "x"})
    assert response.status_code == 404
    assert TimelineEntry.objects.count() == 3


# --- Pages of 50, groups and filters --------------------------------------------------


def _older(html: str) -> str:
    """The address the "Older entries" button asks HTMX for ('' when there is none)."""
    found = re.search(r'hx-get="([^"]*before=[^"]*)"', html)
    return found.group(1).replace("&amp;", "&") if found else ""


def _id(account, title: str) -> int:
    return TimelineEntry.objects.get(account=account, title=title).pk


def test_the_timeline_comes_in_pages_of_50(client, cast, account):
    _entries(account, 120)
    _as(client, cast.csm)
    url = reverse("timeline:account", args=[account.pk])
    first = client.get(url, headers=HTMX).content.decode()
    assert 'id="timeline"' in first and "<html" not in first
    assert _titles(first)[:2] == ["note 000", "note 001"]  # newest first
    assert len(_titles(first)) == 50
    assert _older(first) == f"{url}?before={_id(account, 'note 049')}" and "Older entries" in first
    second = client.get(_older(first), headers=HTMX).content.decode()
    assert 'id="timeline"' not in second  # only rows, appended in place of the button
    assert _titles(second)[0] == "note 050" and len(_titles(second)) == 50
    third = client.get(_older(second), headers=HTMX).content.decode()
    assert len(_titles(third)) == 20 and "Older entries" not in third


def test_an_older_page_is_an_address_of_its_own(client, cast, account):
    """Without HTMX the button is a link to the timeline tab at that page."""
    _entries(account, 60)
    _as(client, cast.csm)
    tab = reverse("customers:account-tab", args=[account.pk, "timeline"])
    first = client.get(tab).content.decode()
    before = _id(account, "note 049")
    assert f'href="{tab}?before={before}"' in first
    older = client.get(tab, {"before": before}).content.decode()
    assert _titles(older)[0] == "note 050" and "Back to the newest entries" in older
    # A cursor that is no entry of this timeline reads from the newest.
    assert _titles(client.get(tab, {"before": "999999"}).content.decode())[0] == "note 000"


def _run(account, link: str, count: int, start: int, kind: str = "cta") -> None:
    """`count` entries about one object (one link), older than those made before."""
    now = timezone.now()
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            account=account,
            kind=kind,
            title=f"{link} step {i}",
            link=link,
            occurred_at=now - timedelta(minutes=start + i),
        )
        for i in range(count)
    )


def _groups(html: str) -> list[tuple[str, int]]:
    """Each line of the timeline: its title, and how many entries it holds."""
    found = re.findall(
        r'<li class="list-group-item px-0" data-kind="\w+"(?: data-group-size="(\d+)")? '
        r'data-testid="timeline-entry">\s*<i[^>]*></i>\s*(?:<a [^>]*>)?([^<\n]+)',
        html,
    )
    return [(title, int(size or 1)) for size, title in found]


def test_an_objects_consecutive_entries_read_as_one_group(client, cast, account):
    _run(account, "/ctas/1/", 10, start=0)  # raised, accepted, its tasks ticked...
    _entries(account, 1, start=10)  # a note between: the CTA's next entries start anew
    _run(account, "/ctas/1/", 2, start=11)
    _run(account, "/requests/4/", 3, start=13, kind="transition")
    _as(client, cast.csm)
    html = client.get(reverse("timeline:account", args=[account.pk]), headers=HTMX)
    html = html.content.decode()
    assert _groups(html) == [
        ("/ctas/1/ step 0", 10),
        ("note 010", 1),
        ("/ctas/1/ step 0", 2),
        ("/requests/4/ step 0", 3),
    ]
    # The earlier entries fold under the newest, to be opened.
    assert html.count('data-testid="timeline-group"') == 3
    assert "9 earlier updates on this" in html and "1 earlier update on this" in html
    assert html.count('data-testid="timeline-earlier"') == 9 + 1 + 2


def test_notes_are_never_grouped(client, cast, account):
    _entries(account, 3)
    _as(client, cast.csm)
    html = client.get(reverse("timeline:account", args=[account.pk]), headers=HTMX)
    assert [size for _, size in _groups(html.content.decode())] == [1, 1, 1]


def test_a_page_break_does_not_cut_a_group(client, cast, account):
    _entries(account, 48)
    _run(account, "/ctas/7/", 10, start=48)  # entries 49 to 58: one object's
    _entries(account, 5, start=58)
    _as(client, cast.csm)
    url = reverse("timeline:account", args=[account.pk])
    first = client.get(url, headers=HTMX).content.decode()
    assert _groups(first)[-1] == ("/ctas/7/ step 0", 10)
    assert len(_groups(first)) == 49  # 48 lines and the group, of 58 entries
    second = client.get(_older(first), headers=HTMX).content.decode()
    assert _titles(second) == [f"note {i:03d}" for i in range(58, 63)]


def test_a_group_longer_than_the_lookahead_goes_on_on_the_next_page(client, cast, account):
    _run(account, "/ctas/9/", 130, start=0)
    _as(client, cast.csm)
    url = reverse("timeline:account", args=[account.pk])
    first = client.get(url, headers=HTMX).content.decode()
    assert _groups(first) == [("/ctas/9/ step 0", 100)]
    second = client.get(_older(first), headers=HTMX).content.decode()
    assert _groups(second) == [("/ctas/9/ step 100", 30)] and not _older(second)


def test_the_timeline_filters_by_kind_across_pages(client, cast, account):
    _entries(account, 60, kind="meeting")
    _entries(account, 5, kind="case", start=60)
    _as(client, cast.cse)
    url = reverse("timeline:account", args=[account.pk])
    cases = client.get(url, {"kind": "case"}, headers=HTMX).content.decode()
    assert _titles(cases) == [f"case {i:03d}" for i in range(60, 65)]
    assert re.search(r'class="nav-link active" aria-current="true"[^>]*>Case<', cases)
    meetings = client.get(url, {"kind": "meeting"}, headers=HTMX).content.decode()
    assert _older(meetings) == f"{url}?before={_id(account, 'meeting 049')}&kind=meeting"
    assert len(_titles(client.get(_older(meetings), headers=HTMX).content.decode())) == 10
    nothing = client.get(url, {"kind": "note"}, headers=HTMX).content.decode()
    assert "Nothing of this kind on the timeline." in nothing
    # An unknown kind is no filter at all.
    everything = client.get(url, {"kind": "<script>"}, headers=HTMX).content.decode()
    assert len(_titles(everything)) == 50 and "<script>" not in everything


def test_an_empty_timeline_says_so(client, cast, account):
    _as(client, cast.csm)
    html = client.get(reverse("timeline:account", args=[account.pk]), headers=HTMX)
    assert "Nothing on the timeline yet." in html.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, headers=HTMX).status_code == 200
    return len(queries)


def test_the_timeline_queries_do_not_grow_with_entries(client, cast, account):
    people = [cast.csm, cast.cse, cast.manager]
    for i, person in enumerate(people):
        TimelineEntry.objects.create(account=account, kind="note", title=f"by {i}", actor=person)
    _as(client, cast.csm)
    url = reverse("timeline:account", args=[account.pk])
    client.get(url, headers=HTMX)
    few = _queries(client, url)
    for i in range(200):
        TimelineEntry.objects.create(
            account=account, kind="note", title=f"more {i}", actor=people[i % 3]
        )
    assert _queries(client, url) == few
    older = f"{url}?before={TimelineEntry.objects.order_by('-occurred_at', '-id')[60].pk}"
    assert _queries(client, older) == few + 1  # the cursor's entry


# --- Notes -----------------------------------------------------------------------


def test_a_note_appears_at_the_top(client, cast, account):
    _entries(account, 3)
    _as(client, cast.csm)
    response = client.post(
        reverse("timeline:add-note", args=[account.pk]),
        {"text": "Renewal risk\nThey may churn."},
        headers=HTMX,
    )
    html = response.content.decode()
    assert _titles(html)[0] == "Renewal risk"
    assert "They may churn." in html


def test_an_empty_note_is_refused_beside_the_field(client, cast, account):
    _as(client, cast.csm)
    response = client.post(
        reverse("timeline:add-note", args=[account.pk]), {"text": "   "}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'data-field="text">Write the note first.<', html)
    assert 'class="form-control is-invalid"' in html
    assert not TimelineEntry.objects.exists()


def test_a_note_posted_without_javascript_returns_to_the_timeline_tab(client, cast, account):
    _as(client, cast.csm)
    url = reverse("timeline:add-note", args=[account.pk])
    done = client.post(url, {"text": "Called the champion"}, follow=True)
    tab = reverse("customers:account-tab", args=[account.pk, "timeline"])
    assert done.redirect_chain[-1][0] == tab
    assert "Note added to the timeline." in done.content.decode()
    refused = client.post(url, {"text": ""}, follow=True)
    assert "Note not added: Write the note first." in refused.content.decode()
    assert TimelineEntry.objects.count() == 1


def test_a_note_in_markdown_shows_formatted_and_harmless(client, cast, account):
    from rhythm.timeline import services

    services.add_note(
        account=account,
        author=cast.csm,
        text="QBR prep\n**Renewal risk**: see [the plan](https://plans.example/1)\n"
        "- call the champion\n\n<script>alert(1)</script> [bad](javascript:alert(2))",
    )
    client.force_login(cast.csm)
    html = client.get(reverse("timeline:account", args=[account.pk])).content.decode()
    body = re.search(r'data-testid="note-body">(.*?)</div>', html, re.S).group(1)
    assert "<strong>Renewal risk</strong>" in body
    assert '<a href="https://plans.example/1" rel="noopener">the plan</a>' in body
    assert "<li>call the champion</li>" in body
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert 'href="javascript' not in body  # left as text, never a link
