"""The demo's content and community events: what a new user sees working."""

from rhythm.community.models import CommunityEvent
from rhythm.content import services
from rhythm.content.choices import ContentStatus
from rhythm.content.models import ContentItem
from rhythm.people.models import User
from rhythm.timeline.models import TimelineEntry


def test_content_in_every_state_and_a_severe_bug_in_a_queue(demo):
    states = set(ContentItem.objects.values_list("status", flat=True))
    assert states == set(ContentStatus.values)
    priya = User.objects.get(username="priya.cse")
    queue = list(services.owner_queue(priya))
    assert queue and queue[0].severity == "critical"
    ready = ContentItem.objects.filter(status=ContentStatus.READY)
    assert all(not c.checks.filter(done_at=None).exists() for c in ready)


def test_community_events_sit_on_accounts_and_their_timelines(demo):
    assert CommunityEvent.objects.count() == 5
    for event in CommunityEvent.objects.all():
        assert TimelineEntry.objects.filter(account=event.account, kind="community").exists()
