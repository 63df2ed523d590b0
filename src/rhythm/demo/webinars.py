"""The demo's month of webinars and labs: three lab templates, events from two weeks
ago to five weeks ahead in every region, hosted by the demo CSEs, with registrations,
environment requests (one late), redemptions and a post-event email sent, all
through webinars' services as the team would make them."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from rhythm.content.models import ContentItem
from rhythm.people.choices import Role
from rhythm.people.models import User
from rhythm.webinars import services
from rhythm.webinars.models import LabTemplate, Webinar

TEMPLATES = [
    (
        "Security and Compliance Lab",
        2,
        "Enable SAST and dependency scanning\nTriage a vulnerability\n"
        "Set a merge request approval policy",
    ),
    (
        "CI/CD Fundamentals Lab",
        2,
        "Write a first .gitlab-ci.yml\nCache dependencies\nAdd a deploy stage",
    ),
    (
        "GitLab Duo Hands-on Lab",
        4,
        "Code suggestions in the IDE\nExplain this vulnerability\nGenerate tests with Duo Chat",
    ),
]
# The content each lab or webinar uses (demo/content.py, loaded before): its open bugs
# show on the event's page, the critical one on the CI/CD lab's as a warning.
USES = {
    "Security and Compliance Lab": (
        "Security and Compliance Hands-on Lab",
        "Security and Compliance Lab - master deck",
    ),
    "CI/CD Fundamentals Lab": ("CI/CD Hands-on Lab", "CI/CD Lab - exercise project"),
    "GitLab Duo Hands-on Lab": ("GitLab Duo webinar - recording",),
    "Agile planning with epics and iterations": ("Agile Planning Lab - master deck",),
}
ZONES = {"AMER": "America/New_York", "EMEA": "Europe/Berlin", "APAC": "Australia/Sydney"}
HOURS = {"AMER": 12, "EMEA": 15, "APAC": 10}
# (days from today, kind, template index or webinar title, region)
PLAN: list[tuple[int, str, int | str, str]] = [
    (-14, "lab", 0, "EMEA"),
    (-9, "webinar", "Getting started with GitLab CI", "AMER"),
    (-6, "lab", 1, "APAC"),
    (3, "webinar", "Agile planning with epics and iterations", "EMEA"),
    (5, "lab", 2, "AMER"),
    (12, "lab", 0, "AMER"),
    (16, "webinar", "Observability for your GitLab instance", "APAC"),
    (22, "lab", 1, "EMEA"),
    (30, "lab", 2, "EMEA"),
    (35, "webinar", "Migrating from Jenkins", "AMER"),
    # The months before: held, for the dashboard's trends (history.py surveys them).
    (-200, "webinar", "Getting started with GitLab CI", "EMEA"),
    (-170, "lab", 1, "AMER"),
    (-140, "webinar", "Agile planning with epics and iterations", "APAC"),
    (-110, "lab", 0, "EMEA"),
    (-80, "webinar", "Observability for your GitLab instance", "AMER"),
    (-50, "lab", 2, "APAC"),
    (-35, "webinar", "Migrating from Jenkins", "EMEA"),
]
PEOPLE = [
    ("Alex Kim", "Globex"),
    ("Maria Rossi", "Initech"),
    ("Sam Patel", "Umbrella"),
    ("Lena Fischer", "Hooli"),
    ("Tom Becker", "Stark Industries"),
    ("Yuki Sato", "Wayne Enterprises"),
    ("Omar Haddad", "Acme"),
    ("Chloe Martin", "Soylent"),
    ("Ravi Iyer", "Vandelay"),
    ("Nina Novak", "Cyberdyne"),
    ("Jonas Berg", "Tyrell"),
    ("Ife Okafor", "Massive Dynamic"),
]


def load(today: date, seed: int) -> dict[str, int]:
    created = {"webinars": 0, "webinar registrations": 0}
    if Webinar.objects.exists():
        return created
    rng = random.Random(f"{seed}:webinars")
    pm = User.objects.filter(groups__name=Role.PROGRAM_MANAGER.label).order_by("pk").first()
    architect = User.objects.filter(groups__name=Role.DEMO_ARCHITECT.label).order_by("pk").first()
    cses = list(User.objects.filter(groups__name=Role.CSE.label).order_by("pk"))
    if pm is None or architect is None or not cses:
        return created
    templates = [
        LabTemplate.objects.get_or_create(
            name=name,
            defaults={
                "access_days": days,
                "exercises": exercises,
                "master_deck_url": f"https://drive.example/labs/{name.split()[0].lower()}-master",
                "content_project_url": f"https://gitlab.com/gitlab-learn-labs/sample-projects/{name.split()[0].lower()}",
                "instructions": "Open gitlabdemo.com, sign in with your gitlab.com account, "
                "create your subgroup with the code, then follow the issue of exercise 1.",
            },
        )[0]
        for name, days, exercises in TEMPLATES
    ]
    content = {item.title: item for item in ContentItem.objects.exclude(status="retired")}
    # The demo's "now" is its day's morning: the same seed and day give the same rows.
    now = datetime.combine(today, time(9), ZoneInfo("UTC"))
    for index, (offset, kind, what, region) in enumerate(PLAN):
        zone = ZoneInfo(ZONES[region])
        starts_at = datetime.combine(today + timedelta(days=offset), time(HOURS[region]), zone)
        template = templates[what] if isinstance(what, int) else None
        title = template.name if template else str(what)
        webinar = services.save_webinar(
            {
                "title": title,
                "kind": kind,
                "abstract": f"{title}: "
                + ("90 minutes hands-on, in an environment of your own." if template else "")
                + ("" if template else "a recorded session with live Q&A."),
                "region": region,
                "starts_at": starts_at,
                "time_zone": ZONES[region],
                "duration_minutes": 90 if template else 60,
                "capacity": 40 if template else 200,
                "lab_template": template,
                "content_project_url": "",
                "access_days": None,
                "content_items": [content[t] for t in USES.get(title, ()) if t in content],
            },
            actor=pm,
        )
        created["webinars"] += 1
        if offset == 30:
            continue  # next month's last lab still waits for its DRI
        for cse in rng.sample(cses, len(cses)):
            try:
                webinar = services.sign_up(webinar, cse, "host")
                break
            except ValidationError:
                continue
        if webinar.host is None:
            continue
        webinar = services.move(webinar, "published", actor=pm)
        filed = min(now, starts_at - timedelta(days=5 if offset == 5 else 10))
        if template is not None and offset < 25:
            env = services.file_environment_request(
                webinar,
                actor=webinar.host,
                late_reason="The first DRI went on leave; the new DRI took it this week."
                if offset == 5
                else "",
                now=filed,
            )
            if offset < 10:
                services.move_request(env, "in_progress", actor=architect, now=filed)
                services.move_request(
                    env,
                    "ready",
                    actor=architect,
                    production_code=f"LAB-{rng.randrange(16**6):06X}",
                    testing_code=f"TST-{rng.randrange(16**6):06X}",
                    now=filed,
                )
                if offset < 0:
                    services.move_request(env, "verified", actor=architect, now=filed)
        created["webinar registrations"] += _registrations(rng, webinar, starts_at, now, pm, index)
    return created


def _registrations(rng, webinar, starts_at, now, pm, index) -> int:
    opened = min(now, starts_at - timedelta(days=6))
    count = (
        rng.randint(5, len(PEOPLE)) if starts_at < now + timedelta(days=14) else rng.randint(0, 4)
    )
    people = rng.sample(PEOPLE, count)
    for number, (name, company) in enumerate(people):
        email = f"{name.split()[0].lower()}.{index}{number}@{company.split()[0].lower()}.example"
        registered = services.register(
            webinar, name=name, email=email, company=company, consent=True, now=opened
        )
        if rng.random() < 0.85:
            services.confirm(registered.url.rstrip("/").rsplit("/", 1)[1], now=opened)
    if starts_at > now:
        return count
    # Held already: who came redeemed the code (labs) or was in the meeting's list.
    came = [r for r in webinar.registrations.filter(status="confirmed") if rng.random() < 0.6]
    if webinar.is_lab and hasattr(webinar, "environment_request"):
        code = webinar.environment_request.production_code
        for registration in came:
            services.redeem(
                webinar, email=registration.email, code=code, now=starts_at + timedelta(minutes=5)
            )
    else:
        services.record_attendance(webinar, [r.email for r in came], actor=pm)
    services.move(webinar, "delivered", actor=webinar.host)
    if index == 0:
        services.send_post_event(
            webinar,
            actor=pm,
            recording_url="https://www.youtube.com/watch?v=demo-security-lab",
            deck_url=f"https://drive.example/labs/delivered/{webinar.pk}",
            now=starts_at + timedelta(days=1),
        )
    services.end_access_windows(now)
    return count
