from django.contrib import admin

from rhythm.community.models import CommunityEvent
from rhythm.core.admin import RecordAdmin


@admin.register(CommunityEvent)
class CommunityEventAdmin(RecordAdmin):
    list_display = ["name", "kind", "date", "account", "contribution"]
    list_filter = ["kind", "contribution"]
    list_select_related = ["account"]
