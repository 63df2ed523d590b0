from django.contrib import admin

from rhythm.core.admin import RecordAdmin
from rhythm.engagements.models import EngagementRequest, Stakeholder, Transition


class StakeholderInline(admin.TabularInline):
    model = Stakeholder
    fields = ["name", "role_title", "responsibilities"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class TransitionInline(admin.TabularInline):
    model = Transition
    fields = ["at", "from_state", "to_state", "actor", "reason_code", "reason", "assigned_cse"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(EngagementRequest)
class EngagementRequestAdmin(RecordAdmin):
    list_display = ["title", "account", "state", "assigned_cse", "target_start_date"]
    list_filter = ["state", "effort_kind"]
    search_fields = ["title", "account__name"]
    list_select_related = ["account", "assigned_cse"]
    inlines = [StakeholderInline, TransitionInline]
