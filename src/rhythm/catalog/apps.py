from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CatalogConfig(AppConfig):
    name = "rhythm.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from rhythm.catalog.services import ensure_catalog

        # The data migration seeds a new database; this seeds it again after a
        # flush (test databases), and only ever when the table is empty.
        post_migrate.connect(ensure_catalog, sender=self, dispatch_uid="catalog.ensure_catalog")
