from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "rhythm.engagements"
    label = "engagements"
    verbose_name = "Engagements"
