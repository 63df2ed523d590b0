from rhythm.core import registry
from rhythm.core.registry import EVERYONE, NavItem
from rhythm.people.choices import Role

_IMPORT = ("health.add_metricvalue", "health.add_metricimport", "health.view_metricimport")


class HealthConfig(registry.RhythmAppConfig):
    """Health metrics: dated values per account, on the ground floor beside customers,
    so campaigns, KPIs and the account page read them without importing each other."""

    name = "rhythm.health"
    label = "health"
    verbose_name = "Health metrics"

    url_prefix = "metrics/"
    urls = "rhythm.health.urls"
    api_router = "rhythm.health.api.router"
    navigation = (
        NavItem(
            "health.add_metricimport",
            "health:imports",
            "Health metrics",
            "Setup",
            35,
            "bi-activity",
        ),
    )
    # Everyone who sees an account sees its metrics; CS operations (and admins) load them.
    role_grants = {
        EVERYONE: ("health.view_metricvalue",),
        Role.CS_OPERATIONS: _IMPORT,
        Role.ADMIN: _IMPORT,
    }
