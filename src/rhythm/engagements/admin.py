from django.contrib import admin

from rhythm.core.admin import RecordAdmin
from rhythm.engagements.models import (
    DeliverableOutcome,
    EngagementRequest,
    Stakeholder,
    Transition,
)

_STAKEHOLDER_FIELDS = (
    "name",
    "role_title",
    "responsibilities",
)
_TRANSITION_FIELDS = (
    "at",
    "from_state",
    "to_state",
    "actor",
    "reason_code",
    "reason",
    "assigned_cse",
)


class StakeholderInline(admin.TabularInline):
    model = Stakeholder
    fields = _STAKEHOLDER_FIELDS
    readonly_fields = _STAKEHOLDER_FIELDS
    extra = 0
    can_delete = False


class TransitionInline(admin.TabularInline):
    model = Transition
    fields = _TRANSITION_FIELDS
    readonly_fields = _TRANSITION_FIELDS
    extra = 0
    can_delete = False


_OUTCOME_FIELDS = ("position", "text", "achieved", "on_time", "transition")


class DeliverableOutcomeInline(admin.TabularInline):
    model = DeliverableOutcome
    fields = _OUTCOME_FIELDS
    readonly_fields = _OUTCOME_FIELDS
    extra = 0
    can_delete = False


@admin.register(EngagementRequest)
class EngagementRequestAdmin(RecordAdmin):
    list_display = ["title", "account", "state", "assigned_cse", "target_start_date"]
    list_filter = ["state", "effort_kind"]
    search_fields = ["title", "account__name"]
    list_select_related = ["account", "assigned_cse"]
    inlines = [StakeholderInline, TransitionInline, DeliverableOutcomeInline]
