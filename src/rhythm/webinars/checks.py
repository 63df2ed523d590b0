"""The GitLab mirror is on with all three of its settings and off with none: a
deployment that set one or two meant it on, and would mirror nothing without a word."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register

GITLAB = ("RHYTHM_GITLAB_URL", "RHYTHM_GITLAB_TOKEN", "RHYTHM_GITLAB_PROJECT")


@register()
def check_gitlab_settings(app_configs, **kwargs):
    missing = [name for name in GITLAB if not getattr(settings, name, "")]
    if len(missing) in (0, len(GITLAB)):
        return []
    return [
        Warning(
            f"The GitLab mirror of lab environment requests is off: {', '.join(missing)} not set.",
            hint="Set all three of " + ", ".join(GITLAB) + ", or none.",
            id="rhythm.webinars.W001",
        )
    ]
