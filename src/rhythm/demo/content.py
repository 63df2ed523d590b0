"""The demo's webinar and lab content, a few bugs in their owners' queues (one of
them severe), and customers' community events where the CSEs gave a talk, a
workshop or staffed a booth. Made through the services, as the team would."""

from __future__ import annotations

import random
from datetime import date, timedelta

from rhythm.community import services as community
from rhythm.community.models import CommunityEvent
from rhythm.content import rules
from rhythm.content import services as content
from rhythm.content.choices import BugStatus, ContentKind, ContentStatus
from rhythm.content.models import ContentItem
from rhythm.customers.models import Account
from rhythm.people.models import User

# (kind, title, link, owner, how far it got: the moves from draft)
ITEMS = [
    (
        ContentKind.LAB_TEMPLATE,
        "Security and Compliance Hands-on Lab",
        "https://gitlab.com/gitlab-learn-labs/sample-projects/security-compliance",
        "martin.cse",
        "ready",
    ),
    (
        ContentKind.MASTER_DECK,
        "Security and Compliance Lab - master deck",
        "https://docs.google.com/presentation/d/demo-security-lab",
        "martin.cse",
        "ready",
    ),
    (
        ContentKind.LAB_TEMPLATE,
        "CI/CD Hands-on Lab",
        "https://gitlab.com/gitlab-learn-labs/sample-projects/cicd-basics",
        "priya.cse",
        "ready",
    ),
    (
        ContentKind.EXERCISE_PROJECT,
        "CI/CD Lab - exercise project",
        "https://gitlab.com/gitlab-learn-labs/sample-projects/cicd-exercises",
        "priya.cse",
        "in_review",
    ),
    (
        ContentKind.RECORDING,
        "GitLab Duo webinar - recording",
        "https://www.youtube.com/watch?v=demo-duo-webinar",
        "sam.cse",
        "ready",
    ),
    (
        ContentKind.MASTER_DECK,
        "Agile Planning Lab - master deck",
        "https://docs.google.com/presentation/d/demo-agile-lab",
        "philippe.cse",
        "draft",
    ),
    (
        ContentKind.RECORDING,
        "Runner fleet webinar (2024) - recording",
        "https://www.youtube.com/watch?v=demo-runners-2024",
        "sam.cse",
        "retired",
    ),
]

BUGS = [
    (
        "CI/CD Hands-on Lab",
        "carla.csm",
        {
            "title": "Job stays pending in exercise 3",
            "place": "exercise_step",
            "location": "Exercise 3, step 2",
            "expected": "The pipeline starts on the shared lab runner.",
            "actual": "The job stays pending: no runner carries the 'lab' tag.",
            "severity": "critical",
            "screenshot_url": "https://drive.google.com/file/d/demo-pending-job",
        },
        "",
    ),
    (
        "Security and Compliance Lab - master deck",
        "priya.cse",
        {
            "title": "Housekeeping slide says 4 days; the lab gives 2",
            "place": "slide",
            "location": "Slide 6",
            "expected": "The access window the lab template gives: 2 days.",
            "actual": "The slide says attendees keep the environment for 4 days.",
            "severity": "medium",
            "screenshot_url": "",
        },
        "triaged",
    ),
    (
        "Security and Compliance Hands-on Lab",
        "sam.cse",
        {
            "title": "Dependency scanning step links a moved doc page",
            "place": "exercise_step",
            "location": "Exercise 2, step 4",
            "expected": "The link opens the dependency scanning documentation.",
            "actual": "The link answers 404.",
            "severity": "low",
            "screenshot_url": "",
        },
        "fixed",
    ),
]

# (account's position in name order, kind, name, days ago, contribution, details, outcome, CSEs)
COMMUNITY = [
    (
        0,
        "conference",
        "DevOpsDays",
        40,
        "talk",
        "Faster pipelines with caching and DAGs",
        "Two platform teams asked for the CI/CD lab.",
        ("martin.cse",),
    ),
    (
        0,
        "hackathon",
        "Internal Hack Week",
        12,
        "workshop",
        "GitLab Duo for code review",
        "",
        ("sam.cse", "priya.cse"),
    ),
    (
        1,
        "meetup",
        "GitLab Users Meetup",
        75,
        "booth",
        "Demo booth: security dashboards",
        "Met the AppSec lead; a security lab is planned.",
        ("philippe.cse",),
    ),
    (
        2,
        "conference",
        "Developer Summit",
        130,
        "talk",
        "Migrating 2,000 repositories in a quarter",
        "Recording shared with their engineering org.",
        ("priya.cse",),
    ),
    (
        3,
        "meetup",
        "Cloud Native Meetup",
        20,
        "workshop",
        "Runner autoscaling on Kubernetes",
        "",
        ("martin.cse",),
    ),
]


def load(today: date, seed: int) -> dict[str, int]:
    created = {"content items": 0, "content bugs": 0, "community events": 0}
    if ContentItem.objects.exists():
        return created
    rng = random.Random(f"{seed}:content")
    people = {u.username: u for u in User.objects.filter(username__contains=".")}
    reviewer = people["maria.manager"]
    items = {}
    for kind, title, link, owner, reached in ITEMS:
        item = content.add_item(people[owner], {"kind": kind, "title": title, "link": link})
        _advance(item, people[owner], reviewer, reached, rng)
        items[title] = item
        created["content items"] += 1
    for title, reporter, fields, reached in BUGS:
        bug = content.report_bug(people[reporter], items[title], fields).bug
        fixer = items[title].owner
        if reached:
            content.move_bug(bug, fixer, BugStatus.TRIAGED)
        if reached == "fixed":
            content.move_bug(bug, fixer, BugStatus.FIXED, reason="Link updated to the new page.")
        created["content bugs"] += 1
    if not CommunityEvent.objects.exists():
        accounts = list(Account.objects.filter(crm_id__startswith="DEMO-").order_by("name")[:4])
        for position, event_kind, name, ago, contribution, details, outcome, cses in COMMUNITY:
            if position >= len(accounts):
                continue
            community.log_event(
                people[cses[0]],
                accounts[position],
                {
                    "kind": event_kind,
                    "name": name,
                    "date": today - timedelta(days=ago),
                    "contribution": contribution,
                    "details": details,
                    "outcome": outcome,
                    "contributors": [people[u].pk for u in cses],
                },
            )
            created["community events"] += 1
    return created


def _advance(item, owner, reviewer, reached: str, rng: random.Random) -> None:
    """Move a new item as far as `reached`, ticking its guidelines on the way."""
    if reached == "draft":
        return
    if reached == "retired":
        content.move_item(
            item, owner, ContentStatus.RETIRED, reason="Replaced by the 2025 recording."
        )
        return
    guidelines = rules.guidelines_for(item.kind)
    ticked = guidelines if reached == "ready" else rng.sample(guidelines, len(guidelines) // 2)
    for g in ticked:
        content.set_guideline(item, g.code, done=True, actor=owner)
    content.move_item(item, owner, ContentStatus.IN_REVIEW)
    if reached == "ready":
        content.move_item(item, reviewer, ContentStatus.READY)
