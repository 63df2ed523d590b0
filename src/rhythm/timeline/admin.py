from django.contrib import admin

from rhythm.timeline.models import TimelineEntry


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    """The timeline is append-only: read here, written by the use cases."""

    list_display = ["occurred_at", "account", "kind", "title", "actor"]
    list_filter = ["kind"]
    search_fields = ["title", "account__name"]
    list_select_related = ["account", "actor"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
