"""A lab as the team makes it, through the services: drafted by the program manager,
hosted by a CSE, published, its environment ready with its codes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.utils import timezone

from rhythm.core.models import OutboundMessage
from rhythm.webinars import services
from rhythm.webinars.models import LabTemplate

LINK = re.compile(r"https?://\S+/webinars/r/([\w-]+)/")


def template(name: str = "Security and Compliance Lab", access_days: int = 2) -> LabTemplate:
    return LabTemplate.objects.get_or_create(
        name=name,
        defaults={
            "master_deck_url": "https://drive.example/master/security",
            "content_project_url": "https://gitlab.example/learn-labs/security",
            "access_days": access_days,
            "exercises": "Enable SAST\nTriage a vulnerability",
            "instructions": "Create your subgroup at gitlabdemo.example, then open exercise 1.",
        },
    )[0]


def lab_data(starts_at: datetime | None = None, **over):
    return {
        "title": "Security and Compliance hands-on lab",
        "kind": "lab",
        "abstract": "Shift security left with GitLab.",
        "region": "EMEA",
        "starts_at": starts_at or timezone.now() + timedelta(days=10),
        "time_zone": "Europe/Berlin",
        "duration_minutes": 120,
        "capacity": 50,
        "lab_template": template(),
        "content_project_url": "",
        "access_days": None,
        **over,
    }


def published_lab(pm, host, starts_at: datetime | None = None, **over):
    webinar = services.save_webinar(lab_data(starts_at, **over), actor=pm)
    services.sign_up(webinar, host, "host")
    return services.move(webinar, "published", actor=pm)


def ready_environment(webinar, host, architect, production="PROD-7F3K", testing="TEST-9Q2L"):
    env = services.file_environment_request(webinar, actor=host)
    services.move_request(env, "in_progress", actor=architect)
    return services.move_request(
        env, "ready", actor=architect, production_code=production, testing_code=testing
    )


def token_in_outbox(email: str) -> str:
    """The registrant's link, as they read it in their latest email."""
    message = OutboundMessage.objects.filter(to=[email], subject__startswith="Confirm").latest("id")
    found = LINK.search(message.body_text)
    assert found, message.body_text
    return found.group(1)


def confirmed(webinar, email: str, name: str = "Ada Lovelace"):
    services.register(webinar, name=name, email=email, company="Initech", consent=True)
    return services.confirm(token_in_outbox(email))
