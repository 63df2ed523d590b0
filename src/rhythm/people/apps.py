from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "rhythm.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from rhythm.people.services import sync_role_groups

        # Permissions exist only after migrate has run, so the role groups are
        # kept in step with the role table then, on every migrate.
        post_migrate.connect(sync_role_groups, dispatch_uid="rhythm.people.sync_role_groups")
