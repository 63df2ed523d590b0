"""What every use case of webinars shares: the rights it checks, who is a party to
an event, the field error, and the claim that makes a timed email go once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError

from rhythm.webinars import rules
from rhythm.webinars.models import (
    Webinar,
)

TOKEN_BYTES = 32
# A registration's link works until a week after its event (the lab's access window
# is at most 4 days): then it has nothing left to show.
LINK_LIFETIME_AFTER = timedelta(days=7)
MANAGE = "webinars.change_webinar"  # the program manager's right
FULFIL = "webinars.change_environmentrequest"  # the demo architects'
SEE_CODES = "webinars.view_invitation_codes"


def _error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def parties(webinar: Webinar, user: Any) -> set[str]:
    found = set()
    if user.has_perm(MANAGE):
        found.add(rules.PROGRAM_MANAGER)
    if webinar.host_id is not None and webinar.host_id == user.pk:
        found.add(rules.DRI)
    if user.has_perm(FULFIL):
        found.add(rules.DEMO_ARCHITECT)
    return found


def may_see_codes(webinar: Webinar, user: Any) -> bool:
    """Demo architects and program managers (their right), and the event's DRI."""
    return user.has_perm(SEE_CODES) or (webinar.host_id is not None and webinar.host_id == user.pk)


def _claim(model, pk: int, field: str, now: datetime) -> bool:
    """Mark a reminder sent, once: the UPDATE only one worker wins."""
    return bool(model.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: now}))
