from django.conf import settings
from django.db import models
from django.utils import timezone

from rhythm.customers.access import AccountScopedQuerySet
from rhythm.health.choices import ImportStatus


class MetricValue(models.Model):
    """One dated value of one health metric of one account (licenses used,
    utilisation %, days since the subscription started, CI pipelines in 30 days,
    or any named metric). Imported again, the same (account, metric, date) takes
    the new value: an import is idempotent."""

    account = models.ForeignKey(
        "customers.Account", on_delete=models.CASCADE, related_name="metric_values"
    )
    metric = models.CharField(max_length=64)
    date = models.DateField()
    value = models.DecimalField(max_digits=18, decimal_places=4)
    imported_at = models.DateTimeField(default=timezone.now)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        ordering = ["account", "metric", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "metric", "date"], name="metric_value_once_per_day"
            )
        ]
        # The unique index serves "this account's metric by date" too: the campaigns'
        # audience asks exactly that.

    def __str__(self) -> str:
        return f"{self.metric} = {self.value} on {self.date}"


class MetricImport(models.Model):
    """A metrics file uploaded in the UI, imported on the queue: its progress and its
    verdict, for the page that polls it."""

    file = models.CharField(max_length=255, help_text="Where the upload waits, under var/.")
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    skip_bad_rows = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    bytes_read = models.PositiveBigIntegerField(default=0)
    rows_read = models.PositiveBigIntegerField(default=0)
    rows_written = models.PositiveBigIntegerField(default=0)
    bad_rows = models.PositiveBigIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def status_enum(self) -> ImportStatus:
        return ImportStatus(self.status)

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        # Checking reads the file (by bytes), writing writes its rows: each is half the bar.
        if self.status == ImportStatus.WRITING:
            if not self.rows_read:
                return 50
            return 50 + min(50, self.rows_written * 50 // self.rows_read)
        if not self.size:
            return 0
        return min(50, self.bytes_read * 50 // self.size)
