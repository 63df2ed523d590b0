from django.contrib import admin

from rhythm.health.models import MetricImport, MetricValue


class NoDelete(admin.ModelAdmin):
    # Nothing is hard-deleted; a wrong value is imported again with the right one.
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MetricValue)
class MetricValueAdmin(NoDelete):
    list_display = ("account", "metric", "date", "value")
    list_filter = ("metric",)
    search_fields = ("account__name", "account__crm_id", "metric")
    raw_id_fields = ("account",)


@admin.register(MetricImport)
class MetricImportAdmin(NoDelete):
    list_display = (
        "original_name",
        "status",
        "rows_read",
        "rows_written",
        "bad_rows",
        "created_at",
    )
    readonly_fields = [f.name for f in MetricImport._meta.fields]
