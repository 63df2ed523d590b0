from django.contrib import admin

from rhythm.core.admin import ReadOnlyAdmin, RecordAdmin
from rhythm.surveys.models import Survey, SurveyResponse


@admin.register(Survey)
class SurveyAdmin(RecordAdmin):
    list_display = ["about", "kind", "contact", "account", "cse", "sent_at", "answered_at"]
    list_filter = ["kind"]
    search_fields = ["about", "contact__name", "account__name"]
    list_select_related = ["contact", "account", "cse"]
    exclude = ["token_hash"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ["survey", "score", "created_at"]
    list_select_related = ["survey__contact"]
