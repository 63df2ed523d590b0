from django.contrib import admin

from rhythm.core.admin import DomainAdmin, RecordAdmin
from rhythm.ctas.models import Cta, CtaTask, Playbook, PlaybookStep


class PlaybookStepInline(admin.TabularInline):
    model = PlaybookStep
    fields = ["position", "title", "due_offset_days", "condition"]
    extra = 0
    can_delete = False  # archive a step on the playbook page instead

    def get_queryset(self, request):
        return super().get_queryset(request).filter(archived_at__isnull=True)


@admin.register(Playbook)
class PlaybookAdmin(DomainAdmin):
    list_display = ["name", "archived_at"]
    search_fields = ["name"]
    inlines = [PlaybookStepInline]


_TASK_FIELDS = (
    "position",
    "title",
    "due_date",
    "status",
    "completed_by",
    "completed_at",
)


class CtaTaskInline(admin.TabularInline):
    model = CtaTask
    fields = _TASK_FIELDS
    readonly_fields = _TASK_FIELDS
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Cta)
class CtaAdmin(RecordAdmin):
    list_display = ["name", "status", "owner", "priority", "due_date", "created_at"]
    list_filter = ["status", "source", "priority"]
    search_fields = ["name", "account__name"]
    list_select_related = ["owner"]
    inlines = [CtaTaskInline]
