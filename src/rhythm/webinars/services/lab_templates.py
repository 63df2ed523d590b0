"""Lab templates: the labs delivered month after month (name, master deck, content
project, access window, exercises), kept by the program manager. An event made from
one copies its access window and content project when drafted; changing the template
later changes the events drafted after."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from rhythm.webinars.choices import AccessDays
from rhythm.webinars.models import LabTemplate

KEEP = "webinars.change_labtemplate"  # the program manager's right
TEMPLATE_FIELDS = (
    "name",
    "master_deck_url",
    "content_project_url",
    "access_days",
    "exercises",
    "instructions",
)
_URL = URLValidator(schemes=["http", "https"])


def _clean(data: dict[str, Any], template: LabTemplate | None) -> dict[str, Any]:
    errors: dict[str, ValidationError] = {}
    cleaned = {name: data.get(name) for name in TEMPLATE_FIELDS}
    for name in ("name", "master_deck_url", "content_project_url", "exercises", "instructions"):
        cleaned[name] = str(cleaned[name] or "").strip()
    if not cleaned["name"]:
        errors["name"] = ValidationError("Give the lab template a name.", code="required")
    elif len(cleaned["name"]) > 120:
        errors["name"] = ValidationError("At most 120 characters.", code="max_length")
    else:
        same = LabTemplate.objects.filter(name__iexact=cleaned["name"])
        if template is not None:
            same = same.exclude(pk=template.pk)
        if same.exists():
            errors["name"] = ValidationError(
                f"A lab template is named {cleaned['name']!r} already.", code="unique"
            )
    for name, label in (("master_deck_url", "master deck"), ("content_project_url", "project")):
        if cleaned[name]:
            try:
                _URL(cleaned[name])
            except ValidationError:
                errors[name] = ValidationError(
                    f"Give the {label}'s link (https://…).", code="invalid"
                )
    try:
        days = int(cleaned["access_days"] or 0)
    except (TypeError, ValueError):
        days = 0
    if days not in AccessDays.values:
        errors["access_days"] = ValidationError(
            "An access window of 2 or 4 days.", code="invalid_choice"
        )
    cleaned["access_days"] = days
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def save_lab_template(
    data: dict[str, Any], *, actor: Any, template: LabTemplate | None = None
) -> LabTemplate:
    """Add a lab template, or change one; a bad field is named, nothing half-written."""
    if not actor.has_perm(KEEP):
        raise PermissionDenied("The program manager keeps the lab templates.")
    if template is not None:
        template = LabTemplate.objects.select_for_update().get(pk=template.pk)
    cleaned = _clean(data, template)
    if template is None:
        return LabTemplate.objects.create(**cleaned)
    for name, value in cleaned.items():
        setattr(template, name, value)
    template.save()
    return template
