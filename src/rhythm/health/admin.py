from django.contrib import admin

from rhythm.health.models import MetricImport, MetricValue


@admin.register(MetricValue)
class MetricValueAdmin(admin.ModelAdmin):
    list_display = ("account", "metric", "date", "value")
    list_filter = ("metric",)
    search_fields = ("account__name", "account__crm_id", "metric")
    raw_id_fields = ("account",)


@admin.register(MetricImport)
class MetricImportAdmin(admin.ModelAdmin):
    list_display = (
        "original_name",
        "status",
        "rows_read",
        "rows_written",
        "bad_rows",
        "created_at",
    )
    readonly_fields = [f.name for f in MetricImport._meta.fields]
