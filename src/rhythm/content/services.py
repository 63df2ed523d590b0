"""Content's use cases: add and edit an item, tick its guidelines, move it along its
workflow; report a bug on it and work the bug through the owner's queue.

Each is one transaction that announces what happened (content.events); the emails
follow those events (content.notifications). Other apps read content through the
functions at the end: `open_bugs_for(items)` for an event's page, `owner_queue`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from rhythm.content import rules
from rhythm.content.choices import BugStatus, ContentStatus
from rhythm.content.events import BugMoved, BugReported, ContentAdded, ContentMoved
from rhythm.content.models import Bug, BugTransition, ContentItem, ContentTransition, GuidelineCheck
from rhythm.core import events, workflow

ADD_ITEM = "content.add_contentitem"
MAINTAIN_ITEMS = "content.change_contentitem"
REPORT_BUG = "content.add_bug"
MAINTAIN_BUGS = "content.change_bug"


def _refuse(problems: Mapping[str, tuple[str, str]]) -> None:
    if problems:
        raise ValidationError(
            {
                name: ValidationError(message, code=code)
                for name, (message, code) in problems.items()
            }
        )


def _text(data: Mapping[str, Any], name: str) -> str:
    return str(data.get(name) or "").strip()


# --- Items ---------------------------------------------------------------------


def _owner(value: Any):
    """The team member named as owner (a row or an id), or a refusal naming `owner`."""
    if value in (None, ""):
        raise ValidationError({"owner": ValidationError("Choose the owner.", code="required")})
    pk = value.pk if isinstance(value, models.Model) else value
    try:
        owner = get_user_model().objects.filter(pk=int(pk), is_active=True).first()
    except (TypeError, ValueError):
        owner = None
    if owner is None or not owner.has_perm(MAINTAIN_ITEMS):
        raise ValidationError(
            {
                "owner": ValidationError(
                    "The owner is an active team member who builds content "
                    "(a CSE, a CSE manager or the program manager).",
                    code="not_a_content_owner",
                )
            }
        )
    return owner


def add_item(actor, data: Mapping[str, Any]) -> ContentItem:
    """A new content item, in draft, with the webinar guidelines of its kind to check."""
    if not actor.has_perm(ADD_ITEM):
        raise PermissionDenied("Only the CSE team adds content.")
    fields = {
        "title": _text(data, "title"),
        "link": _text(data, "link"),
        "kind": _text(data, "kind"),
    }
    problems = rules.item_problems(fields)
    if not fields["kind"]:
        problems["kind"] = ("Choose the kind of content.", "required")
    owner = None
    try:
        owner = _owner(data.get("owner") or actor)
    except ValidationError as exc:
        if not problems:
            raise
        problems["owner"] = (exc.messages[0], "not_a_content_owner")
    _refuse(problems)
    assert owner is not None
    with transaction.atomic():
        item = ContentItem.objects.create(created_by=actor, owner=owner, **fields)
        GuidelineCheck.objects.bulk_create(
            GuidelineCheck(item=item, code=g.code, position=n)
            for n, g in enumerate(rules.guidelines_for(item.kind))
        )
        events.publish(ContentAdded(item, actor))
    return item


def may_edit(item: ContentItem, actor) -> bool:
    return item.status != ContentStatus.RETIRED and (
        item.owner_id == actor.pk or actor.has_perm(MAINTAIN_ITEMS)
    )


def _locked_item(item: ContentItem) -> ContentItem:
    return ContentItem.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def update_item(item: ContentItem, actor, data: Mapping[str, Any]) -> ContentItem:
    """Change an item's title, link or owner (its kind stays: its checklist is that
    kind's). Fields left out keep their value."""
    item = _locked_item(item)
    if not may_edit(item, actor):
        raise PermissionDenied("Only the owner or a content maintainer edits this content.")
    changed = {name: _text(data, name) for name in ("title", "link") if name in data}
    if "kind" in data and data["kind"] != item.kind:
        raise ValidationError(
            {"kind": ValidationError("The kind of content cannot change.", code="read_only")}
        )
    _refuse(rules.item_problems({"title": item.title, "link": item.link, **changed}))
    if "owner" in data:
        item.owner = _owner(data["owner"])
    for name, value in changed.items():
        setattr(item, name, value)
    item.save()
    return item


@transaction.atomic
def set_guideline(item: ContentItem, code: str, *, done: bool, actor) -> GuidelineCheck:
    """Tick (or untick) one webinar guideline of the item; idempotent."""
    item = _locked_item(item)
    if not may_edit(item, actor):
        raise PermissionDenied("Only the owner or a content maintainer checks the guidelines.")
    check = GuidelineCheck.objects.filter(item=item, code=code).first()
    if check is None:
        known = ", ".join(g.code for g in rules.guidelines_for(item.kind))
        raise ValidationError(
            {
                "code": ValidationError(
                    f"Not a guideline of this item; one of {known}.", code="unknown"
                )
            }
        )
    if check.done != done:
        check.done_at = timezone.now() if done else None
        check.done_by = actor if done else None
        check.save()
    return check


def item_parties(item: ContentItem, actor) -> set[str]:
    """The owner writes; a maintainer is anyone else who builds content: content is
    reviewed by someone other than its author."""
    if item.owner_id == actor.pk:
        return {rules.OWNER}
    return {rules.MAINTAINER} if actor.has_perm(MAINTAIN_ITEMS) else set()


def item_moves(item: ContentItem, actor) -> list[tuple[str, Any]]:
    """The moves `actor` may offer on the item's page."""
    return rules.CONTENT_WORKFLOW.moves_for(item.status, item_parties(item, actor))


def ticked(item: ContentItem) -> list[str]:
    return list(item.checks.filter(done_at__isnull=False).values_list("code", flat=True))


@transaction.atomic
def move_item(
    item: ContentItem, actor, to: str, *, reason: str = "", expected_state: str = ""
) -> ContentItem:
    """Move the item along CONTENT_WORKFLOW; marking it ready needs every guideline."""
    item = _locked_item(item)
    given = {
        "reason": reason,
        "guidelines": "" if rules.unticked(item.kind, ticked(item)) else "all",
    }
    try:
        workflow.enforce(
            rules.CONTENT_WORKFLOW,
            item.status,
            to,
            item_parties(item, actor),
            given,
            expected_state=expected_state,
        )
    except ValidationError as exc:
        if "guidelines" in getattr(exc, "error_dict", {}):
            # Say which ones, so the reviewer knows what to check.
            raise ValidationError(
                {
                    "guidelines": ValidationError(
                        rules.readiness_note(item.kind, ticked(item)), code="required"
                    )
                }
            ) from exc
        raise
    log = workflow.record(item, ContentTransition(item=item), to, actor=actor, reason=reason)
    events.publish(ContentMoved(item, log))
    return item


# --- Bugs ----------------------------------------------------------------------


@dataclass(frozen=True)
class Reported:
    bug: Bug
    created: bool  # False when an Idempotency-Key replayed an earlier report


BUG_FIELDS = ("title", "place", "location", "expected", "actual", "severity", "screenshot_url")


def report_bug(
    actor, item: ContentItem, data: Mapping[str, Any], *, idempotency_key: str = ""
) -> Reported:
    """Report a bug with the bug template's fields; it lands in the item's owner's
    queue and the owner is emailed. A retry with the same key returns the first."""
    if not actor.has_perm(REPORT_BUG):
        raise PermissionDenied("Sign in as a team member to report a bug.")
    if idempotency_key:
        earlier = Bug.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            if earlier.reported_by_id != actor.pk or earlier.item_id != item.pk:
                raise ValidationError(
                    {
                        "idempotency_key": ValidationError(
                            "This Idempotency-Key came with another report; use a fresh one.",
                            code="key_reused",
                        )
                    }
                )
            return Reported(earlier, created=False)
    fields = {name: _text(data, name) for name in BUG_FIELDS}
    problems = rules.bug_problems(fields)
    # As it is now: the caller's row may predate a move (retired meanwhile).
    item = ContentItem.objects.select_related("owner").get(pk=item.pk)
    if item.status == ContentStatus.RETIRED:
        problems["item"] = (
            "This content is retired: report the bug on what replaced it.",
            "retired",
        )
    _refuse(problems)
    try:
        with transaction.atomic():
            bug = Bug.objects.create(
                item=item,
                owner_id=item.owner_id,
                reported_by=actor,
                idempotency_key=idempotency_key or None,
                **fields,
            )
            events.publish(
                BugReported(bug, item, bug.severity, rules.is_severe(bug.severity), actor)
            )
    except IntegrityError:
        earlier = (
            Bug.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None
        )
        if earlier is None:
            raise
        return Reported(earlier, created=False)
    return Reported(bug, created=True)


def bug_parties(bug: Bug, actor) -> set[str]:
    found = set()
    if bug.owner_id == actor.pk or bug.item.owner_id == actor.pk:
        found.add(rules.OWNER)
    if actor.has_perm(MAINTAIN_BUGS):
        found.add(rules.MAINTAINER)
    if bug.reported_by_id == actor.pk:
        found.add(rules.REPORTER)
    return found


def bug_moves(bug: Bug, actor) -> list[tuple[str, Any]]:
    return rules.BUG_WORKFLOW.moves_for(bug.status, bug_parties(bug, actor))


@transaction.atomic
def move_bug(bug: Bug, actor, to: str, *, reason: str = "", expected_state: str = "") -> Bug:
    """Triage, fix, close or reopen a bug (content.rules.BUG_WORKFLOW)."""
    bug = Bug.objects.select_for_update(of=("self",)).select_related("item").get(pk=bug.pk)
    workflow.enforce(
        rules.BUG_WORKFLOW,
        bug.status,
        to,
        bug_parties(bug, actor),
        {"reason": reason},
        expected_state=expected_state,
    )
    bug.closed_at = timezone.now() if to == BugStatus.CLOSED else None
    log = workflow.record(
        bug, BugTransition(bug=bug), to, actor=actor, reason=reason, update_fields=("closed_at",)
    )
    events.publish(BugMoved(bug, log))
    return bug


# --- What other apps read -------------------------------------------------------


def severity_order() -> models.Case:
    """The worst severity first, as an ORDER BY expression."""
    return models.Case(
        *(models.When(severity=value, then=rank) for value, rank in rules.SEVERITY_RANK.items()),
        output_field=models.IntegerField(),
    )


def open_bugs() -> models.QuerySet[Bug]:
    return Bug.objects.filter(status__in=rules.OPEN_BUG_STATUSES)


def open_bugs_for(items: Iterable[ContentItem | int]) -> dict[int, list[Bug]]:
    """Each item's open bugs, the worst first, in one query: what an event's page
    shows for the content it uses. Items with none are absent."""
    ids = [i.pk if isinstance(i, ContentItem) else int(i) for i in items]
    found: dict[int, list[Bug]] = {}
    if not ids:
        return found
    bugs = (
        open_bugs()
        .filter(item_id__in=ids)
        .select_related("item", "owner")
        .order_by(severity_order(), "created_at", "pk")
    )
    for bug in bugs:
        found.setdefault(bug.item_id, []).append(bug)
    return found


def owner_queue(owner) -> models.QuerySet[Bug]:
    """The open bugs in `owner`'s queue, the worst first, then the oldest."""
    return (
        open_bugs()
        .filter(owner=owner)
        .select_related("item", "reported_by")
        .order_by(severity_order(), "created_at", "pk")
    )


def open_work(user) -> list[tuple[int, str]]:
    """What a leaver hands over: the content they own, the bugs in their queue."""
    items = ContentItem.objects.filter(owner=user).exclude(status=ContentStatus.RETIRED).count()
    return [(items, "content items"), (owner_queue(user).count(), "open content bugs")]
