"""Deterministic, realistic demo data: a CSE team and 300 customer accounts, and
(`engagements`) the cases, CTAs, requests and office hours a working team has.

The same seed gives the same team and the same accounts on every machine. Dates
are placed relative to the day the data is loaded, so renewals are always ahead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from rhythm.customers.choices import HealthStatus, OpportunityStage
from rhythm.customers.models import Account, Contact, Objective, Opportunity, Segment, SuccessPlan
from rhythm.customers.rules import role_from_title
from rhythm.demo import (
    campaigns,
    content,
    engagements,
    escalations,
    followups,
    history,
    surveys,
    webinars,
)
from rhythm.people import services as people_services
from rhythm.people.choices import Role
from rhythm.people.models import User

SEED = 20261124
ACCOUNT_COUNT = 300

SEGMENTS = [
    ("Scale", Decimal("0"), Decimal("50000")),
    ("Mid-Touch", Decimal("50000"), Decimal("250000")),
    ("Strategic", Decimal("250000"), Decimal("2000000")),
]


@dataclass(frozen=True)
class Member:
    username: str
    first_name: str
    last_name: str
    role: Role
    title: str
    region: str
    time_zone: str
    country: str
    subdivision: str = ""
    capacity: int = 40
    covers: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()


TEAM = [
    Member(
        "admin",
        "Alex",
        "Admin",
        Role.ADMIN,
        "Rhythm administrator",
        "AMER",
        "America/Chicago",
        "US",
        "IL",
    ),
    Member(
        "maria.manager",
        "Maria",
        "Lopez",
        Role.CSE_MANAGER,
        "Manager, Customer Success Engineering",
        "AMER",
        "America/New_York",
        "US",
        "NY",
        20,
        ("AMER", "EMEA", "APAC"),
        ("Scale", "Mid-Touch", "Strategic"),
    ),
    Member(
        "martin.cse",
        "Martin",
        "Brummer",
        Role.CSE,
        "Customer Success Engineer",
        "EMEA",
        "Europe/Berlin",
        "DE",
        "BY",
        40,
        ("EMEA",),
        ("Scale", "Mid-Touch"),
    ),
    Member(
        "philippe.cse",
        "Philippe",
        "Charriere",
        Role.CSE,
        "Senior Customer Success Engineer",
        "EMEA",
        "Europe/Paris",
        "FR",
        "",
        36,
        ("EMEA", "APAC"),
        ("Mid-Touch", "Strategic"),
    ),
    Member(
        "sam.cse",
        "Sam",
        "Okafor",
        Role.CSE,
        "Customer Success Engineer",
        "AMER",
        "America/Denver",
        "US",
        "CO",
        40,
        ("AMER",),
        ("Scale", "Mid-Touch", "Strategic"),
    ),
    Member(
        "priya.cse",
        "Priya",
        "Raman",
        Role.CSE,
        "Customer Success Engineer",
        "APAC",
        "Asia/Kolkata",
        "IN",
        "",
        40,
        ("APAC",),
        ("Scale", "Mid-Touch"),
    ),
    Member(
        "carla.csm",
        "Carla",
        "Nguyen",
        Role.CSM,
        "Customer Success Manager",
        "AMER",
        "America/Los_Angeles",
        "US",
        "CA",
    ),
    Member(
        "kenji.csm",
        "Kenji",
        "Sato",
        Role.CSM,
        "Customer Success Manager",
        "APAC",
        "Asia/Tokyo",
        "JP",
    ),
    Member(
        "emma.csm",
        "Emma",
        "Fischer",
        Role.CSM,
        "Customer Success Manager",
        "EMEA",
        "Europe/London",
        "GB",
        "ENG",
    ),
    Member(
        "adam.ae",
        "Adam",
        "Reyes",
        Role.ACCOUNT_OWNER,
        "Account Executive",
        "AMER",
        "America/Chicago",
        "US",
        "TX",
    ),
    Member(
        "sofia.sae",
        "Sofia",
        "Rossi",
        Role.ACCOUNT_OWNER,
        "Strategic Account Executive",
        "EMEA",
        "Europe/Rome",
        "IT",
    ),
    Member(
        "rita.renewals",
        "Rita",
        "Chen",
        Role.ACCOUNT_OWNER,
        "Renewals Manager",
        "APAC",
        "Australia/Sydney",
        "AU",
        "NSW",
    ),
    Member(
        "paula.pm",
        "Paula",
        "Mensah",
        Role.PROGRAM_MANAGER,
        "CSE Program Manager",
        "EMEA",
        "Europe/Dublin",
        "IE",
    ),
    Member(
        "oscar.ops",
        "Oscar",
        "Lindqvist",
        Role.CS_OPERATIONS,
        "CS Operations Analyst",
        "EMEA",
        "Europe/Stockholm",
        "SE",
    ),
    Member(
        "dana.demo",
        "Dana",
        "Kowalski",
        Role.DEMO_ARCHITECT,
        "Demo Architect",
        "AMER",
        "America/Toronto",
        "CA",
        "ON",
    ),
]

_PREFIXES = [
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Cyberdyne",
    "Hooli",
    "Vandelay",
    "Tyrell",
    "Soylent",
    "Wonka",
    "Aperture",
    "Oscorp",
    "Massive",
    "Gringotts",
    "Monarch",
    "Nakatomi",
    "Pied Piper",
    "Blue Sun",
    "Bluth",
    "Dunder",
    "Prestige",
    "Sterling",
    "Vehement",
    "Zorg",
    "Krusty",
    "Ollivander",
    "Sirius",
]
_SUFFIXES = [
    "Systems",
    "Labs",
    "Bank",
    "Health",
    "Logistics",
    "Energy",
    "Retail",
    "Media",
    "Insurance",
    "Motors",
]
_INDUSTRY = {
    "Systems": "Software",
    "Labs": "Biotech",
    "Bank": "Financial services",
    "Health": "Healthcare",
    "Logistics": "Transportation",
    "Energy": "Energy",
    "Retail": "Retail",
    "Media": "Media",
    "Insurance": "Insurance",
    "Motors": "Automotive",
}
_FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "David",
    "Elif",
    "Farah",
    "Goran",
    "Hana",
    "Ivan",
    "Julia",
    "Kofi",
    "Lena",
    "Mateo",
    "Nina",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
]
_LAST = [
    "Almeida",
    "Brandt",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fujita",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kim",
    "Larsen",
    "Moreau",
    "Novak",
    "Olsen",
    "Patel",
    "Quist",
    "Russo",
    "Silva",
    "Tanaka",
]
_TITLES = [
    "VP Engineering",
    "Director of Platform",
    "DevOps Lead",
    "Head of Security",
    "Engineering Manager",
    "Staff Engineer",
    "CTO",
]
_DEALS = ["Renewal", "Expansion", "Upgrade to Ultimate", "Add-on seats"]
_OBJECTIVES = [
    "Migrate all repositories to GitLab",
    "Adopt CI/CD for every product team",
    "Shift security scanning left",
    "Cut pipeline duration by 30%",
    "Roll out Agile planning to three departments",
    "Reach 80% license utilization",
    "Stand up a highly available GitLab instance",
    "Introduce AI-assisted code review",
]


def load(today: date | None = None, seed: int = SEED) -> dict[str, int]:
    """Load the demo once; loading again changes nothing and reports zero new rows.

    The same seed gives the same accounts, contacts, deals and plans, and the same
    cases, CTAs, engagement requests and office hours on them (`engagements`).
    """
    today = today or date.today()
    created = {"team members": 0, "segments": 0, "accounts": 0}
    with transaction.atomic():
        segments = _segments(created)
        team = _team(segments, created)
        if not Account.objects.filter(crm_id__startswith="DEMO-").exists():
            created["accounts"] = _accounts(random.Random(seed), today, segments, team)
        created |= engagements.load(today, seed)
        created |= surveys.load(seed)
        created |= followups.load()
        created |= content.load(today, seed)
        created |= escalations.load(today)
        created |= webinars.load(today, seed)
        created |= campaigns.load(today, seed)
        if created.get("cases"):
            # The first load only: spread what the use cases made "now" over months.
            created |= history.load(today, seed)
    return created


def _segments(created: dict[str, int]) -> dict[str, Segment]:
    out = {}
    for name, floor, ceiling in SEGMENTS:
        segment, new = Segment.objects.get_or_create(
            name=name, defaults={"arr_floor": floor, "arr_ceiling": ceiling}
        )
        created["segments"] += new
        out[name] = segment
    return out


def _team(segments: dict[str, Segment], created: dict[str, int]) -> dict[Role, list[User]]:
    by_role: dict[Role, list[User]] = {role: [] for role in Role}
    for m in TEAM:
        user = User.objects.filter(username=m.username).first()
        if user is None:
            user = people_services.create_member(
                {
                    "username": m.username,
                    "first_name": m.first_name,
                    "last_name": m.last_name,
                    "email": f"{m.username}@rhythm.example",
                    "title": m.title,
                    "region": m.region,
                    "time_zone": m.time_zone,
                    "holiday_country": m.country,
                    "holiday_subdivision": m.subdivision,
                    "weekly_capacity_hours": Decimal(m.capacity),
                    "covered_regions": list(m.covers),
                    "booking_url": (
                        f"https://calendly.com/rhythm-demo/{m.username.replace('.', '-')}"
                        if m.role in (Role.CSE, Role.CSE_MANAGER)
                        else ""
                    ),
                },
                roles=[m.role],
                segment_ids=[segments[name].pk for name in m.segments],
                password=settings.RHYTHM_DEMO_PASSWORD,
            )
            if m.role == Role.ADMIN:
                User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
            created["team members"] += 1
        by_role[m.role].append(user)
    return by_role


def _accounts(rng: random.Random, today: date, segments: dict[str, Segment], team) -> int:
    owners = team[Role.ACCOUNT_OWNER]
    csms = team[Role.CSM]
    regions = settings.RHYTHM_REGIONS
    names = [f"{p} {s}" for p in _PREFIXES for s in _SUFFIXES]
    rng.shuffle(names)
    accounts = []
    for index in range(ACCOUNT_COUNT):
        segment_name = rng.choices(list(segments), weights=[5, 3, 2])[0]
        segment = segments[segment_name]
        arr = Decimal(rng.randint(int(segment.arr_floor) + 5_000, int(segment.arr_ceiling)))
        purchased = max(int(arr / 300), 10)
        region = regions[index % len(regions)]
        accounts.append(
            Account(
                name=names[index % len(names)] + ("" if index < len(names) else f" {index}"),
                crm_id=f"DEMO-{index + 1:04d}",
                segment=segment,
                region=region,
                arr=arr,
                lam=arr * Decimal(rng.choice([2, 3, 5, 8])),
                renewal_date=today + timedelta(days=rng.randint(5, 540)),
                employees=rng.choice([80, 250, 600, 1200, 5000, 20000]),
                licenses_purchased=purchased,
                licenses_used=int(purchased * rng.uniform(0.2, 1.0)),
                industry=_INDUSTRY[names[index % len(names)].rsplit(" ", 1)[1]],
                account_owner=owners[index % len(owners)],
                csm=csms[index % len(csms)],
            )
        )
    accounts = bulk_create_with_history(accounts, Account, batch_size=500)
    accounts = list(Account.objects.filter(crm_id__startswith="DEMO-").order_by("crm_id"))

    contacts, opportunities, plans = [], [], []
    for account in accounts:
        domain = account.name.lower().replace(" ", "") + ".example"
        for _ in range(rng.randint(2, 4)):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            title = rng.choice(_TITLES)
            contacts.append(
                Contact(
                    account=account,
                    name=f"{first} {last}",
                    email=f"{first}.{last}@{domain}".lower(),
                    title=title,
                    role=role_from_title(title),
                    phone=f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                )
            )
        for number in range(rng.randint(1, 3)):
            stage = rng.choice(list(OpportunityStage))
            opportunities.append(
                Opportunity(
                    account=account,
                    crm_id=f"{account.crm_id}-OPP-{number + 1}",
                    name=f"{account.name} — {rng.choice(_DEALS)}",
                    stage=stage,
                    amount=Decimal(rng.randint(5, 200) * 1000),
                    # An open deal closes ahead; a won or lost one closed already.
                    close_date=today
                    + timedelta(
                        days=rng.randint(-60, -1) if stage.is_closed else rng.randint(1, 270)
                    ),
                    owner=account.account_owner,
                    is_open=not stage.is_closed,
                )
            )
        plans.append(
            SuccessPlan(
                account=account,
                name=f"{account.name} success plan",
                summary="Agreed outcomes for this fiscal year.",
            )
        )
    bulk_create_with_history(contacts, Contact, batch_size=500)
    bulk_create_with_history(opportunities, Opportunity, batch_size=500)
    plans = bulk_create_with_history(plans, SuccessPlan, batch_size=500)
    # In account order: the generator's draws must meet the plans in the same
    # order on every database, or the objectives would differ between them.
    plans = list(
        SuccessPlan.objects.filter(account__crm_id__startswith="DEMO-").order_by(
            "account__crm_id", "pk"
        )
    )

    objectives = []
    for plan in plans:
        for title in rng.sample(_OBJECTIVES, rng.randint(2, 4)):
            status = rng.choices(list(HealthStatus), weights=[6, 3, 1])[0]
            objectives.append(
                Objective(
                    success_plan=plan,
                    title=title,
                    status=status,
                    progress=rng.randint(0, 100),
                    due_date=today + timedelta(days=rng.randint(-30, 300)),
                )
            )
    bulk_create_with_history(objectives, Objective, batch_size=500)
    return len(accounts)
