from django.db import models

from rhythm.core.choices import ColouredChoices


class ContentKind(models.TextChoices):
    """What the CSE team builds for its webinars and labs (the handbook's 1:MANY links)."""

    RECORDING = "recording", "Recording"
    LAB_TEMPLATE = "lab_template", "Lab template"
    MASTER_DECK = "master_deck", "Master deck"
    EXERCISE_PROJECT = "exercise_project", "Exercise project"


class ContentStatus(ColouredChoices):
    DRAFT = "draft", "Draft", "primary"
    IN_REVIEW = "in_review", "In review", "warning"
    READY = "ready", "Ready", "success"
    RETIRED = "retired", "Retired", "secondary"


class BugPlace(models.TextChoices):
    """Where in the content the problem is: the bug template's "where"."""

    SLIDE = "slide", "Slide"
    EXERCISE_STEP = "exercise_step", "Exercise step"
    ELSEWHERE = "elsewhere", "Elsewhere"


class Severity(ColouredChoices):
    # Ordered from the worst: the owner's queue lists the worst first.
    CRITICAL = "critical", "Critical", "danger"
    HIGH = "high", "High", "warning"
    MEDIUM = "medium", "Medium", "info"
    LOW = "low", "Low", "secondary"


class BugStatus(ColouredChoices):
    REPORTED = "reported", "Reported", "primary"
    TRIAGED = "triaged", "Triaged", "success"
    FIXED = "fixed", "Fixed", "info"
    CLOSED = "closed", "Closed", "secondary"
