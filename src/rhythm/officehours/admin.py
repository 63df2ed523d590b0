from django.contrib import admin

from rhythm.core.admin import DomainAdmin, RecordAdmin
from rhythm.officehours.models import OfficeHourSession, Question


@admin.register(OfficeHourSession)
class OfficeHourSessionAdmin(DomainAdmin):
    list_display = ["__str__", "cse", "weekday", "start_time", "recurring", "archived_at"]
    list_filter = ["weekday", "recurring"]
    list_select_related = ["cse"]


@admin.register(Question)
class QuestionAdmin(RecordAdmin):
    list_display = ["topic", "account", "status", "asked_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["topic", "account__name"]
    list_select_related = ["account", "asked_by"]
