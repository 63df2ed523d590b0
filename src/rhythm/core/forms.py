"""One submission per browser form: a one-time token, and what its first use created.

A form that creates something carries `{% form_token %}` (a hidden field, next
to `{% csrf_token %}`); its view wraps the service call that creates:

    question, created = once(request, lambda: services.ask(...))

The first submission of a token creates, and records what it created in the
same transaction; a second one (the person pressed Submit again after a lost
response, or the browser resent the POST) creates nothing and returns that
first object, with a message saying so, so the view redirects to it as before.
Two submissions racing each other meet on the token's unique row: the second
waits for the first to commit, then replays it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest

from rhythm.core.models import FormSubmission

FIELD = "form_token"
REPLAYED = "This form was already sent: here is what it created, and nothing was created twice."
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")

Created = TypeVar("Created", bound=models.Model)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def posted_token(request: HttpRequest) -> str:
    """The form's token as posted, or "" for a form sent without one (a script)."""
    token = request.POST.get(FIELD, "") if request.method == "POST" else ""
    return token if _TOKEN.fullmatch(token) else ""


def token_for(request: HttpRequest) -> str:
    """The token a rendered form carries: the posted one again while it created
    nothing (the form came back with errors), a fresh one otherwise."""
    token = posted_token(request)
    if token and getattr(request, "_form_token_spent", "") != token:
        return token
    return new_token()


def once(request: HttpRequest, create: Callable[[], Created]) -> tuple[Created, bool]:
    """`create()` on the first submission of this form, else what that one created.

    Returns (the object, whether this call created it). `create` runs in the
    transaction that records the token, so an error (a ValidationError for the
    form) records nothing and the corrected form may be sent with the same token.
    A form sent without a token simply creates."""
    token = posted_token(request)
    user = request.user
    if not token or not user.is_authenticated:
        return create(), True
    earlier = _created_by(user, token)
    if earlier is None:
        try:
            with transaction.atomic():
                # The claim comes first: a racing twin blocks on this row until we commit.
                submission = FormSubmission.objects.create(user=user, token=token)
                created = create()
                submission.content_type = ContentType.objects.get_for_model(created)
                submission.object_id = created.pk
                submission.save(update_fields=["content_type", "object_id"])
        except IntegrityError:
            earlier = _created_by(user, token)
            if earlier is None:
                raise  # not the token's row: the service's own constraint
        else:
            request._form_token_spent = token  # type: ignore[attr-defined]
            return created, True
    request._form_token_spent = token  # type: ignore[attr-defined]
    messages.info(request, REPLAYED)
    return earlier, False


# --- A possible duplicate ------------------------------------------------------
# A service that refuses a possible duplicate until it is told why (cases,
# engagements) names the first one under this field, with this code, and its
# params: reasons, url, first (its id) and label. The form shows it as a warning
# with a link and the field beside it (core/_duplicate_warning.html), not as one
# more error.

DUPLICATE_FIELD = "duplicate_reason"
DUPLICATE_CODE = "duplicate"


def duplicate_warning(exc: ValidationError) -> dict[str, Any] | None:
    """The params of the refusal of a possible duplicate in `exc` (for want of a
    reason, or of a short enough one), or None."""
    for error in getattr(exc, "error_dict", {}).get(DUPLICATE_FIELD, []):
        if error.params and "url" in error.params:
            return dict(error.params)
    return None


def without_duplicate_warning(exc: ValidationError) -> dict[str, list[ValidationError]]:
    """The errors of `exc` by field, less the one duplicate_warning shows."""
    if not hasattr(exc, "error_dict"):
        return {NON_FIELD_ERRORS: exc.error_list}
    out = {}
    for field, errors in exc.error_dict.items():
        kept = [e for e in errors if not (field == DUPLICATE_FIELD and e.code == DUPLICATE_CODE)]
        if kept:
            out[field] = kept
    return out


def _created_by(user, token: str):
    submission = (
        FormSubmission.objects.filter(user=user, token=token, content_type__isnull=False)
        .select_related("content_type")
        .first()
    )
    if submission is None or submission.content_type is None:
        return None
    model = submission.content_type.model_class()
    assert model is not None, "a FormSubmission names an installed model"
    return model._default_manager.get(pk=submission.object_id)
