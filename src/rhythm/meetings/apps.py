from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "rhythm.meetings"
    label = "meetings"
    verbose_name = "Meetings"
