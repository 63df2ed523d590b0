"""Who hears about content: the owner when a bug lands in their queue, whoever
reported it when it is fixed or closed, the owner when a reviewer sends their
content back. Written to the outbox in the transaction of the change, once each
(the idempotency key)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from rhythm.content import rules
from rhythm.content.choices import BugStatus, ContentStatus
from rhythm.content.events import BugMoved, BugReported, ContentMoved
from rhythm.core import services as core_services
from rhythm.core.events import subscribe


def _name(user) -> str:
    return user.get_full_name() or user.username


@subscribe(BugReported)
def tell_owner(event: BugReported) -> None:
    bug, item = event.bug, event.item
    owner = bug.owner
    if not owner.email:
        return
    context = {
        "bug": bug,
        "item": item,
        "owner": owner,
        "reporter": _name(event.actor),
        "severity_means": rules.SEVERITY_MEANS[bug.severity_enum],
        "url": settings.SITE_URL + bug.get_absolute_url(),
        "queue_url": settings.SITE_URL + reverse("content:queue"),
    }
    prefix = "Severe bug" if event.severe else "Bug"
    core_services.enqueue_email(
        key=f"content-bug-reported:{bug.pk}",
        to=[owner.email],
        reply_to=[event.actor.email] if event.actor.email else [],
        subject=f"{prefix} in {item.title}: {bug.title}",
        body_text=render_to_string("content/email/bug_reported.txt", context),
    )


@subscribe(BugMoved)
def tell_reporter(event: BugMoved) -> None:
    bug, log = event.bug, event.transition
    reporter = bug.reported_by
    if log.to_state not in (BugStatus.FIXED, BugStatus.CLOSED) or not reporter.email:
        return
    if log.actor_id == reporter.pk:
        return
    context = {
        "bug": bug,
        "log": log,
        "state": BugStatus(log.to_state).label.lower(),
        "actor": _name(log.actor),
        "url": settings.SITE_URL + bug.get_absolute_url(),
    }
    core_services.enqueue_email(
        key=f"content-bug-moved:{log.pk}",
        to=[reporter.email],
        subject=f"Your bug in {bug.item.title} was {context['state']}: {bug.title}",
        body_text=render_to_string("content/email/bug_moved.txt", context),
    )


@subscribe(ContentMoved)
def tell_owner_sent_back(event: ContentMoved) -> None:
    item, log = event.item, event.transition
    if log.to_state != ContentStatus.DRAFT or log.actor_id == item.owner_id or not item.owner.email:
        return
    core_services.enqueue_email(
        key=f"content-sent-back:{log.pk}",
        to=[item.owner.email],
        subject=f"{item.title} was sent back to draft",
        body_text=render_to_string(
            "content/email/sent_back.txt",
            {
                "item": item,
                "log": log,
                "actor": _name(log.actor),
                "url": settings.SITE_URL + item.get_absolute_url(),
            },
        ),
    )
