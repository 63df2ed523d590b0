from django.db import models
from simple_history.models import HistoricalRecords

from rhythm.core.models import ArchivableModel


class Offering(ArchivableModel):
    """An on-demand offering of the CSE catalog (DESIGN.md rule 1)."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField()
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order in lists; lowest first."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name
