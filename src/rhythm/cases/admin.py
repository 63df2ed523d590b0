from django.contrib import admin

from rhythm.cases.models import Case
from rhythm.core.admin import RecordAdmin


@admin.register(Case)
class CaseAdmin(RecordAdmin):
    list_display = ["__str__", "kind", "status", "priority", "account", "created_at"]
    list_filter = ["kind", "status", "priority"]
    search_fields = ["account__name", "challenges"]
    list_select_related = ["account"]
