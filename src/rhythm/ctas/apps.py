from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CtasConfig(AppConfig):
    name = "rhythm.ctas"
    label = "ctas"
    verbose_name = "Calls to action"

    def ready(self) -> None:
        from rhythm.ctas.playbooks import ensure_playbooks

        # The data migration seeds a new database; this seeds it again after a
        # flush (test databases), and only ever when the table is empty.
        post_migrate.connect(ensure_playbooks, sender=self, dispatch_uid="ctas.ensure_playbooks")
