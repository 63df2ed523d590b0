"""Playbooks, as CS operations write them: the ordered task templates a CTA's
tasks are made from. Changing one never rewrites tasks already created."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from rhythm.core import services as core_services
from rhythm.ctas import rules
from rhythm.ctas.models import Playbook, PlaybookStep
from rhythm.ctas.reference import ONE_OFF_DESCRIPTION, STEPS

PLAYBOOK_FIELDS = {"name", "description"}
STEP_FIELDS = {"position", "title", "due_offset_days", "condition"}


@transaction.atomic
def save_playbook(data: dict, playbook: Playbook | None = None) -> Playbook:
    playbook = Playbook.objects.select_for_update().get(pk=playbook.pk) if playbook else Playbook()
    for key in PLAYBOOK_FIELDS & set(data):
        setattr(playbook, key, data[key])
    playbook.full_clean()
    playbook.save()
    return playbook


@transaction.atomic
def save_step(data: dict, *, playbook: Playbook | None = None, step: PlaybookStep | None = None):
    """Add or change a step. A position takes that place in the list and moves the
    steps from there down by one (no position: a new step goes last). Tasks already
    created from a step keep their own copy."""
    if step is not None:
        step = PlaybookStep.objects.select_for_update().get(pk=step.pk)
    else:
        assert playbook is not None, "a new step needs its playbook"
        step = PlaybookStep(playbook=playbook, position=1)
    for key in (STEP_FIELDS - {"position"}) & set(data):
        setattr(step, key, data[key])
    step.full_clean(exclude=["position"], validate_constraints=False)
    others = list(
        PlaybookStep.objects.active()
        .select_for_update()
        .filter(playbook_id=step.playbook_id)
        .exclude(pk=step.pk)
        .order_by("position", "pk")
    )
    wanted = data.get("position")
    if wanted is None:
        wanted = step.position if step.pk else len(others) + 1
    ordered = [*others]
    ordered.insert(rules.step_index(wanted, len(others)), step)
    _renumber(ordered, changed=step)
    return step


def _renumber(steps: list[PlaybookStep], *, changed: PlaybookStep) -> None:
    """Number the steps 1, 2, … in this order, saving the changed one and those that
    move. Those that move first step aside to free numbers, so the one-step-per-
    position constraint holds after every statement."""
    moving = [s for n, s in enumerate(steps, start=1) if s.pk and s.position != n]
    PlaybookStep.objects.filter(pk__in=[s.pk for s in moving]).update(
        position=F("position") + rules.STEP_POSITION_ASIDE
    )
    for number, s in enumerate(steps, start=1):
        if s is changed or s in moving:
            s.position = number
            s.save()


@transaction.atomic
def archive_step(step: PlaybookStep) -> PlaybookStep:
    return core_services.archive(PlaybookStep.objects.select_for_update().get(pk=step.pk))


def ensure_playbooks(**kwargs) -> None:
    """Seed the One-Off CSE Outreach playbook when there is no playbook at all."""
    if Playbook.objects.exists():
        return
    playbook = Playbook.objects.create(name=rules.ONE_OFF_PLAYBOOK, description=ONE_OFF_DESCRIPTION)
    PlaybookStep.objects.bulk_create(
        PlaybookStep(
            playbook=playbook,
            position=position,
            title=title,
            due_offset_days=offset,
            condition=condition,
        )
        for position, (title, offset, condition) in enumerate(STEPS, start=1)
    )
