"""Colours are declared once, beside each member of the enum they colour."""

from __future__ import annotations

import importlib
import inspect

import pytest
from django.apps import apps
from django.db import models

from rhythm.core.choices import COLOURS, ColouredChoices


def _choices_in_rhythm() -> list[type[models.Choices]]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("rhythm."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.choices")
        except ModuleNotFoundError:
            continue
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, models.Choices) and value.__module__ == module.__name__:
                found.append(value)
    return found


CHOICES = _choices_in_rhythm()
COLOURED = [e for e in CHOICES if issubclass(e, ColouredChoices) and e is not ColouredChoices]


def test_the_enums_shown_as_badges_are_all_found():
    names = {enum.__name__ for enum in COLOURED}
    assert names >= {
        "Priority",
        "CaseStatus",
        "CtaStatus",
        "TaskStatus",
        "HealthStatus",
        "RequestState",
        "QuestionStatus",
        "Role",
        "MessageStatus",
    }


def test_no_enum_colours_its_members_any_other_way():
    elsewhere = [e for e in CHOICES if hasattr(e, "colour") and not issubclass(e, ColouredChoices)]
    assert elsewhere == []


@pytest.mark.parametrize("enum", COLOURED, ids=lambda enum: f"{enum.__module__}.{enum.__name__}")
def test_every_member_of_a_coloured_enum_has_a_bootstrap_colour(enum):
    assert len(enum) > 0
    for member in enum:
        assert member.colour in COLOURS, f"{member!r}: {member.colour!r}"


def test_a_coloured_member_keeps_its_value_and_label():
    from rhythm.ctas.choices import CtaStatus

    assert CtaStatus.IN_PROGRESS == "in_progress"
    assert CtaStatus.IN_PROGRESS.label == "In progress"
    assert CtaStatus.IN_PROGRESS.colour == "success"
    assert CtaStatus("closed").colour == "secondary"
    assert CtaStatus.choices == [
        ("open", "Open"),
        ("in_progress", "In progress"),
        ("closed", "Closed"),
    ]


def test_a_member_without_a_colour_or_with_an_unknown_one_is_refused_at_import():
    with pytest.raises(TypeError, match=r"Shade\.PALE: declare it as \(value, label, colour\)"):

        class Shade(ColouredChoices):
            PALE = "pale", "Pale"

    with pytest.raises(TypeError, match=r"Tone\.PINK: 'pink' is not one of"):

        class Tone(ColouredChoices):
            PINK = "pink", "Pink", "pink"
