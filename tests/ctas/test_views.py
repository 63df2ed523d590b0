"""CTA pages through the HTTP client: the list, the CTA page, accepting, closing,
and ticking tasks off with HTMX."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rhythm.cases import services as cases
from rhythm.core.models import OutboundMessage
from rhythm.ctas import services
from rhythm.ctas.choices import CtaStatus, TaskStatus
from rhythm.ctas.models import Cta, CtaTask
from rhythm.people.choices import Role
from tests.conftest import CAST
from tests.factories import UserFactory

VIEWERS = frozenset(CAST) - {"outsider"}
WORKERS = frozenset({"cse", "manager", "admin"})  # ctas.change_cta, ctas.change_ctatask
HTMX = {"HX-Request": "true"}


def _as(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def cta(cast, case_data):
    return cases.open_case(cast.account_owner, case_data).case.cta


def _task(cta, position: int) -> CtaTask:
    return CtaTask.objects.get(cta=cta, position=position)


# --- Permissions, looped over the cast ----------------------------------------


def test_anonymous_is_sent_to_sign_in(client, cta):
    task = _task(cta, 2)
    for method, url in [
        ("get", reverse("ctas:list")),
        ("get", reverse("ctas:detail", args=[cta.pk])),
        ("post", reverse("ctas:accept", args=[cta.pk])),
        ("post", reverse("ctas:close", args=[cta.pk])),
        ("post", reverse("ctas:task-toggle", args=[task.pk])),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{reverse('login')}?next="), url
    toggled = client.post(reverse("ctas:task-toggle", args=[task.pk]), headers=HTMX)
    assert toggled["HX-Redirect"].startswith(f"{reverse('login')}?next=")
    cta.refresh_from_db()
    assert cta.status == CtaStatus.OPEN and _task(cta, 2).status == TaskStatus.OPEN


@pytest.mark.parametrize("who", CAST)
def test_who_sees_a_cta(client, cast, cta, who):
    _as(client, getattr(cast, who))
    expected = 200 if who in VIEWERS else 403
    assert client.get(reverse("ctas:list")).status_code == expected
    assert client.get(reverse("ctas:list"), {"show": "all"}).status_code == expected
    detail = client.get(reverse("ctas:detail", args=[cta.pk]))
    assert detail.status_code == expected
    if expected == 200:
        html = detail.content.decode()
        assert cta.name in html
        # Only a CSE takes a CTA; a manager assigns it; the others only read it.
        assert ('data-testid="accept"' in html) == (who in {"cse"})
        assert ('aria-label="Assign to"' in html) == (who in {"manager", "admin"})
        # Nobody has accepted it yet: only a manager may work it now.
        assert ('data-testid="task-toggle"' in html) == (who in {"manager", "admin"})


@pytest.mark.parametrize("who", CAST)
def test_who_works_a_cta(client, cast, cta, who):
    """Its owner (a CSE, once they accept it) or a manager ticks its tasks and closes it."""
    user = getattr(cast, who)
    if who == "cse":
        services.accept(cta, cse=user, actor=user, override_reason="Standing in")
    _as(client, user)
    task = _task(cta, 3)
    toggled = client.post(reverse("ctas:task-toggle", args=[task.pk]), headers=HTMX)
    closed = client.post(
        reverse("ctas:close", args=[cta.pk]),
        {"reason": "Handled on a call", "skip_reason": "Handled on a call"},
    )
    task.refresh_from_db()
    cta.refresh_from_db()
    if who in WORKERS:
        assert toggled.status_code == 200 and task.status == TaskStatus.DONE
        assert closed.status_code == 302 and cta.status == CtaStatus.CLOSED
    else:
        assert toggled.status_code == closed.status_code == 403
        assert task.status == TaskStatus.OPEN and cta.status == CtaStatus.OPEN


def test_a_cse_works_only_the_ctas_they_accepted(client, cast, cta, covering_cse):
    other = UserFactory(roles=[Role.CSE])
    _as(client, other)
    page = client.get(reverse("ctas:detail", args=[cta.pk])).content.decode()
    assert 'data-testid="task-toggle"' not in page and 'data-testid="close-form"' not in page
    task = _task(cta, 3)
    refused = client.post(reverse("ctas:task-toggle", args=[task.pk]), headers=HTMX)
    assert "Accept the CTA first" in refused.content.decode()
    closed = client.post(reverse("ctas:close", args=[cta.pk]), follow=True)
    assert "Accept the CTA first" in closed.content.decode()
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    refused = client.post(reverse("ctas:task-toggle", args=[task.pk]), headers=HTMX)
    assert f"Only {covering_cse} or a manager" in refused.content.decode()
    task.refresh_from_db()
    cta.refresh_from_db()
    assert task.status == TaskStatus.OPEN and cta.status == CtaStatus.IN_PROGRESS


def test_a_manager_closing_a_cta_nobody_owns_says_why_and_the_ae_is_told(client, cast, cta):
    _as(client, cast.manager)
    refused = client.post(reverse("ctas:close", args=[cta.pk]), follow=True)
    assert "Say why you close a CTA you do not own" in refused.content.decode()
    cta.refresh_from_db()
    assert cta.status == CtaStatus.OPEN
    client.post(
        reverse("ctas:close", args=[cta.pk]),
        {"reason": "The customer solved it.", "skip_reason": "Solved before we called."},
    )
    cta.refresh_from_db()
    case = cta.case
    assert cta.status == CtaStatus.CLOSED and case.status == "closed"
    # The case's change is in its history, not a silent bulk update.
    assert case.history.filter(status="closed").exists()
    (told,) = [m for m in OutboundMessage.objects.all() if m.to == [cast.account_owner.email]]
    assert told.subject == f"Closed: {cta.name}"
    assert "The customer solved it." in told.body_text


@pytest.mark.parametrize("role", [Role.ACCOUNT_OWNER, Role.CSM])
def test_a_cta_of_an_account_someone_does_not_own_or_manage_is_not_found(client, cta, role):
    _as(client, UserFactory(roles=[role]))
    assert client.get(reverse("ctas:detail", args=[cta.pk])).status_code == 404
    assert cta.name not in client.get(reverse("ctas:list")).content.decode()


def test_an_invisible_cta_cannot_be_worked(client, cta):
    """A CSE sees every account; the lookups still go through the visibility helper,
    so a worker whose sight is narrowed gets 404, never a change."""
    worker = UserFactory(roles=[Role.CSE])
    worker.groups.clear()
    from django.contrib.auth.models import Permission

    worker.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_cta", "change_cta", "change_ctatask"])
    )
    _as(client, worker)
    task = _task(cta, 2)
    assert client.post(reverse("ctas:accept", args=[cta.pk])).status_code == 404
    assert client.post(reverse("ctas:close", args=[cta.pk])).status_code == 404
    assert client.post(reverse("ctas:task-toggle", args=[task.pk])).status_code == 404
    cta.refresh_from_db()
    assert cta.status == CtaStatus.OPEN


# --- Accepting and outreach ----------------------------------------------------


def test_a_cse_accepts_and_reads_the_outreach_drafted_in_their_name(
    client, cast, cta, covering_cse, django_capture_on_commit_callbacks
):
    covering_cse.booking_url = "https://calendly.com/cse/intro"
    covering_cse.save()
    _as(client, covering_cse)
    url = reverse("ctas:accept", args=[cta.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)  # a double click
    assert response["Location"] == reverse("ctas:detail", args=[cta.pk])
    cta.refresh_from_db()
    assert cta.owner == covering_cse and cta.status == CtaStatus.IN_PROGRESS
    assert not OutboundMessage.objects.filter(idempotency_key=f"cta-outreach:{cta.pk}").exists()
    html = client.get(reverse("ctas:detail", args=[cta.pk])).content.decode()
    assert 'data-testid="cta-owner">' + str(covering_cse) in html
    assert 'data-testid="accept"' not in html
    # The draft, to read and reword: greeting by first name, the offering, the link.
    assert 'data-testid="outreach-draft"' in html
    assert "Hello Ana,\n" in html  # the contact is Ana Costa
    assert "Streamline Your CI Workflows" in html
    assert "https://calendly.com/cse/intro" in html
    assert f"{cast.account_owner.email} in copy" in html


def test_sending_the_reworded_outreach_goes_once_and_ticks_reach_out(
    client, cast, cta, covering_cse, django_capture_on_commit_callbacks
):
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    _as(client, covering_cse)
    form = {
        "form_token": "outreach-token-0123456789",
        "outreach-subject": "Your pipelines, faster",
        "outreach-body": "Hello Ana,\r\n\r\nShall we talk on Tuesday?\r\n",
    }
    send = reverse("ctas:outreach", args=[cta.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(send, form)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(send, form, follow=True)  # the same form again
    assert first["Location"] == reverse("ctas:detail", args=[cta.pk])
    (message,) = OutboundMessage.objects.filter(idempotency_key=f"cta-outreach:{cta.pk}")
    assert message.subject == "Your pipelines, faster"
    assert message.body_text == "Hello Ana,\n\nShall we talk on Tuesday?\n"
    assert "already sent" in again.content.decode()
    assert _task(cta, 2).status == TaskStatus.DONE
    html = again.content.decode()
    assert 'data-testid="outreach-draft"' not in html
    assert "Outreach email sent to ana@customer.example." in html


def test_a_blank_subject_comes_back_beside_its_field_with_the_words_kept(client, cta, covering_cse):
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    _as(client, covering_cse)
    response = client.post(
        reverse("ctas:outreach", args=[cta.pk]),
        {"outreach-subject": " ", "outreach-body": "Hello Ana, my own words."},
    )
    html = response.content.decode()
    assert "Write a subject, or leave the drafted one." in html
    assert "Hello Ana, my own words." in html
    assert not OutboundMessage.objects.exists()
    assert _task(cta, 2).status == TaskStatus.OPEN


def test_an_unaccepted_cta_shows_a_cse_what_would_go_in_their_name(client, cta, covering_cse):
    _as(client, covering_cse)
    html = client.get(reverse("ctas:detail", args=[cta.pk])).content.decode()
    assert 'data-testid="outreach-preview"' in html and "Hello Ana," in html
    assert 'data-testid="outreach-draft"' not in html  # nothing to send before accepting


def test_an_opted_out_case_says_why_no_email_went(client, cast, case_data, covering_cse):
    cta = cases.open_case(cast.account_owner, {**case_data, "opt_out_outreach": True}).case.cta
    _as(client, covering_cse)
    client.post(reverse("ctas:accept", args=[cta.pk]))
    html = client.get(reverse("ctas:detail", args=[cta.pk])).content.decode()
    assert "No email sent: the account owner opted out" in html
    assert not OutboundMessage.objects.exists()
    skipped = _task(cta, 2)
    assert skipped.status == TaskStatus.SKIPPED


def test_another_cse_cannot_take_an_owned_cta_and_is_told_why(client, cast, cta, covering_cse):
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    other = UserFactory(roles=[Role.CSE])
    _as(client, other)
    response = client.post(reverse("ctas:accept", args=[cta.pk]), follow=True)
    assert response.status_code == 200
    assert "already owns this CTA" in response.content.decode()
    cta.refresh_from_db()
    assert cta.owner == covering_cse


def test_a_manager_assigns_a_cse(client, cast, cta, covering_cse):
    _as(client, cast.manager)
    response = client.post(
        reverse("ctas:accept", args=[cta.pk]), {"cse": covering_cse.pk}, follow=True
    )
    html = response.content.decode()
    assert f"{covering_cse} owns {cta.name}." in html
    assert "does not cover" not in html
    cta.refresh_from_db()
    assert cta.owner == covering_cse
    (told,) = [m for m in OutboundMessage.objects.all() if m.to == [covering_cse.email]]
    assert told.subject == f"Assigned to you: {cta.name}"
    assert f"/ctas/{cta.pk}/" in told.body_text and str(cast.manager) in told.body_text

    # The same assignment again (a double click) tells them nothing new.
    client.post(reverse("ctas:accept", args=[cta.pk]), {"cse": covering_cse.pk})
    assert [m for m in OutboundMessage.objects.all() if m.to == [covering_cse.email]] == [told]


def test_a_cse_who_does_not_cover_the_account_needs_a_reason_as_on_requests(client, cast, cta, api):
    elsewhere = UserFactory(roles=[Role.CSE], first_name="Yuki", last_name="Sato")
    _as(client, cast.manager)
    page = client.get(reverse("ctas:detail", args=[cta.pk])).content.decode()
    account = cta.account
    assert f"Yuki Sato (does not cover {account.region} · {account.segment})" in page
    refused = client.post(reverse("ctas:accept", args=[cta.pk]), {"cse": elsewhere.pk}, follow=True)
    assert (
        f"Yuki Sato does not cover {account.region} and the segment: say why you choose them."
        in refused.content.decode()
    )
    cta.refresh_from_db()
    assert cta.owner is None
    by_api = api(cast.manager).post(f"/ctas/{cta.pk}/accept", {"cse": elsewhere.pk})
    assert by_api.status_code == 422
    assert by_api.json()["errors"][0]["field"] == "override_reason"
    client.post(
        reverse("ctas:accept", args=[cta.pk]),
        {"cse": elsewhere.pk, "override_reason": "Speaks the customer's language"},
    )
    cta.refresh_from_db()
    assert cta.owner == elsewhere
    assert cta.transitions.get().reason == "Speaks the customer's language"


def test_a_cse_taking_a_cta_outside_their_coverage_is_asked_why(client, cast, cta):
    _as(client, cast.cse)
    page = client.get(reverse("ctas:detail", args=[cta.pk])).content.decode()
    assert 'name="override_reason"' in page and "You do not cover" in page
    client.post(reverse("ctas:accept", args=[cta.pk]))
    cta.refresh_from_db()
    assert cta.owner is None
    client.post(reverse("ctas:accept", args=[cta.pk]), {"override_reason": "Region lead away"})
    cta.refresh_from_db()
    assert cta.owner == cast.cse


def test_assigning_nobody_in_particular_is_not_found(client, cast, cta):
    _as(client, cast.manager)
    assert client.post(reverse("ctas:accept", args=[cta.pk]), {"cse": "x"}).status_code == 404
    assert client.post(reverse("ctas:accept", args=[cta.pk]), {"cse": 99999}).status_code == 404
    cta.refresh_from_db()
    assert cta.owner is None


def test_assigning_someone_who_is_not_a_cse_is_refused_with_the_reason(client, cast, cta):
    _as(client, cast.manager)
    response = client.post(reverse("ctas:accept", args=[cta.pk]), {"cse": cast.csm.pk}, follow=True)
    assert f"{cast.csm} is not a CSE." in response.content.decode()
    cta.refresh_from_db()
    assert cta.owner is None


# --- Ticking tasks with HTMX ---------------------------------------------------


def test_a_task_ticks_and_unticks_in_place(client, cast, cta, covering_cse):
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    _as(client, covering_cse)
    task = _task(cta, 3)
    url = reverse("ctas:task-toggle", args=[task.pk])
    done = client.post(url, headers=HTMX)
    html = done.content.decode()
    assert "<html" not in html
    assert f'id="task-{task.pk}"' in html and 'data-status="done"' in html
    assert f"Reopen: {task.title}" in html
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_by == covering_cse
    reopened = client.post(url, headers=HTMX).content.decode()
    assert 'data-status="open"' in reopened
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.completed_by is None
    # Without JavaScript the same form posts and comes back to the page.
    plain = client.post(url)
    assert plain["Location"] == reverse("ctas:detail", args=[cta.pk])


def test_a_tick_refused_shows_the_reason_in_the_row(client, cast, cta, covering_cse):
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    other = UserFactory(roles=[Role.CSE])
    _as(client, other)
    task = _task(cta, 3)
    response = client.post(reverse("ctas:task-toggle", args=[task.pk]), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="task-error"' in html and f"Only {covering_cse}" in html
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_a_closed_ctas_tasks_no_longer_tick(client, cast, cta):
    services.close(cta, actor=cast.manager, reason="Duplicate", skip_reason="Duplicate")
    _as(client, cast.manager)
    task = _task(cta, 3)
    response = client.post(reverse("ctas:task-toggle", args=[task.pk]), headers=HTMX)
    assert "The CTA is closed." in response.content.decode()
    assert 'data-testid="task-toggle"' not in response.content.decode()
    html = client.get(reverse("ctas:detail", args=[cta.pk])).content.decode()
    assert 'data-testid="task-toggle"' not in html


def test_the_list_filters_and_says_when_empty(client, cast, cta, covering_cse):
    _as(client, covering_cse)
    url = reverse("ctas:list")
    assert "No calls to action here." in client.get(url, {"show": "mine"}).content.decode()
    assert cta.name in client.get(url, {"show": "unassigned"}).content.decode()
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    assert cta.name in client.get(url, {"show": "mine"}).content.decode()
    assert cta.name not in client.get(url, {"show": "unassigned"}).content.decode()
    assert Cta.objects.count() == 1
