from rhythm.core import registry
from rhythm.core.registry import NavItem


class HomeConfig(registry.RhythmAppConfig):
    """A person's start page. It stands above every other app: it reads what each
    one holds for the person, and nothing below it imports it."""

    name = "rhythm.home"
    label = "home"
    verbose_name = "Home"

    urls = "rhythm.home.urls"
    navigation = (NavItem("", "home", "Home", group="", order=0, icon="bi-house"),)
