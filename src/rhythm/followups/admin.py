from django.contrib import admin

from rhythm.core.admin import RecordAdmin
from rhythm.followups.models import FollowUp


@admin.register(FollowUp)
class FollowUpAdmin(RecordAdmin):
    list_display = ["meeting", "cse", "status", "due_at", "sent_at", "on_time"]
    list_filter = ["status", "on_time"]
    list_select_related = ["meeting", "cse"]
