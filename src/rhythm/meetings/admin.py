from django.contrib import admin

from rhythm.core.admin import RecordAdmin
from rhythm.meetings.models import Meeting


@admin.register(Meeting)
class MeetingAdmin(RecordAdmin):
    list_display = ["name", "account", "kind", "status", "scheduled_at", "cse"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "account__name"]
    list_select_related = ["account", "cse"]
