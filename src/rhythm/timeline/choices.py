from django.db import models


class EntryKind(models.TextChoices):
    CASE = "case", "Case"
    CTA = "cta", "CTA"
    REQUEST = "request", "Engagement request"
    TRANSITION = "transition", "Review step"
    MEETING = "meeting", "Meeting"
    QUESTION = "question", "Office-hours question"
    NOTE = "note", "Note"

    @property
    def icon(self) -> str:
        return {
            "case": "bi-life-preserver",
            "cta": "bi-flag",
            "request": "bi-briefcase",
            "transition": "bi-arrow-right-circle",
            "meeting": "bi-camera-video",
            "question": "bi-question-circle",
            "note": "bi-journal-text",
        }[self.value]
