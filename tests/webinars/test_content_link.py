"""An event's content (rhythm.content): the items it uses, their open bugs on its page,
and a severe bug reported telling the DRI of each upcoming event that uses the item."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from rhythm.content import services as content
from rhythm.core.models import OutboundMessage
from rhythm.people.choices import Role
from rhythm.webinars import services
from tests import content_fixtures
from tests.conftest import ApiClient
from tests.factories import UserFactory
from tests.webinars import helpers


def _warnings(email: str) -> list[OutboundMessage]:
    """The DRI's warnings (not the owner's own "severe bug" email from content)."""
    return list(
        OutboundMessage.objects.filter(
            to=[email], idempotency_key__startswith="content-severe:"
        ).order_by("id")
    )


def test_a_severe_bug_tells_the_dri_of_each_upcoming_event_using_the_item_once(cast):
    deck = content_fixtures.master_deck(cast.cse)
    soon = helpers.published_lab(cast.program_manager, cast.cse)
    services.save_webinar(
        helpers.lab_data(soon.starts_at, content_items=[deck]),
        actor=cast.program_manager,
        webinar=soon,
    )
    earlier_host = UserFactory(username="earlier.host", roles=[Role.CSE])
    past = helpers.published_lab(
        cast.program_manager, earlier_host, starts_at=timezone.now() + timedelta(days=20)
    )
    past.content_items.add(deck)
    type(past).objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(days=1))

    content_fixtures.bug(deck, cast.csm, severity="low")
    assert _warnings(cast.cse.email) == []  # a low bug waits in the owner's queue

    severe = content_fixtures.bug(deck, cast.csm, severity="critical")
    (warning,) = _warnings(cast.cse.email)
    assert severe.title in warning.subject and soon.title in warning.body_text
    assert warning.idempotency_key == f"content-severe:{severe.pk}:{soon.pk}"
    assert _warnings(earlier_host.email) == []  # the DRI of an event already held
    # Told once: the same report retried by its key writes nothing more.
    content.report_bug(
        cast.csm, deck, {**content_fixtures.BUG, "severity": "critical"}, idempotency_key="k1"
    )
    content.report_bug(
        cast.csm, deck, {**content_fixtures.BUG, "severity": "critical"}, idempotency_key="k1"
    )
    assert len(_warnings(cast.cse.email)) == 2


def test_the_event_names_its_content_and_shows_its_open_bugs(client, cast):
    deck = content_fixtures.master_deck(cast.cse)
    lab = helpers.published_lab(cast.program_manager, cast.cse)
    lab.content_items.add(deck)
    bug = content_fixtures.bug(deck, cast.csm, severity="high")
    client.force_login(cast.cse)
    page = client.get(reverse("webinars:detail", args=[lab.pk])).content.decode()
    assert 'data-testid="content-used"' in page and deck.title in page
    assert bug.title in page and 'data-testid="content-bugs-panel"' in page


def test_the_api_links_content_and_refuses_an_unknown_or_retired_item(cast):
    deck = content_fixtures.master_deck(cast.cse)
    api = ApiClient(cast.program_manager)
    body = {
        **{k: v for k, v in helpers.lab_data().items() if k != "lab_template"},
        "lab_template": helpers.template().pk,
        "starts_at": (timezone.now() + timedelta(days=10)).isoformat(),
        "content_items": [deck.pk],
    }
    created = api.post("/webinars", body)
    assert created.status_code == 201, created.content
    assert created.json()["content_items"] == [deck.pk]
    refused = api.post("/webinars", {**body, "content_items": [deck.pk, 999999]})
    assert refused.status_code == 422
    assert "content_items" in refused.content.decode()
    try:
        services.save_webinar(helpers.lab_data(content_items=[999999]), actor=cast.program_manager)
    except ValidationError as refusal:
        assert "content_items" in refusal.message_dict
    else:
        raise AssertionError("an unknown content item was accepted")
