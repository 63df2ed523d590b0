from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from rhythm.core.admin import DomainAdmin, RecordAdmin
from rhythm.ctas.models import Cta, CtaTask, Playbook, PlaybookStep


class PlaybookStepInline(admin.TabularInline):
    """Read here; changed on the playbook page, where a step moved to a taken
    position takes it and the others move down (saving inline rows one by one
    would collide on the one-step-per-position constraint)."""

    model = PlaybookStep
    fields = ("position", "title", "due_offset_days", "condition")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(archived_at__isnull=True)


@admin.register(Playbook)
class PlaybookAdmin(DomainAdmin):
    list_display = ["name", "archived_at"]
    search_fields = ["name"]
    readonly_fields = ["steps_page"]
    inlines = [PlaybookStepInline]

    @admin.display(description="Steps")
    def steps_page(self, obj: Playbook) -> str:
        if obj.pk is None:
            return "Add the steps on the playbook's page once it is saved."
        url = reverse("ctas:playbook", args=[obj.pk])
        return format_html('Edit and reorder them on <a href="{}">the playbook page</a>.', url)


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
