from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "rhythm.demo"
    label = "demo"
    verbose_name = "Demo data"
