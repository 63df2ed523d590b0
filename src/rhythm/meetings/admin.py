from django.contrib import admin

from rhythm.core.admin import DomainAdmin, RecordAdmin
from rhythm.meetings.models import ChecklistItem, ChecklistTemplateItem, Meeting


@admin.register(Meeting)
class MeetingAdmin(RecordAdmin):
    list_display = ["name", "account", "kind", "status", "scheduled_at", "cse"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "account__name"]
    list_select_related = ["account", "cse"]


@admin.register(ChecklistTemplateItem)
class ChecklistTemplateItemAdmin(DomainAdmin):
    """The handbook's meeting workflow: new meetings copy these items."""

    list_display = ["position", "title", "due_before_minutes", "shows_account_facts"]
    list_display_links = ["title"]
    ordering = ["position", "id"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(RecordAdmin):
    list_display = ["title", "meeting", "due_at", "done_at"]
    list_select_related = ["meeting"]
