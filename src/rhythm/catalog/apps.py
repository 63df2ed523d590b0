from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "rhythm.catalog"
    label = "catalog"
    verbose_name = "Catalog"
