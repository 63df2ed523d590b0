from django.db import models

from rhythm.core.choices import ColouredChoices


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"


class QuestionStatus(ColouredChoices):
    OPEN = "open", "Open", "primary"
    ANSWERED = "answered", "Answered asynchronously", "success"
    SPOT = "spot", "Spot engagement", "info"
