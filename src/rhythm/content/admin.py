from django.contrib import admin

from rhythm.content.models import Bug, ContentItem
from rhythm.core.admin import RecordAdmin


@admin.register(ContentItem)
class ContentItemAdmin(RecordAdmin):
    list_display = ["title", "kind", "status", "owner"]
    list_filter = ["kind", "status"]
    list_select_related = ["owner"]


@admin.register(Bug)
class BugAdmin(RecordAdmin):
    list_display = ["title", "item", "severity", "status", "owner", "reported_by"]
    list_filter = ["severity", "status"]
    list_select_related = ["item", "owner", "reported_by"]
