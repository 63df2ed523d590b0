from django.db import models


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"


class QuestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered asynchronously"
    SPOT = "spot", "Spot engagement"

    @property
    def colour(self) -> str:
        return {"open": "primary", "answered": "success", "spot": "info"}[self.value]
