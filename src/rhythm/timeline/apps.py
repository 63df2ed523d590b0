from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "rhythm.timeline"
    label = "timeline"
    verbose_name = "Timeline"
