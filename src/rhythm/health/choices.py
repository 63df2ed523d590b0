from django.db import models

from rhythm.core.choices import ColouredChoices


class ImportStatus(ColouredChoices):
    """Where a metrics import stands: checked first (every row), then written."""

    QUEUED = "queued", "Queued", "secondary"
    CHECKING = "checking", "Checking rows", "info"
    WRITING = "writing", "Writing", "info"
    DONE = "done", "Done", "success"
    REFUSED = "refused", "Refused: bad rows", "danger"
    FAILED = "failed", "Failed", "danger"


class KnownMetric(models.TextChoices):
    """The metrics the handbook's campaigns read; any other name is allowed too."""

    LICENSES_PURCHASED = "licenses_purchased", "Licenses purchased"
    LICENSES_USED = "licenses_used", "Licenses used"
    UTILISATION = "license_utilisation", "License utilisation %"
    DAYS_SINCE_START = "days_since_start", "Days since start of subscription"
    CI_PIPELINES_30D = "ci_pipelines_30d", "CI pipelines in the last 30 days"
    ACTIVE_USERS = "active_users", "Active users"
