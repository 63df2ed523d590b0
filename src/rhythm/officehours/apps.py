from django.apps import AppConfig


class OfficehoursConfig(AppConfig):
    name = "rhythm.officehours"
    label = "officehours"
    verbose_name = "Office hours"
