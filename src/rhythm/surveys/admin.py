from django.contrib import admin

from rhythm.core.admin import RecordAdmin
from rhythm.surveys.models import Survey, SurveyResponse


@admin.register(Survey)
class SurveyAdmin(RecordAdmin):
    list_display = ["about", "kind", "contact", "account", "cse", "sent_at", "answered_at"]
    list_filter = ["kind"]
    search_fields = ["about", "contact__name", "account__name"]
    list_select_related = ["contact", "account", "cse"]
    exclude = ["token_hash"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["survey", "score", "created_at"]
    list_select_related = ["survey__contact"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
