"""Follow-ups through the API and the composer page: an empty part a 422 naming it,
the preview, one send with the AE in copy, the meeting page's panel."""

import pytest
from django.test import Client

from rhythm.core.models import OutboundMessage
from rhythm.followups import services
from rhythm.surveys.models import Survey
from tests.core.test_api_auth_and_errors import assert_error
from tests.followups.test_followups import PARTS, _held, cta  # noqa: F401  (a fixture)


@pytest.fixture
def follow_up(cta):  # noqa: F811
    return _held(cta)


def test_sending_through_the_api_goes_once(api, cast, follow_up):
    client = api(cast.cse)
    preview = client.post(f"/follow-ups/{follow_up.pk}/preview", PARTS)
    assert preview.status_code == 200, preview.content
    assert preview.json()["cc"] == [cast.account_owner.email]
    assert PARTS["resources"] in preview.json()["body"]
    first = client.post(f"/follow-ups/{follow_up.pk}/send", PARTS)
    second = client.post(f"/follow-ups/{follow_up.pk}/send", PARTS)
    assert first.status_code == second.status_code == 200, first.content
    assert first.json()["status"] == "sent" and first.json()["on_time"] is True
    assert second.json()["sent_at"] == first.json()["sent_at"]
    key = services.outbox_key(follow_up)
    assert OutboundMessage.objects.filter(idempotency_key=key).count() == 1
    listed = client.get("/follow-ups", status="sent").json()["items"]
    assert [f["id"] for f in listed] == [follow_up.pk]


@pytest.mark.parametrize("empty", ["summary", "invitation"])
def test_an_empty_part_is_a_422_naming_it(api, cast, follow_up, empty):
    for action in ("preview", "send"):
        response = api(cast.cse).post(f"/follow-ups/{follow_up.pk}/{action}", {**PARTS, empty: ""})
        assert_error(response, 422, field=empty, rule="required")
    assert not Survey.objects.filter(subject_id=follow_up.pk).exists()


def test_the_composer_previews_refuses_an_empty_part_and_sends(cast, follow_up):
    browser = Client()
    browser.force_login(cast.cse)
    panel = browser.get(follow_up.meeting.get_absolute_url())
    assert b'data-testid="follow-up-panel"' in panel.content
    page = browser.get(follow_up.get_absolute_url())
    assert page.status_code == 200 and b'data-testid="compose-form"' in page.content
    url = f"/followups/{follow_up.pk}/send"
    preview = browser.post(url, {**PARTS, "action": "preview"})
    assert preview.status_code == 200 and b'data-testid="follow-up-preview"' in preview.content
    refused = browser.post(url, {**PARTS, "resources": " ", "action": "send"})
    assert refused.status_code == 422
    assert "Resources and documentation is required" in refused.content.decode()
    sent = browser.post(url, {**PARTS, "action": "send"}, follow=True)
    assert b'data-testid="follow-up-sent"' in sent.content
    follow_up.refresh_from_db()
    assert follow_up.sent and follow_up.message.cc == [cast.account_owner.email]
