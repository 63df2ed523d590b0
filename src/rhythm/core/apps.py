from rhythm.core import registry


class CoreConfig(registry.RhythmAppConfig):
    name = "rhythm.core"
    label = "core"
    verbose_name = "Core"

    # Personal API tokens.
    api_router = "rhythm.core.api.router"

    def ready(self) -> None:
        super().ready()
        # Registers the configuration checks that `rhythm check` runs.
        from rhythm.core import checks  # noqa: F401, PLC0415 - registering is importing
