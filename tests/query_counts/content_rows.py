"""Many content items, bugs and community events, cheaply (in bulk), for the
query-count pins of tests/test_query_counts.py."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from rhythm.community.models import CommunityEvent
from rhythm.content import rules
from rhythm.content.choices import ContentKind, Severity
from rhythm.content.models import Bug, ContentItem, GuidelineCheck
from tests.content_fixtures import BUG
from tests.query_counts.rows import Stage, accounts

_serial = itertools.count(1)
STAGE_ITEM = "The stage's lab template"


def stage_item(stage: Stage) -> ContentItem:
    """The item whose page and bugs are listed: the CSE's lab template."""
    item = ContentItem.objects.filter(title=STAGE_ITEM).first()
    if item is None:
        item = _items(stage, 1, title=STAGE_ITEM)[0]
    return item


def _items(stage: Stage, n: int, title: str = "") -> list[ContentItem]:
    cse = stage.cast.cse
    kinds = list(ContentKind)
    made = ContentItem.objects.bulk_create(
        ContentItem(
            kind=kinds[i % len(kinds)],
            title=title or f"Content {next(_serial)}",
            link="https://docs.example/content",
            owner=cse,
            created_by=cse,
        )
        for i in range(n)
    )
    GuidelineCheck.objects.bulk_create(
        GuidelineCheck(
            item=item, code=g.code, position=p, done_at=timezone.now() if p % 2 else None
        )
        for item in made
        for p, g in enumerate(rules.guidelines_for(item.kind))
    )
    return made


def content_items(stage: Stage, n: int) -> None:
    """Items with their guidelines, one bug in three of them."""
    made = _items(stage, n)
    _bugs([item for i, item in enumerate(made) if i % 3 == 0], stage)


def _bugs(items: list[ContentItem], stage: Stage) -> None:
    severities = list(Severity)
    Bug.objects.bulk_create(
        Bug(
            item=item,
            owner_id=item.owner_id,
            reported_by=stage.cast.csm,
            **{**BUG, "severity": severities[i % len(severities)]},
        )
        for i, item in enumerate(items)
    )


def item_bugs(stage: Stage, n: int) -> None:
    """Bugs on the stage's item: its page, the CSE's queue, the bug list."""
    _bugs([stage_item(stage)] * n, stage)


def managers_bugs(stage: Stage, n: int) -> None:
    """Bugs in the manager's queue: on a deck the manager owns."""
    deck = ContentItem.objects.filter(title="The manager's deck").first()
    if deck is None:
        manager = stage.cast.manager
        deck = ContentItem.objects.create(
            kind=ContentKind.MASTER_DECK,
            title="The manager's deck",
            link="https://docs.example/deck",
            owner=manager,
            created_by=manager,
        )
    _bugs([deck] * n, stage)


def community_events(stage: Stage, n: int, spread: bool = True) -> None:
    """Events with two contributors each, on accounts of their own (or the stage's)."""
    homes = accounts(stage, n) if spread else [stage.account] * n
    cast = stage.cast
    today = timezone.localdate()
    made = CommunityEvent.objects.bulk_create(
        CommunityEvent(
            account=a,
            kind=("conference", "meetup", "hackathon")[i % 3],
            name=f"Community event {next(_serial)}",
            date=today - timedelta(days=i % 300),
            contribution=("talk", "workshop", "booth")[i % 3],
            created_by=cast.cse,
        )
        for i, a in enumerate(homes)
    )
    through = CommunityEvent.contributors.through
    through.objects.bulk_create(
        through(communityevent_id=e.pk, user_id=u.pk)
        for e in made
        for u in (cast.cse, cast.manager)
    )


def account_community_events(stage: Stage, n: int) -> None:
    community_events(stage, n, spread=False)
