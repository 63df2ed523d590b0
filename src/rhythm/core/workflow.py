"""The database side of every state machine: refusals raised as the API and the
views expect them, and the append-only log written with the move.

A service locks its row (`select_for_update`), asks `enforce` whether the move
may happen, does what its move needs, then `record`s it:

    current = workflow.enforce(rules.WORKFLOW, cta.status, target, parties, given)
    ...
    workflow.record(cta, CtaTransition(cta=cta), target, actor=actor, reason=reason)
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from rhythm.core import rules
from rhythm.core.models import TransitionRecord
from rhythm.core.rules import Verdict, Workflow


class TransitionConflict(Exception):
    """The row is no longer where the caller thought it was (HTTP 409)."""

    def __init__(self, current_state: str, message: str):
        super().__init__(message)
        self.current_state = current_state
        self.message = message


def raise_refusal(verdict: Verdict, current: str) -> None:
    """A refused verdict as the exception its problem calls for."""
    if verdict.allowed:
        return
    message = " ".join(verdict.reasons)
    if verdict.problem == "conflict":
        raise TransitionConflict(current, message)
    if verdict.problem == "forbidden":
        raise PermissionDenied(message)
    raise ValidationError(
        {name: ValidationError(text, code="required") for name, text in verdict.missing.items()}
    )


def enforce(
    flow: Workflow,
    current: str,
    target: str,
    parties: AbstractSet[str],
    given: Mapping[str, object] | None = None,
    *,
    expected_state: str = "",
) -> None:
    """Refuse the move unless the table allows it: 409 when the row moved on
    meanwhile (`expected_state` is what the caller saw) or no such move exists,
    403 when it is not these parties' move, 422 naming what is missing."""
    if target not in flow.states:
        raise ValidationError(
            {
                "to": ValidationError(
                    f"Unknown state {target!r}; one of {', '.join(flow.states)}.",
                    code="invalid_choice",
                )
            }
        )
    if expected_state and expected_state != current:
        raise TransitionConflict(
            current,
            f"The {flow.noun} moved to {flow.states[current]} meanwhile; reload and decide again.",
        )
    raise_refusal(flow.check(current, target, parties, given or {}), current)


def record(
    subject: models.Model,
    log: TransitionRecord,
    target: str,
    *,
    actor,
    reason: str = "",
    state_field: str = "status",
    update_fields: tuple[str, ...] = (),
    at: datetime | None = None,
) -> TransitionRecord:
    """Move `subject` (locked by the caller) to `target` and append `log`, the
    unsaved log row pointing at it: who, when, from, to and why."""
    now = at or timezone.now()
    log.from_state = getattr(subject, state_field) or ""
    log.to_state = target
    log.actor = actor
    log.at = now
    log.reason = reason.strip()
    setattr(subject, state_field, target)
    fields = [state_field, *update_fields]
    if any(f.name == "updated_at" for f in subject._meta.concrete_fields):
        fields.append("updated_at")
    subject.save(update_fields=fields)
    log.save()
    return log


def time_in_states(log_rows, now: datetime | None = None) -> dict[str, timedelta]:
    """Time spent in each state, from a subject's log rows (any order: a prefetched
    list is sorted here rather than queried again)."""
    rows = sorted(log_rows, key=lambda row: (row.at, row.pk))
    return rules.time_in_states([(row.to_state, row.at) for row in rows], now or timezone.now())
