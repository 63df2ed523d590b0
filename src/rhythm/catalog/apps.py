from rhythm.core import registry
from rhythm.core.registry import EVERYONE, NavItem
from rhythm.people.choices import Role


class CatalogConfig(registry.RhythmAppConfig):
    name = "rhythm.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    url_prefix = "catalog/"
    urls = "rhythm.catalog.urls"
    api_router = "rhythm.catalog.api.router"
    navigation = (
        NavItem(
            "catalog.view_offering",
            "catalog:list",
            "Catalog",
            group="Setup",
            order=80,
            icon="bi-journal-bookmark",
        ),
    )
    role_grants = {
        EVERYONE: ("catalog.view_offering",),
        Role.ADMIN: ("catalog.add_offering", "catalog.change_offering"),
    }
    # The data migration seeds a new database; this seeds it again after a flush
    # (test databases), and only ever when the table is empty.
    on_migrate = ("rhythm.catalog.services.ensure_catalog",)
