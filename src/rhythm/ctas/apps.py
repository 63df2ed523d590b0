from django.apps import AppConfig


class CtasConfig(AppConfig):
    name = "rhythm.ctas"
    label = "ctas"
    verbose_name = "Calls to action"
