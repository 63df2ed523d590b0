from rhythm.core import registry


class CoreConfig(registry.RhythmAppConfig):
    name = "rhythm.core"
    label = "core"
    verbose_name = "Core"

    # Personal API tokens.
    api_router = "rhythm.core.api.router"
    # The configuration checks that `rhythm check` runs.
    registers = ("rhythm.core.checks",)
