from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "rhythm.cases"
    label = "cases"
    verbose_name = "CS Help cases"
