"""Content and community rows made through their services, as the team makes them:
shared by tests/content, tests/community and the permission harness."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from rhythm.community import services as community
from rhythm.content import services as content
from rhythm.content.choices import ContentKind

BUG = {
    "title": "The runner never picks up the job",
    "place": "exercise_step",
    "location": "Exercise 3, step 2",
    "expected": "The pipeline starts on the shared runner.",
    "actual": "The job stays pending: no runner with the 'lab' tag.",
    "severity": "high",
    "screenshot_url": "https://drive.example/shot.png",
}


def master_deck(owner, title: str = "Security and Compliance Lab deck"):
    return content.add_item(
        owner,
        {
            "kind": ContentKind.MASTER_DECK,
            "title": title,
            "link": "https://docs.example/decks/security-lab",
            "owner": owner.pk,
        },
    )


def lab_template(owner, title: str = "CI/CD Hands-on Lab"):
    return content.add_item(
        owner,
        {
            "kind": ContentKind.LAB_TEMPLATE,
            "title": title,
            "link": "https://gitlab.example/learn-labs/cicd",
            "owner": owner.pk,
        },
    )


def bug(item, reporter, **fields):
    return content.report_bug(reporter, item, {**BUG, **fields}).bug


def meetup_talk(account, cse, **fields):
    return community.log_event(
        cse,
        account,
        {
            "kind": "meetup",
            "name": "GitLab Users Meetup",
            "date": timezone.localdate() - timedelta(days=7),
            "contribution": "talk",
            "details": "Faster pipelines with caching",
            "outcome": "",
            "contributors": [cse.pk],
            **fields,
        },
    )
