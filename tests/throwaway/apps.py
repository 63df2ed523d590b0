"""An app made to be thrown away: it proves a new app plugs into the navigation,
the API and the timeline by declaring itself, editing no other app's files.
Installed only by tests/throwaway/settings.py."""

from rhythm.core import registry
from rhythm.core.registry import NavItem, TimelineKind


class ThrowawayConfig(registry.RhythmAppConfig):
    name = "tests.throwaway"
    label = "throwaway"

    url_prefix = "throwaway/"
    urls = "tests.throwaway.urls"
    api_router = "tests.throwaway.api.router"
    navigation = (NavItem("", "throwaway:index", "Throwaway", order=75),)
    timeline_kinds = (TimelineKind("ping", "Ping", "bi-bell"),)
