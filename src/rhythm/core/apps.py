from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rhythm.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Registers the configuration checks that `rhythm check` runs.
        from rhythm.core import checks  # noqa: F401
